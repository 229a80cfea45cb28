"""Loading the public election files: idempotent, every refused row named, nothing half
loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import NotFound
from groundgame.insights import errors, results_analysis, selectors, services
from groundgame.insights.models import CountyBallots, CountyReturn, StateCandidateReturn

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return (
        CountyReturn.objects.count(),
        CountyBallots.objects.count(),
        StateCandidateReturn.objects.count(),
    )


def test_loading_twice_changes_nothing(election_files: Path) -> None:
    services.election_files_load(actor=None, data_dir=election_files)
    first = _counts()
    assert first == (3 + 9, 9, 10)  # 2012 from MEDSL and 2016-2024; three EAVS years
    services.election_files_load(actor=None, data_dir=election_files)
    assert _counts() == first
    durham = CountyReturn.objects.get(year=2012, county_fips="37063")
    assert (durham.votes_dem, durham.total_votes) == (70_000, 140_000)
    assert durham.source_file == "county_president_2000_2016_medsl.csv"
    assert durham.source_row == 2
    assert AuditEvent.objects.filter(action="election_file.load").count() == 12


def test_bad_rows_are_refused_with_their_line_and_reason(election_files: Path) -> None:
    path = election_files / "county_president_2016_2020_2024.csv"
    with path.open("a") as out:
        out.write("2024,99001,ZZ,Nowhere,1,1,0,2,test\n")
        out.write("2024,37001,NC,Alamance,-5,10,0,100,test\n")
        out.write("2024,37003,NC,Alexander,90,20,0,100,test\n")
    (election_files / "eavs_county_ballots_by_method_2018.csv").write_text("fips,total_part\n1,2\n")
    loads = {
        load.file_name: load
        for load in services.election_files_load(actor=None, data_dir=election_files)
    }
    refused = [(r.line, r.reason) for r in loads["county_president_2016_2020_2024.csv"].refusals]
    assert refused == [
        (11, "fips: 99001 is in no state (unknown state code 99)"),
        (12, "votes_dem: -5 is negative"),
        (13, "total_votes: 100 is less than the two parties' 110"),
    ]
    eavs = loads["eavs_county_ballots_by_method_2018.csv"]
    assert eavs.rows == 0
    assert "missing columns: election_year" in eavs.refusals[0].reason
    # The good rows landed; the refused ones are kept on the load for the page to show.
    assert CountyReturn.objects.filter(year=2024).count() == 3
    kept = {load.file_name: load for load in selectors.election_file_loads()}
    assert len(kept["county_president_2016_2020_2024.csv"].refusals) == 3


def test_a_folder_without_the_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as missing:
        services.election_files_load(actor=None, data_dir=tmp_path / "none")
    assert missing.value.code == errors.DATA_NOT_FOUND
    with pytest.raises(NotFound):
        services.election_files_load(actor=None, data_dir=tmp_path)
    assert _counts() == (0, 0, 0)


def test_the_loader_reads_the_public_files(db: Any) -> None:
    from tests.helpers import shared_data

    folder = shared_data("elections")
    loads = {
        load.file_name: load for load in services.election_files_load(actor=None, data_dir=folder)
    }
    assert loads["county_president_2016_2020_2024.csv"].rows > 9_000
    national = {y.year: y for y in results_analysis.turnout_by_year()}
    # The data set's own national sums: Biden 81,264,994 in 2020, Harris 75,006,739 in 2024.
    assert national[2020].dem == 81_264_994
    assert national[2024].dem == 75_006_739
