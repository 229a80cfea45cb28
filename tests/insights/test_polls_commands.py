"""``groundgame polls average``, ``polls import`` and ``insights backtest`` as a campaign runs
them: the exact columns out, only polls that ended by the date, one-line errors with exit
code 2 for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.helpers import shared_data
from tests.insights.builders import poll_csv, question
from tests.test_cli import assert_one_line_error, run

pytestmark = pytest.mark.slow

COLUMNS = ["state", "dem_pct", "rep_pct", "margin", "margin_lo80", "margin_hi80", "polls"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module's commands, so the database is migrated once."""
    return tmp_path_factory.mktemp("home")


def test_the_average_of_a_file_as_of_a_date(home: Path, tmp_path: Path) -> None:
    polls = tmp_path / "polls.csv"
    polls.write_text(
        poll_csv(
            question(1, 1, end="10/3/24"),
            question(2, 2, end="10/4/24", dem=("Harris", "44"), rep=("Trump", "50")),
            question(3, 3, state="", end="10/2/24"),
            # Ended after the date: left out.
            question(4, 4, state="Ohio", end="10/9/24"),
            question(5, 5, state="Narnia"),
        )
    )
    out = tmp_path / "out.csv"
    result = run(
        "polls", "average", str(polls), "--as-of", "2024-10-05", "--out", str(out), home=home
    )
    assert result.returncode == 0, result.stderr
    with out.open(newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == COLUMNS
    body = {row[0]: row for row in rows[1:]}
    assert sorted(body) == ["", "NC"]
    nc = body["NC"]
    assert nc[6] == "2"
    dem, rep, margin, lo, hi = (float(v) for v in nc[1:6])
    assert abs(dem - rep - margin) < 0.02
    assert lo < margin < hi


def test_a_file_without_the_columns_is_one_line(home: Path, tmp_path: Path) -> None:
    polls = tmp_path / "polls.csv"
    polls.write_text("question_id,poll_id,state\n1,1,NC\n")
    result = run(
        "polls", "average", str(polls), "--as-of", "2024-10-05", "--out", "x.csv", home=home
    )
    assert_one_line_error(result, "lacks the columns", "pollster", "pct")
    assert_one_line_error(run("polls", "import", str(polls), home=home), "lacks the columns")


def test_a_bad_date_and_a_missing_file_are_one_line(home: Path, tmp_path: Path) -> None:
    bad_date = run("polls", "average", "p.csv", "--as-of", "Nov 5", "--out", "x.csv", home=home)
    assert_one_line_error(bad_date, "not a date")
    missing = run(
        "polls", "average", str(tmp_path / "none.csv"), "--as-of", "2024-10-05", "--out", "x.csv",
        home=home,
    )  # fmt: skip
    assert_one_line_error(missing, "cannot read")


def test_importing_reports_the_lines_not_read(home: Path, tmp_path: Path) -> None:
    polls = tmp_path / "polls.csv"
    polls.write_text(poll_csv(question(11, 11), question(12, 12, dem=("Harris", "140"))))
    first = run("polls", "import", str(polls), home=home)
    assert first.returncode == 0, first.stderr
    assert "1 added" in first.stdout
    assert "line 4: pct 140 is not a percentage between 0 and 100" in first.stdout
    again = run("polls", "import", str(polls), home=home)
    assert "0 added, 0 changed, 1 unchanged" in again.stdout


def test_the_2020_file_as_of_october_20(home: Path, tmp_path: Path) -> None:
    polls = shared_data("polls", "president_polls_2020_to_2020-10-21_538.csv")
    out = tmp_path / "out.csv"
    result = run(
        "polls", "average", str(polls), "--as-of", "2020-10-20", "--out", str(out), home=home
    )
    assert result.returncode == 0, result.stderr
    with out.open(newline="") as stream:
        rows = {row["state"]: row for row in csv.DictReader(stream)}
    assert len(rows) == 52  # the nation, 50 states and DC
    # The polls' famous lean: Wisconsin's average far from its certified Biden +0.6.
    assert float(rows["WI"]["margin"]) > 5
    assert float(rows[""]["margin"]) > 7


def test_the_backtest_prints_the_polling_averages_figures(home: Path) -> None:
    shared_data("polls")
    result = run("insights", "backtest", "--only", "polling_average", home=home)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["polling_average"]
    for year in ("2016", "2020"):
        assert sorted(figures[year]["weeks_out"]) == ["1w", "2w", "4w", "8w"]
        week = figures[year]["weeks_out"]["1w"]
        assert week["states"] >= 45
        assert {"mae", "bias", "coverage80", "plain14_mae"} <= week.keys()
    assert figures["overall"]["coverage80"] > figures["overall"]["coverage80_sampling_only"]
    unknown = run("insights", "backtest", "--only", "nowcast", home=home)
    assert_one_line_error(unknown, "No backtest named nowcast")
