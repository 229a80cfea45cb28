"""Synthetic North Carolina files: the public layout, realistic values, dirt at the rate asked."""

from __future__ import annotations

import csv

from groundgame.demo import voter_files
from groundgame.people.models import VoterImportRowError, VoterRecord
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile.layouts import nc


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t"))


def test_files_have_the_layouts_headers_and_codes(tmp_path):
    files = voter_files.write_nc(tmp_path, rows=2_000, seed=7, dirty_rate=0.0)
    voters, history = _rows(files.voters_path), _rows(files.history_path)
    assert tuple(voters[0]) == nc.COLUMNS
    assert tuple(history[0]) == nc.HISTORY_COLUMNS
    assert len(voters) - 1 == files.voters == 2_000
    assert len(history) - 1 == files.history
    assert files.households < files.voters
    index = {c: i for i, c in enumerate(nc.COLUMNS)}
    for row in voters[1:]:
        assert len(row) == len(nc.COLUMNS)
        assert row[index["party_cd"]] in nc.PARTY_CODES
        assert row[index["status_cd"]] in nc.STATUS_CODES
        assert nc.LAYOUT.county_fips(row[index["county_id"]]) is not None
        phone = row[index["full_phone_number"]]
        assert not phone or phone[3:7] == "5550"
    dates = {r[3] for r in history[1:]}
    assert {"11/08/2016", "11/03/2020", "11/05/2024"} <= dates
    assert any("PRIMARY" in r[4] for r in history[1:])
    assert {r[5] for r in history[1:]} <= set(nc.METHOD_CODES)


def test_the_same_seed_writes_the_same_files(tmp_path):
    a = voter_files.write_nc(tmp_path / "a", rows=500, seed=3)
    b = voter_files.write_nc(tmp_path / "b", rows=500, seed=3)
    assert a.voters_path.read_bytes() == b.voters_path.read_bytes()
    assert a.history_path.read_bytes() == b.history_path.read_bytes()


def test_dirty_rows_are_rejected_by_the_importer_and_the_rest_load(db, tmp_path):
    files = voter_files.write_nc(tmp_path, rows=3_000, seed=11, dirty_rate=0.05)
    assert 0 < files.rejected < 300
    run = voter_file_import(
        actor=None, layout="nc", voters=files.voters_path, history=files.history_path
    ).run
    assert run.rows_read == files.voters
    assert run.rows_rejected == files.rejected
    assert VoterRecord.objects.count() == files.voters - files.rejected
    assert VoterImportRowError.objects.filter(file="voters").count() == files.rejected
