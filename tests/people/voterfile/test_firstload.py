"""A first load of a state on PostgreSQL through DuckDB and COPY gives exactly what the batch
import gives: the same people, households, voter records, ballots, row errors and counters, on
dirty files, on generated files, on files it refuses (the batch import loads them), and for
the imports that come after it."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.audit.models import AuditEvent
from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterChange,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile import firstload, indexes
from groundgame.people.voterfile import run as voterfile_run
from groundgame.people.voterfile.layouts import nc
from tests.people.voterfile.voter_files_helpers import voter_line, write_pair

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="the vectorized first load runs on PostgreSQL only",
)

Files = tuple[Path, Path | None]


def nc_import(voters: Path, history: Path | None = None, **kwargs: Any) -> Any:
    return voter_file_import(actor=None, layout="nc", voters=voters, history=history, **kwargs)


def history_line(ncid: str, date: str, method: str = "IN-PERSON", name: str | None = None) -> str:
    values = {
        "ncid": ncid,
        "election_lbl": date,
        "election_desc": f"{date} GENERAL" if name is None else name,
        "voting_method": method,
    }
    return "\t".join(values.get(c, "") for c in nc.HISTORY_COLUMNS)


# -- watching the first-load path --------------------------------------------------------------


class Watch:
    """Calls of the vectorized first load in a run: what each returned, and what the people
    tables held when it returned."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    @property
    def taken(self) -> bool:
        return any(call["loaded"] for call in self.calls)


def _counts() -> dict[str, int]:
    return {
        "voters": VoterRecord.objects.count(),
        "people": Person.objects.filter(voter_record__isnull=False).count(),
        "households": Household.objects.count(),
        "external_ids": ExternalId.objects.filter(system="state_voter").count(),
        "ballots": VoteHistory.objects.count(),
        "row_errors": VoterImportRowError.objects.count(),
        "changes": VoterChange.objects.count(),
        "all_people": Person.objects.count(),
    }


def _loaded(result: Any) -> bool:
    """Whether the first load's entry point says it loaded the files (False: it declined)."""
    return bool(result)


def watch_first_load(monkeypatch: pytest.MonkeyPatch) -> Watch:
    watch = Watch()
    # Not a wrapper of an earlier run's wrapper: each run's calls are its own.
    original = getattr(firstload.load, "__wrapped__", firstload.load)

    def load(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        watch.calls.append({"result": result, "loaded": _loaded(result), "counts": _counts()})
        return result

    load.__wrapped__ = original  # type: ignore[attr-defined]
    monkeypatch.setattr(firstload, "load", load)
    return watch


# -- one run each way, and what it left ----------------------------------------------------------


def _indexes() -> tuple[list[str], list[tuple[str, bool]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname LIKE 'people_%%' "
            "AND i.indisvalid ORDER BY 1"
        )
        indexes = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid::regclass::text LIKE 'people_%%' ORDER BY 1"
        )
        foreign = [(name, valid) for name, valid in cursor.fetchall()]
    return indexes, foreign


def snapshot(run: VoterImport, notes: Iterable[str] = ()) -> dict[str, Any]:
    """Everything an import leaves, without ids and timestamps."""
    run.refresh_from_db()
    records = VoterRecord.objects.filter(state="NC").select_related("person__household")
    ballots: dict[int, list[tuple[Any, ...]]] = {}
    for voter_id, day, name, method in VoteHistory.objects.values_list(
        "voter_id", "election_date", "election_name", "method"
    ):
        ballots.setdefault(voter_id, []).append((day, name, method))
    crosswalk: dict[int, list[tuple[str, str]]] = {}
    for person_id, system, external in ExternalId.objects.values_list(
        "person_id", "system", "external_id"
    ):
        crosswalk.setdefault(person_id, []).append((system, external))
    voters: dict[str, dict[str, Any]] = {}
    members: dict[int, set[str]] = {}
    for r in records:
        p, h = r.person, r.person.household
        if h is not None:
            members.setdefault(h.pk, set()).add(r.state_voter_id)
        voters[r.state_voter_id] = {
            "person": {
                "first_name": p.first_name,
                "middle_name": p.middle_name,
                "last_name": p.last_name,
                "suffix": p.suffix,
                "email": p.email,
                "phone": p.phone,
                "birth_date": p.birth_date,
                "org_unit": p.org_unit_id,
                "merged_into": p.merged_into_id,
            },
            "household": None
            if h is None
            else {
                "street": h.street,
                "unit": h.unit,
                "city": h.city,
                "state": h.state,
                "zip5": h.zip5,
                "county_fips": h.county_fips,
                "latitude": h.latitude,
                "longitude": h.longitude,
            },
            "record": {
                "county_fips": r.county_fips,
                "party": r.party,
                "status": r.status,
                "registered_on": r.registered_on,
                "general_votes": r.general_votes,
                "missing": r.missing_since is not None,
                "last_import_is_the_run": r.last_import_id == run.pk,
            },
            "external_ids": sorted(crosswalk.get(p.pk, [])),
            "ballots": sorted(ballots.get(r.pk, [])),
        }
    changes = sorted(
        (voter, kind, repr(sorted(before.items())), repr(sorted(after.items())))
        for voter, kind, before, after in VoterChange.objects.filter(run=run).values_list(
            "voter__state_voter_id", "kind", "before", "after"
        )
    )
    return {
        "voters": voters,
        "households": sorted(sorted(ids) for ids in members.values()),
        "row_errors": [
            (e.file, e.row_number, e.field, e.reason, e.raw)
            for e in VoterImportRowError.objects.filter(run=run).order_by(
                "file", "row_number", "pk"
            )
        ],
        "changes": changes,
        "run": {
            "rows_read": run.rows_read,
            "rows_new": run.rows_new,
            "rows_updated": run.rows_updated,
            "rows_unchanged": run.rows_unchanged,
            "rows_rejected": run.rows_rejected,
            "history_new": run.history_new,
            "marked_missing": run.marked_missing,
            "status": run.status,
            "error": run.error,
            "finished": run.finished_at is not None,
            "deferred_indexes": run.deferred_indexes,
        },
        "notes": list(notes),
        "counts": _counts(),
        "orphan_households": Household.objects.filter(members__isnull=True).count(),
        "indexes": _indexes(),
    }


def differences(batch: Mapping[str, Any], vectorized: Mapping[str, Any]) -> str:
    """The differences, one a line: the batch import's value, then the first load's."""
    out: list[str] = []
    for key in sorted(set(batch) | set(vectorized)):
        a, b = batch.get(key), vectorized.get(key)
        if a == b:
            continue
        if key == "voters":
            for voter in sorted(set(a) | set(b)):
                va, vb = a.get(voter), b.get(voter)
                if va is None or vb is None:
                    out.append(f"voter {voter!r}: batch {va!r} / vectorized {vb!r}")
                    continue
                for part in va:
                    if va[part] != vb[part]:
                        out.append(
                            f"voter {voter!r} {part}: batch {va[part]!r} / vectorized {vb[part]!r}"
                        )
        elif key == "row_errors":
            ea, eb = set(a), set(b)
            out += [f"row error only in batch: {e!r}" for e in a if e not in eb]
            out += [f"row error only in vectorized: {e!r}" for e in b if e not in ea]
            if ea == eb:
                out.append("row errors: the same rows in another order")
        elif isinstance(a, dict) and isinstance(b, dict):
            for part in sorted(set(a) | set(b)):
                if a.get(part) != b.get(part):
                    out.append(f"{key}.{part}: batch {a.get(part)!r} / vectorized {b.get(part)!r}")
        else:
            out.append(f"{key}: batch {a!r} / vectorized {b!r}")
    return "\n".join(out)


def wipe(keep_people: set[int]) -> None:
    """Empty the people tables of what an import wrote (Hypothesis's examples and both runs of
    a comparison share one test transaction). A run that stopped builds the indexes it
    deferred first, as resuming it would."""
    for run in VoterImport.objects.exclude(deferred_indexes=[]):
        indexes.build_deferred_indexes(run)
    VoteHistory.objects.all().delete()
    VoterChange.objects.all().delete()
    VoterImportRowError.objects.all().delete()
    ExternalId.objects.filter(system="state_voter").delete()
    VoterRecord.objects.all().delete()
    Person.objects.exclude(pk__in=keep_people).delete()
    Household.objects.all().delete()
    VoterImport.objects.all().delete()


def run_once(
    monkeypatch: pytest.MonkeyPatch, files: Files, *, vectorized: bool
) -> tuple[Any, Watch]:
    monkeypatch.setattr(indexes, "DEFER_INDEXES_FROM_BYTES", 0)
    monkeypatch.setattr(voterfile_run, "VECTORIZED_FIRST_LOAD", vectorized)
    watch = watch_first_load(monkeypatch)
    outcome = nc_import(*files)
    return outcome, watch


def both_ways(
    monkeypatch: pytest.MonkeyPatch,
    files: Files,
    then: Callable[[], Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], Watch, Watch]:
    """Load ``files`` with the batch import, take a snapshot, empty the tables, load them again
    with the vectorized first load allowed, take a snapshot. ``then`` (imports that follow the
    first load) runs after each first load, and the snapshot is of its run."""
    keep = set(Person.objects.values_list("pk", flat=True))
    assert not VoterRecord.objects.exists()
    shots, watches = [], []
    for vectorized in (False, True):
        outcome, watch = run_once(monkeypatch, files, vectorized=vectorized)
        if then is not None:
            outcome = then()
        shots.append(snapshot(outcome.run, outcome.notes))
        watches.append(watch)
        wipe(keep)
    batch, fast = shots
    return batch, fast, watches[0], watches[1]


def assert_same(batch: dict[str, Any], fast: dict[str, Any]) -> None:
    assert batch == fast, "\n" + differences(batch, fast)


# -- a dirty file ------------------------------------------------------------------------------

# Each list of values a row can take: the ones that load first, then (after ``_OK[name]``
# of them) the ones that get the row rejected.
FIRST_NAMES = [
    "ANN", "ann", "  Ben  ", "o'BRIEN", "JOSÉ", "mary  jane", "", "Zoë", "ÉMILE", "d'angelo",
    "MC DONALD", "anne-marie", "GROß", "JOHN3RD", "\u00a0LUIS", "KIM\u2003LEE", "ǅOKO",
]  # fmt: skip
MIDDLE_NAMES = ["", "Q", "  lee ", "VAN DER", "o'"]
LAST_NAMES = [
    "SMITH", "smith", " Jones ", "o'neil", "GARCÍA", "NGUYEN-TRAN", "LONG" * 30, "de la cruz",
    "", "  ",
]  # fmt: skip
SUFFIXES = ["", "JR", " jr ", "III", "Sr.", "jr  ii", "X" * 25]
STATUSES = ["A", "a", " I ", "S", "D", "R", "X", ""]
PARTIES = ["DEM", "rep", " UNA", "LIB", "CST", "NLB", "JFA", "GRE", "gre", "XYZ", "", "D"]
COUNTIES = ["32", "92", "41", " 32 ", "032", "1", "100", "500", "0", "", "abc", "101", "-5"]
STREETS = [
    "100 MAIN ST", "100 Main St.", "100  main st", "12 OAK ST APT 4", "12 oak st apt 4",
    "12 OAK ST, APT 4", "9 ELM RD # 2B", "5  PINE   AVE", "7 BIRCH LN, UNIT 3", "",
    "1 A ST STE 100", "100 W 2ND ST", "PO BOX 12", "12 OAK ST APT#4", "3 MAPLE DR LOT 7-B",
    "44 CEDAR CT SUITE 5", "8 ASH WAY RM 12", "S" * 210, "15 ST. MARY'S RD", "2 APT",
]  # fmt: skip
CITIES = ["DURHAM", "durham ", "RALEIGH", "  chapel   hill", "", "WINSTON-SALEM", "C" * 110]
ZIPS = ["27701", "277011234", "27701-1234", " 27601", "", "27601 ", "2770", "ABCDE", "27 01"]


def _future(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).strftime("%m/%d/%Y")


REGISTERED = [
    "01/15/2010", " 03/04/2005 ", "02/29/2020", "01/01/1900", "",
    dt.date.today().strftime("%m/%d/%Y"), "1/5/2010", "13/45/2010", "01/01/1850",
    "12/31/2099", "02/29/2019", "2010-01-15", "12/31/1899", "00/10/2010", "+1/15/2010",
]  # fmt: skip
PHONES = [
    "", "(919) 555-0123", "919.555.0123", "19195550123", "+1 919 555 0123", "555-0123",
    "0195550123", "9195550123 x12", "1-800-555-0199", "29195550123", "919-555-O123",
]  # fmt: skip
_OK = {"last_name": 8, "status_cd": 6, "party_cd": 9, "county_id": 7, "zip_code": 6,
       "registr_dt": 6}  # fmt: skip
ELECTIONS = [
    ("11/08/2016", "11/08/2016 GENERAL"),
    ("11/03/2020", "11/03/2020 GENERAL"),
    ("11/05/2024", "11/05/2024 GENERAL"),
    ("03/03/2020", "03/03/2020 PRIMARY"),
    ("11/07/2023", "11/07/2023 MUNICIPAL"),
    ("11/05/2024", "  11/05/2024   general  "),
    ("11/03/2020", ""),
    ("11/08/2016", "A VERY LONG ELECTION NAME " * 4),
    ("11/07/2028", "11/07/2028 GENERAL"),
    ("99/99/2024", "99/99/2024 GENERAL"),
    ("11/5/2024", "11/5/2024 GENERAL"),
    ("", "NO DATE"),
]
METHODS = [
    "IN-PERSON", "ABSENTEE BY MAIL", "absentee onestop", " CURBSIDE ", "PROVISIONAL",
    "TRANSFER", "ABSENTEE", "ABSENTEE CURBSIDE", "ELECTRONIC", "", "ABSENTEE  BY MAIL",
]  # fmt: skip


def dirty_files(directory: Path, *, rows: int = 300, seed: int = 2024, name: str = "a") -> Files:
    """A few hundred voters and their ballots, full of what a county's export gets wrong."""
    rng = random.Random(seed)

    def pick(column: str, values: list[str]) -> str:
        # One field in twelve takes a value that rejects the row.
        ok = _OK.get(column, len(values))
        return rng.choice(values if rng.random() < 1 / 12 else values[:ok])

    voters: list[dict[str, str]] = []
    for i in range(rows):
        if i < 5:  # clean: the newer file of a later test changes them
            voters.append({"ncid": f"V{i:04d}", "first_name": FIRST_NAMES[i], "zip_code": "27701"})
            continue
        voters.append(
            {
                "ncid": f"V{i:04d}",
                "first_name": pick("first_name", FIRST_NAMES),
                "middle_name": pick("middle_name", MIDDLE_NAMES),
                "last_name": pick("last_name", LAST_NAMES),
                "name_suffix_lbl": pick("name_suffix_lbl", SUFFIXES),
                "status_cd": pick("status_cd", STATUSES),
                "party_cd": pick("party_cd", PARTIES),
                "county_id": pick("county_id", COUNTIES),
                "res_street_address": pick("res_street_address", STREETS),
                "res_city_desc": pick("res_city_desc", CITIES),
                "zip_code": pick("zip_code", ZIPS),
                "registr_dt": pick("registr_dt", REGISTERED),
                "full_phone_number": pick("full_phone_number", PHONES),
            }
        )
    # Ids in odd case and with spaces, an id too long, a missing one; duplicates: the first
    # line of an id wins, also when it differs from a later one only in case, and a rejected
    # first line leaves the id to the next.
    voters[5]["ncid"] = " v0005x "
    voters[6]["ncid"] = "V0005X"
    voters[7]["ncid"] = "X" * 41
    voters[8]["ncid"] = ""
    voters[9]["ncid"] = "x" * 40
    voters += [
        {**voters[10], "first_name": "TWIN"},
        {**voters[11], "ncid": voters[11]["ncid"].lower(), "last_name": "LOWERCASE TWIN"},
        {"ncid": "DUP1", "registr_dt": "13/45/2010"},
        {"ncid": "DUP1", "first_name": "SECOND"},
        {"ncid": "DUP1", "first_name": "THIRD"},
        {"ncid": "FUTURE", "registr_dt": _future(30)},
        {"ncid": "TOMORROW", "registr_dt": _future(1)},
    ]
    # Households: several voters at one address, spelled differently, some in another county.
    for n in range(20, 30):
        voters[n].update(
            res_street_address="100 main st.", res_city_desc="Durham", zip_code="27701"
        )
    voters[30].update(res_street_address="100 MAIN ST", county_id="92", zip_code="27701")

    ids = [v["ncid"] for v in voters]
    lines: list[str] = []
    for voter_id in ids:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4])):
            day, desc = rng.choice(ELECTIONS[:9] if rng.random() < 0.9 else ELECTIONS)
            method = rng.choice(METHODS[:8] if rng.random() < 0.9 else METHODS)
            lines.append(history_line(voter_id, day, method, desc))
    lines += [
        # The same voter and election twice (the first line wins), also in another spelling.
        history_line("V0001", "11/05/2024", "ABSENTEE BY MAIL"),
        history_line("V0001", "11/05/2024", "IN-PERSON"),
        history_line("v0001 ", "11/05/2024", "PROVISIONAL", "11/05/2024 OTHER NAME"),
        history_line("V0002", "11/03/2020", "ELECTRONIC"),  # unknown method, then a good one
        history_line("V0002", "11/03/2020", "ABSENTEE ONESTOP"),
        history_line("", "11/05/2024"),
        history_line("   ", "11/05/2024"),
        history_line("NOBODY", "11/05/2024"),
        history_line("NOBODY", "11/03/2020"),
        history_line("X" * 41, "11/05/2024"),
        history_line("DUP1", "11/08/2016"),
        history_line("dup1", "11/03/2020", "absentee by mail"),
        history_line("V0005X", "11/05/2024"),
        history_line("V0003", "11/07/2023", "IN-PERSON", "11/07/2023 MUNICIPAL"),
        history_line("V0003", "11/07/2023", "IN-PERSON", "11/07/2023 SECOND"),
    ]
    rng.shuffle(lines)
    return write_pair(directory, voters, lines, name=name)


def test_a_dirty_file_loads_the_same_through_the_first_load_as_through_batches(
    campaign, tmp_path, monkeypatch
):
    files = dirty_files(tmp_path)
    batch, fast, batch_watch, fast_watch = both_ways(monkeypatch, files)
    assert not batch_watch.calls  # switched off: the batch import
    assert fast_watch.taken, fast_watch.calls
    # The file is as dirty as meant: rows rejected for many reasons, households shared.
    reasons = {reason.split("'")[0] for *_, reason, _ in batch["row_errors"]}
    assert len(reasons) >= 8, reasons
    assert batch["run"]["rows_rejected"] > 20
    assert max(len(ids) for ids in batch["households"]) >= 10
    assert batch["run"]["history_new"] > 100
    assert {v["record"]["general_votes"] for v in batch["voters"].values()} >= {0, 1, 2}
    assert_same(batch, fast)


def test_rules_applied_by_worker_processes_give_the_same_load(campaign, tmp_path, monkeypatch):
    # A state's file has millions of distinct values, which forked workers apply the rules to
    # in chunks; here every rule goes to them, seven values a chunk.
    monkeypatch.setattr(firstload, "_PARALLEL_FROM", 0)
    monkeypatch.setattr(firstload, "_FETCH", 7)
    pools: list[Any] = []
    workers = firstload._FirstLoad._workers

    def watched(self: Any) -> Any:
        pools.append(workers(self))
        return pools[-1]

    monkeypatch.setattr(firstload._FirstLoad, "_workers", watched)
    batch, fast, _, fast_watch = both_ways(monkeypatch, dirty_files(tmp_path))
    assert fast_watch.taken, fast_watch.calls
    assert pools
    assert all(pool is not None for pool in pools)
    assert_same(batch, fast)
    assert not firstload._RULES  # the workers are gone and their rules with them


# -- generated files ---------------------------------------------------------------------------

_ids = st.sampled_from(["G1", "G2", "g2", " G3 ", "G4", "G5", "G6", "X" * 41, ""])


def _values(column: str, values: list[str]) -> st.SearchStrategy[str]:
    ok = _OK.get(column, len(values))
    return st.sampled_from(values[:ok] * 4 + values[ok:])  # mostly values that load


_voter = st.fixed_dictionaries(
    {
        "ncid": _ids,
        "first_name": st.sampled_from(FIRST_NAMES),
        "middle_name": st.sampled_from(MIDDLE_NAMES),
        "last_name": _values("last_name", LAST_NAMES),
        "name_suffix_lbl": st.sampled_from(SUFFIXES),
        "status_cd": _values("status_cd", STATUSES),
        "party_cd": _values("party_cd", PARTIES),
        "county_id": _values("county_id", COUNTIES),
        "res_street_address": st.sampled_from(STREETS),
        "res_city_desc": st.sampled_from(CITIES),
        "zip_code": _values("zip_code", ZIPS),
        "registr_dt": _values("registr_dt", REGISTERED),
        "full_phone_number": st.sampled_from(PHONES),
    }
)
_history = st.tuples(
    st.sampled_from(["G1", "G2", "g2", " G3 ", "G4", "G9", "X" * 41, ""]),
    st.sampled_from(ELECTIONS),
    st.sampled_from(METHODS),
)
_examples = iter(range(1_000_000))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    voters=st.lists(_voter, min_size=1, max_size=12),
    ballots=st.lists(_history, max_size=16),
)
def test_any_first_load_is_the_batch_import(campaign, tmp_path, monkeypatch, voters, ballots):
    # Hypothesis runs its examples in one test transaction: each starts from empty tables.
    wipe({campaign.alice.pk, campaign.bob.pk, campaign.nobody.pk})
    lines = [history_line(i, day, method, desc) for i, (day, desc), method in ballots]
    files = write_pair(tmp_path / str(next(_examples)), voters, lines)
    batch, fast, _, fast_watch = both_ways(monkeypatch, files)
    assert fast_watch.taken, fast_watch.calls
    assert_same(batch, fast)


# -- files the first load refuses, and other shapes of file ------------------------------------

CLEAN = [
    voter_line("C1", first_name="ANN", res_street_address="100 MAIN ST"),
    voter_line("C2", first_name="BEN", res_street_address="100 Main St."),
    voter_line("C3", first_name="CY", county_id="92", zip_code="27601", party_cd="REP"),
    voter_line("C4", first_name="DEE", registr_dt="13/45/2010"),
    voter_line("C5", first_name="ED", res_street_address="12 OAK ST APT 4"),
]
CLEAN_BALLOTS = [
    history_line("C1", "11/08/2016"),
    history_line("C1", "11/03/2020", "ABSENTEE BY MAIL"),
    history_line("C2", "03/03/2020", "ABSENTEE ONESTOP", "03/03/2020 PRIMARY"),
    history_line("C3", "11/05/2024"),
    history_line("C4", "11/05/2024"),
    history_line("NOBODY", "11/05/2024"),
]


def _refused_voters(kind: str) -> tuple[list[str], list[str], bytes | None, bytes | None]:
    """Voters and history lines, and bytes to add at the end of either file."""
    voters, ballots = list(CLEAN), list(CLEAN_BALLOTS)
    tail_v: bytes | None = None
    tail_h: bytes | None = None
    if kind == "extra_field":
        voters.insert(2, voter_line("C6", first_name="FAY") + "\textra")
    elif kind == "missing_fields":
        voters.insert(2, "\t".join(voter_line("C6").split("\t")[:10]))
    elif kind == "latin1":
        tail_v = voter_line("C6", first_name="REN\xc9E").encode("latin-1")
    elif kind == "truncated":
        tail_v = voter_line("C6").encode()[:120]
    elif kind == "history_extra_field":
        ballots.insert(1, history_line("C2", "11/05/2024") + "\textra")
    elif kind == "history_latin1":
        tail_h = history_line("C5", "11/05/2024", name="\xc9LECTION").encode("latin-1")
    elif kind == "history_truncated":
        tail_h = history_line("C5", "11/05/2024").encode()[:20]
    return voters, ballots, tail_v, tail_h


def _append(path: Path, tail: bytes | None) -> None:
    if tail is not None:
        path.write_bytes(path.read_bytes() + tail)  # no newline after: also the last line


REFUSED = [
    "extra_field",
    "missing_fields",
    "latin1",
    "truncated",
    "stray_quote",
    "history_extra_field",
    "history_latin1",
    "history_truncated",
]


@pytest.mark.parametrize("kind", REFUSED)
def test_a_file_the_first_load_refuses_loads_through_batches_with_the_same_result(
    campaign, tmp_path, monkeypatch, kind
):
    voters, ballots, tail_v, tail_h = _refused_voters(kind)
    voters_path, history_path = write_pair(tmp_path, voters, ballots)
    if kind == "stray_quote":  # a quoted file, one line of which leaves a field unquoted
        lines = [_quoted(line) for line in voters_path.read_text().splitlines()]
        lines[3] = lines[3].replace('"\t""\t"', '"\t\t"', 1)
        voters_path.write_text("\n".join(lines) + "\n")
    _append(voters_path, tail_v)
    _append(history_path, tail_h)
    batch, fast, _, fast_watch = both_ways(monkeypatch, (voters_path, history_path))
    assert_same(batch, fast)
    assert batch["run"]["rows_rejected"] >= 1
    assert fast_watch.calls, "the first load was not tried"
    assert not fast_watch.taken, fast_watch.calls
    nothing = {"voters": 0, "people": 0, "households": 0, "external_ids": 0, "ballots": 0}
    for call in fast_watch.calls:
        assert {k: call["counts"][k] for k in nothing} == nothing
        assert call["counts"]["row_errors"] == 0


def _quoted(line: str) -> str:
    return '"' + '"\t"'.join(line.split("\t")) + '"'


def _shape(kind: str, directory: Path) -> Files:
    voters, history = write_pair(directory, CLEAN, CLEAN_BALLOTS)
    if kind == "quoted":  # North Carolina's statewide files quote every field
        for path in (voters, history):
            lines = path.read_text().splitlines()
            path.write_text("\n".join(_quoted(line) for line in lines) + "\n")
    elif kind == "crlf":
        for path in (voters, history):
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    elif kind == "bom":
        voters.write_bytes(b"\xef\xbb\xbf" + voters.read_bytes())
    elif kind == "blank_lines":
        for path in (voters, history):
            lines = path.read_text().splitlines()
            lines.insert(2, "")
            lines.insert(4, "   ")
            path.write_text("\n".join(lines) + "\n\n")
    elif kind == "no_final_newline":
        for path in (voters, history):
            path.write_text(path.read_text().rstrip("\n"))
    elif kind == "extra_column":
        lines = voters.read_text().splitlines()
        voters.write_text("\n".join(f"{line}\tEXTRA{i}" for i, line in enumerate(lines)) + "\n")
    elif kind == "reordered_columns":
        for path in (voters, history):
            rows = [line.split("\t") for line in path.read_text().splitlines()]
            path.write_text("\n".join("\t".join(reversed(r)) for r in rows) + "\n")
    elif kind == "inner_quote":  # read as it stands, in a file that quotes nothing
        lines = voters.read_text().splitlines()
        lines.insert(2, voter_line("C6", first_name='FAY "FIFI', last_name='O"NEIL'))
        lines.insert(3, voter_line("C7", first_name='"FAY"'))
        voters.write_text("\n".join(lines) + "\n")
    elif kind == "header_only":
        voters.write_text("\t".join(nc.COLUMNS) + "\n")
    elif kind == "no_history":
        return voters, None
    return voters, history


SHAPES = [
    "quoted",
    "crlf",
    "bom",
    "blank_lines",
    "no_final_newline",
    "extra_column",
    "reordered_columns",
    "inner_quote",
    "header_only",
    "no_history",
]


@pytest.mark.parametrize("kind", SHAPES)
def test_other_shapes_of_file_load_the_same_by_either_path(campaign, tmp_path, monkeypatch, kind):
    files = _shape(kind, tmp_path)
    batch, fast, _, fast_watch = both_ways(monkeypatch, files)
    assert_same(batch, fast)
    for call in fast_watch.calls:
        if not call["loaded"]:
            assert call["counts"]["voters"] == call["counts"]["row_errors"] == 0


# -- the imports after a first load ------------------------------------------------------------


def test_the_same_files_after_a_first_load_change_nothing(campaign, tmp_path, monkeypatch):
    files = dirty_files(tmp_path)
    first, watch = run_once(monkeypatch, files, vectorized=True)
    assert watch.taken
    before = snapshot(first.run, first.notes)
    audit = AuditEvent.objects.count()
    again = nc_import(*files)
    assert again.already_imported
    assert again.run.pk == first.run.pk
    assert VoterImport.objects.count() == 1
    assert AuditEvent.objects.count() == audit
    assert_same(before, snapshot(first.run, first.notes))


def test_a_newer_file_after_a_first_load_records_the_changes_a_batch_load_would(
    campaign, tmp_path, monkeypatch
):
    old = dirty_files(tmp_path, name="old")
    keep = {"V0000", "V0002", "V0003", "V0004"}
    rows = [
        voter_line("V0000", county_id="41", res_street_address="5 ELM ST",
                   res_city_desc="GREENSBORO", zip_code="27401"),  # moved
        voter_line("V0002", status_cd="I", party_cd="UNA"),
        voter_line("V0003", first_name="renamed"),
        voter_line("V0004"),
        voter_line("NEW1", first_name="NEW", res_street_address="100 MAIN ST"),
    ]  # fmt: skip
    # The rest of the old file, but for V0001, no longer listed.
    old_lines = old[0].read_text().splitlines()[1:]
    rest = [line for line in old_lines if line.split("\t")[3].strip().upper() not in keep]
    rest = [line for line in rest if line.split("\t")[3] != "V0001"]
    assert len(rest) == len(old_lines) - 5
    ballots = old[1].read_text().splitlines()[1:]
    ballots += [history_line("V0000", "11/05/2024"), history_line("NEW1", "11/03/2020")]
    newer = write_pair(tmp_path, [*rows, *rest], ballots, name="new")

    def then() -> Any:
        again = nc_import(*old)
        assert again.already_imported
        return nc_import(*newer)

    batch, fast, _, fast_watch = both_ways(monkeypatch, old, then=then)
    assert fast_watch.taken
    assert len(fast_watch.calls) == 1  # the newer file is no first load
    kinds = {(voter, kind) for voter, kind, _, _ in batch["changes"]}
    assert {("V0000", "moved"), ("V0001", "missing"), ("V0003", "name")} <= kinds
    assert batch["run"]["rows_new"] >= 1
    assert batch["run"]["marked_missing"] >= 1
    assert_same(batch, fast)
