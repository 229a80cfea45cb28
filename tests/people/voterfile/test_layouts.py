"""The layouts: every state's files are read by the same importer, whatever their shape (a
delimiter or fixed widths, a header or not, a field of several columns, history beside the file
or inside it, dated by an election map)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.core.errors import ValidationFailed
from groundgame.people.models import VoteHistory, VoterImport, VoterImportRowError, VoterRecord
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.layouts import Shape, fl, ga, mi, nc, oh, pa
from groundgame.people.voterfile.parse import normalize_address
from groundgame.people.voterfile.read import Lines, check_header


def _columns(fields):
    return {
        c
        for columns in fields.values()
        for c in ((columns,) if isinstance(columns, str) else columns)
    }


def test_every_layout_maps_only_columns_it_has():
    for name in layouts.names():
        layout = layouts.get(name)
        assert set(layout.fields) <= set(layouts.VOTER_FIELDS)
        assert _columns(layout.fields) <= set(layout.columns)
        assert _columns(layout.history_fields) <= set(layout.history_columns)
        assert set(layout.required) <= set(layout.fields)
        widths = layout.shape("history").widths
        assert not widths or len(widths) == len(layout.history_columns)


def test_county_numbers_become_fips():
    assert nc.LAYOUT.county_fips("1") == "37001"  # Alamance
    assert nc.LAYOUT.county_fips("32") == "37063"  # Durham
    assert nc.LAYOUT.county_fips("100") == "37199"  # Yancey
    assert nc.LAYOUT.county_fips("101") is None
    assert oh.LAYOUT.county_fips("25") == "39049"  # Franklin
    assert oh.LAYOUT.county_fips("x") is None
    assert mi.LAYOUT.county_fips("82") == "26163"  # Wayne
    assert fl.LAYOUT.county_fips("DAD") == "12086"  # Miami-Dade, out of the odd order
    assert fl.LAYOUT.county_fips("WAS") == "12133"
    assert pa.LAYOUT.county_fips("PHILADELPHIA") == "42101"
    assert pa.LAYOUT.county_fips("McKean") == "42083"
    # Georgia numbers its counties alphabetically; the Census's numbers have gaps.
    assert ga.LAYOUT.county_fips("060") == "13121"  # Fulton
    assert ga.LAYOUT.county_fips("67") == "13135"  # Gwinnett
    assert ga.LAYOUT.county_fips("044") == "13089"  # DeKalb
    assert ga.LAYOUT.county_fips("159") == "13321"  # Worth
    assert ga.LAYOUT.county_fips("160") is None


def test_dates_in_the_layouts_formats():
    assert layouts.date_parser("%m/%d/%Y")("11/05/2024") == dt.date(2024, 11, 5)
    with pytest.raises(ValueError, match="month"):
        layouts.date_parser("%m/%d/%Y")("13/05/2024")
    assert layouts.date_parser("%Y-%m-%d")("2024-11-05") == dt.date(2024, 11, 5)


def test_a_header_missing_columns_is_named():
    header = [c for c in nc.COLUMNS if c not in ("ncid", "party_cd")] + ["SOS_VOTERID"]
    with pytest.raises(ValidationFailed) as caught:
        check_header(header, nc.COLUMNS, what="voters", layout=nc.LAYOUT)
    assert "missing columns ncid, party_cd" in caught.value.message
    assert "SOS_VOTERID" in caught.value.message


def test_addresses_are_normalized_for_the_household_key():
    assert normalize_address(" 12  Oak st. apt 4 ", "", "durham ", "27701") == (
        "12 Oak St",
        "APT 4",
        "Durham",
        "27701",
    )


def _ohio_file(path, rows):
    elections = ["GENERAL-11/08/2016", "PRIMARY-03/17/2020", "GENERAL-11/03/2020"]
    header = [*oh.COLUMNS, *elections]
    lines = [",".join(f'"{c}"' for c in header)]
    for voter_id, status, votes in rows:
        values = dict.fromkeys(header, "")
        values.update(
            SOS_VOTERID=voter_id, COUNTY_NUMBER="25", LAST_NAME="DOE", FIRST_NAME="JO",
            DATE_OF_BIRTH="1970-02-03", REGISTRATION_DATE="1990-05-06", VOTER_STATUS=status,
            RESIDENTIAL_ADDRESS1="5 ELM AVE", RESIDENTIAL_CITY="COLUMBUS",
            RESIDENTIAL_ZIP="43215", PARTY_AFFILIATION="D",
        )  # fmt: skip
        values.update(zip(elections, votes, strict=True))
        lines.append(",".join(f'"{values[c]}"' for c in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ohio_history_comes_from_a_column_per_election(db, tmp_path):
    path = _ohio_file(
        tmp_path / "SWVF_1_22.txt",
        [("OH0001", "ACTIVE", ["X", "D", "X"]), ("OH0002", "CONFIRMATION", ["", "", "X"])],
    )
    outcome = voter_file_import(actor=None, layout="oh", voters=path)
    assert outcome.run.rows_new == 2
    first = VoterRecord.objects.get(state="OH", state_voter_id="OH0001")
    assert first.county_fips == "39049"
    assert first.party == "DEM"
    assert first.general_votes == 2
    assert first.person.birth_date == dt.date(1970, 2, 3)
    assert VoterRecord.objects.get(state_voter_id="OH0002").status == "inactive"
    assert VoteHistory.objects.filter(voter=first).count() == 3
    assert VoteHistory.objects.get(
        voter=first, election_date=dt.date(2020, 3, 17)
    ).election_name == ("2020 Primary")

    # A newer file adds the newer ballots, once.
    newer = _ohio_file(
        tmp_path / "SWVF_1_22_new.txt",
        [("OH0001", "ACTIVE", ["X", "D", "X"]), ("OH0002", "ACTIVE", ["X", "", "X"])],
    )
    outcome = voter_file_import(actor=None, layout="oh", voters=newer)
    assert outcome.run.history_new == 1
    assert VoterRecord.objects.get(state_voter_id="OH0002").general_votes == 2


def test_fixed_width_lines_split_at_their_widths_and_a_short_one_is_reported(tmp_path):
    path = tmp_path / "history.txt"
    path.write_text("0600000001220241105003  YNN\n06000000013\n", encoding="utf-8")
    lines = list(Lines(path, Shape("", header=False, widths=ga.HISTORY_WIDTHS), 8, skip_to=0))
    (first, parts, _, problem), (second, short, _, refused) = lines
    assert (first, problem) == (1, None)  # no header: the first line is data
    assert parts == ["060", "00000012", "20241105", "003", "  ", "Y", "N", "N"]
    assert (second, short, refused.field) == (2, None, "")
    assert refused.reason == "2 fields where the layout has 8"


def _write(path, rows, columns, delimiter="\t"):
    lines = [delimiter.join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PA_VOTER = {
    "Last Name": "DOE", "First Name": "JO", "DOB": "02/03/1970",
    "Registration Date": "05/06/1990", "Voter Status": "A", "Party Code": "D",
    "House Number": "12", "House Number Suffix": "1/2", "Street Name": "ELM ST",
    "City": "PHILADELPHIA", "Zip": "19104", "County": "PHILADELPHIA",
}  # fmt: skip


def test_election_columns_are_dated_by_the_counties_election_map(db, tmp_path):
    voters = _write(
        tmp_path / "fve.txt",
        [
            {**PA_VOTER, "ID Number": "P1", "Election 1 Vote Method": "MB",
             "Election 2 Vote Method": "AP", "Election 2 Party": "D"},
            # The same numbers are other elections in another county.
            {**PA_VOTER, "ID Number": "P2", "County": "ADAMS", "Election 1 Vote Method": "P"},
            # An election its county's map does not have is reported, with the column.
            {**PA_VOTER, "ID Number": "P3", "Election 3 Vote Method": "AP"},
        ],
        pa.COLUMNS,
    )  # fmt: skip
    elections = _write(
        tmp_path / "map.txt",
        [
            {"County Name": "PHILADELPHIA", "Election Number": "1",
             "Election Description": "2024 GENERAL", "Election Date": "11/05/2024"},
            {"County Name": "PHILADELPHIA", "Election Number": "2",
             "Election Description": "2024 GENERAL PRIMARY", "Election Date": "04/23/2024"},
            {"County Name": "ADAMS", "Election Number": "1",
             "Election Description": "2020 GENERAL", "Election Date": "11/03/2020"},
        ],
        pa.HISTORY_COLUMNS,
    )  # fmt: skip
    run = voter_file_import(actor=None, layout="pa", voters=voters, history=elections).run
    assert (run.rows_new, run.rows_rejected, run.history_new) == (2, 1, 3)
    first = VoterRecord.objects.get(state="PA", state_voter_id="P1")
    assert first.county_fips == "42101"
    assert first.person.household.street == "12 1/2 Elm St"  # three columns, joined
    assert list(first.history.order_by("election_date").values_list(
        "election_date", "election_name", "method")) == [
        (dt.date(2024, 4, 23), "2024 GENERAL PRIMARY", "election_day"),
        (dt.date(2024, 11, 5), "2024 GENERAL", "mail"),
    ]  # fmt: skip
    assert first.general_votes == 1
    second = VoteHistory.objects.get(voter__state_voter_id="P2")
    assert (second.election_date, second.method) == (dt.date(2020, 11, 3), "provisional")
    error = VoterImportRowError.objects.get()
    assert (error.row_number, error.field) == (3, "Election 3 Vote Method")
    assert error.reason == "election 3 of PHILADELPHIA is not in the election map"


def test_a_bad_election_map_line_refuses_the_files_before_anything_is_written(db, tmp_path):
    voters = _write(tmp_path / "fve.txt", [{**PA_VOTER, "ID Number": "P1"}], pa.COLUMNS)
    elections = _write(
        tmp_path / "map.txt",
        [{"County Name": "ADAMS", "Election Number": "1", "Election Date": "2024-11-05"}],
        pa.HISTORY_COLUMNS,
    )
    with pytest.raises(ValidationFailed) as caught:
        voter_file_import(actor=None, layout="pa", voters=voters, history=elections)
    assert caught.value.message == (
        "Line 1 of the election map, column Election Date: '2024-11-05' is not a date (%m/%d/%Y)."
    )
    with pytest.raises(ValidationFailed, match="give that file as the history file"):
        voter_file_import(actor=None, layout="pa", voters=voters)
    assert not VoterRecord.objects.exists()
    assert not VoterImport.objects.exists()


def test_a_history_line_that_records_no_ballot_is_passed_over(db, tmp_path):
    voter = {"county_code": "DAD", "voter_id": "100000001", "name_last": "DOE",
             "name_first": "JO", "residence_zipcode": "33101", "party_affiliation": "NPA",
             "voter_status": "ACT", "daytime_area_code": "305",
             "daytime_phone_number": "5550123"}  # fmt: skip
    voters = _write(tmp_path / "extract.txt", [voter], fl.COLUMNS)
    history = _write(
        tmp_path / "history.txt",
        [
            {"voter_id": "100000001", "election_date": "11/05/2024", "election_type": "GEN",
             "history_code": "E"},
            # Some counties list the elections a voter did not vote in.
            {"voter_id": "100000001", "election_date": "11/08/2022", "election_type": "GEN",
             "history_code": "N"},
        ],
        fl.HISTORY_COLUMNS,
    )  # fmt: skip
    run = voter_file_import(actor=None, layout="fl", voters=voters, history=history).run
    assert (run.rows_new, run.history_new, run.rows_rejected) == (1, 1, 0)
    ballot = VoteHistory.objects.get()
    assert (ballot.election_name, ballot.method) == ("2024 General", "early")
    assert ballot.voter.person.phone == "+13055550123"  # area code and number, joined
    assert not VoterImportRowError.objects.exists()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.text("AZ09", min_size=1, max_size=4),  # an id: a line is never blank
            st.text("AZ09 /-", max_size=2),
            st.text("AZ09 /-", max_size=6),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fixed_width_fields_read_back_as_written(tmp_path, rows):
    # Each field padded to its width: the reader gives back exactly the padded values, in
    # order, numbered from line 1.
    widths = (4, 2, 4)
    path = tmp_path / "fixed.txt"
    lines = ["".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = list(Lines(path, Shape("", header=False, widths=widths), 3, skip_to=0))
    assert [n for n, *_ in read] == list(range(1, len(rows) + 1))
    assert [parts for _, parts, _, _ in read] == [
        [v[:w].ljust(w) for v, w in zip(row, widths, strict=True)] for row in rows
    ]
