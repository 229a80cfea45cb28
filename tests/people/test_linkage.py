"""Batch linkage: `groundgame people link` on two files, and its quality on a synthetic pair
with a known truth."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from groundgame.bench import match as bench
from groundgame.cli import main


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_unknown_columns_are_one_line_naming_them(tmp_path, capsys):
    left = _write(tmp_path / "l.csv", [{"id": "1", "first_name": "A", "shoe_size": "9"}])
    right = _write(tmp_path / "r.csv", [{"id": "1", "first_name": "A"}])
    code = main(["people", "link", str(left), str(right), "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "shoe_size" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.csv").exists()


def test_missing_file_and_bad_threshold_are_one_line(tmp_path, capsys):
    right = _write(tmp_path / "r.csv", [{"id": "1", "first_name": "A"}])
    out = str(tmp_path / "o.csv")
    assert main(["people", "link", str(tmp_path / "nope.csv"), str(right), "--out", out]) == 2
    assert main(["people", "link", str(right), str(right), "--out", out, "--threshold", "7"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_links_the_same_people_and_not_namesakes(tmp_path):
    left = _write(
        tmp_path / "l.csv",
        [
            {"id": "a", "first_name": "William", "last_name": "Okonkwo", "dob": "1970-03-14",
             "street": "12 Oak Street", "city": "Durham", "state": "NC", "zip": "27701"},
            {"id": "b", "first_name": "Maria", "last_name": "Garcia", "dob": "1985-07-04",
             "street": "9 Elm St", "city": "Raleigh", "state": "NC", "zip": "27601"},
        ],
    )  # fmt: skip
    right = _write(
        tmp_path / "r.csv",
        [
            {"id": "1", "first_name": "Bill", "last_name": "Okonkow", "dob": "03/14/1970",
             "street": "12 Oak St", "city": "Durham", "state": "NC", "zip": "27701-1234"},
            {"id": "2", "first_name": "Maria", "last_name": "Garcia", "dob": "1962-01-30",
             "street": "400 Pine Rd", "city": "Tucson", "state": "AZ", "zip": "85701"},
        ],
    )  # fmt: skip
    out = tmp_path / "pairs.csv"
    assert main(["people", "link", str(left), str(right), "--out", str(out)]) == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["left_id"], r["right_id"]) for r in rows] == [("a", "1")]
    assert float(rows[0]["score"]) >= 0.9


@pytest.mark.slow
def test_precision_and_recall_on_a_synthetic_pair(tmp_path):
    left, right = tmp_path / "l.csv", tmp_path / "r.csv"
    truth = bench._write_files(random.Random(7), 3000, left, right)
    found, _ = bench._ours(left, right, tmp_path / "pairs.csv")
    quality = bench._quality(found, truth)
    # What the model reaches on such files (0.99+ and 0.96+ across seeds), with a margin.
    assert quality["precision"] >= 0.99, quality
    assert quality["recall"] >= 0.95, quality
