"""``groundgame turnout project``, ``results third-party``, ``insights load`` and
``insights backtest``: their files, and bad input refused row by row with exit code 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from groundgame import cli
from groundgame.insights import selectors
from tests.helpers import shared_data

pytestmark = pytest.mark.django_db

YEAR = selectors.election_year()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_project_writes_each_county_with_its_interval(election_data: Any, tmp_path: Path) -> None:
    early = tmp_path / "early.csv"
    early.write_text("county_fips,early_ballots\n37063,150000\n37183,520000\n")
    out = tmp_path / "out.csv"
    assert cli.main(["turnout", "project", "--early", str(early), "--out", str(out)]) == 0
    rows = _rows(out)
    assert [r["county_fips"] for r in rows] == ["37063", "37183"]
    for row in rows:
        assert int(row["lo80"]) <= int(row["projected_total"]) <= int(row["hi80"])
        assert int(row["lo80"]) >= 150_000


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("county,early\n37063,1\n", ["line 1: missing columns: county_fips, early_ballots"]),
        (
            "county_fips,early_ballots\n99999,1\n37001,1\n37063,-2\n",
            [
                "line 2: county_fips: 99999 is in no state",
                "line 3: county_fips: 37001 is not a county with past returns held",
                "line 4: early_ballots: -2 is negative",
            ],
        ),
    ],
)
def test_project_refuses_bad_rows_and_writes_nothing(
    election_data: Any, tmp_path: Path, capsys: Any, text: str, reasons: list[str]
) -> None:
    early = tmp_path / "early.csv"
    early.write_text(text)
    out = tmp_path / "out.csv"
    assert cli.main(["turnout", "project", "--early", str(early), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for reason in reasons:
        assert reason in err
    assert "Traceback" not in err
    assert not out.exists()


def test_project_of_a_file_that_is_not_there(tmp_path: Path, capsys: Any) -> None:
    args = [
        "turnout",
        "project",
        "--early",
        str(tmp_path / "none.csv"),
        "--out",
        str(tmp_path / "o"),
    ]
    assert cli.main(args) == 2
    assert "--early: cannot read" in capsys.readouterr().err


def test_third_party_against_the_margin(election_data: Any, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "third.csv"
    args = ["results", "third-party", "--year", "2024", "--states", "MI,NC,WI", "--out", str(out)]
    assert cli.main(args) == 0
    assert _rows(out) == [
        {
            "state": "MI",
            "winner": "TRUMP, DONALD J.",
            "margin": "80103",
            "third_party_votes": "103017",
            "exceeds_margin": "True",
        },
        {
            "state": "NC",
            "winner": "TRUMP, DONALD J.",
            "margin": "183048",
            "third_party_votes": "46887",
            "exceeds_margin": "False",
        },
    ]
    assert "no 2024 returns held for WI" in capsys.readouterr().err
    assert (
        cli.main(
            ["results", "third-party", "--year", "2024", "--states", "MI,ZZ", "--out", str(out)]
        )
        == 2
    )
    assert cli.main(["results", "third-party", "--year", "1999", "--out", str(out)]) == 2


def test_load_and_backtest_on_the_public_files(tmp_path: Path, capsys: Any, settings: Any) -> None:
    settings.GROUNDGAME_PUBLIC_DATA = str(shared_data())
    assert cli.main(["insights", "backtest"]) == 0
    figures = json.loads(capsys.readouterr().out)["early_vote"]
    for trial in ("2016_to_2020", "2024_six_states"):
        overall = figures[trial]["all"]
        # The projection beats dividing by the last early share by far, and its 80%
        # intervals hold at least three counties in four.
        assert (
            overall["county_median_abs_error_pct"]
            < overall["naive_county_median_abs_error_pct"] / 2
        )
        assert overall["coverage80"] >= 0.75
    assert set(figures["2024_six_states"]["states"]) == {"AL", "AR", "CT", "DE", "HI"}
    assert cli.main(["insights", "load", "--data", str(tmp_path / "none")]) == 2
    settings.GROUNDGAME_PUBLIC_DATA = str(tmp_path)
    assert cli.main(["insights", "backtest"]) == 2
    assert "GROUNDGAME_PUBLIC_DATA" in capsys.readouterr().err
