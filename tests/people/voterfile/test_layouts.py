"""The layouts: North Carolina's and Ohio's files are read by the same importer."""

from __future__ import annotations

import datetime as dt

import pytest

from groundgame.core.errors import ValidationFailed
from groundgame.people.models import VoteHistory, VoterRecord
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.layouts import nc, oh
from groundgame.people.voterfile.parse import normalize_address
from groundgame.people.voterfile.read import check_header


def test_every_layout_maps_only_columns_it_has():
    for name in layouts.names():
        layout = layouts.get(name)
        assert set(layout.fields) <= set(layouts.VOTER_FIELDS)
        assert set(layout.fields.values()) <= set(layout.columns)
        assert set(layout.history_fields.values()) <= set(layout.history_columns)
        assert set(layout.required) <= set(layout.fields)


def test_county_numbers_become_fips():
    assert nc.LAYOUT.county_fips("1") == "37001"  # Alamance
    assert nc.LAYOUT.county_fips("32") == "37063"  # Durham
    assert nc.LAYOUT.county_fips("100") == "37199"  # Yancey
    assert nc.LAYOUT.county_fips("101") is None
    assert oh.LAYOUT.county_fips("25") == "39049"  # Franklin
    assert oh.LAYOUT.county_fips("x") is None


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
