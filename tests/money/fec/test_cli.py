"""``groundgame fec report`` answers a committee it does not know with one line."""

from __future__ import annotations

from tests.test_cli import assert_one_line_error, run


def test_an_unknown_committee_is_one_line(tmp_path):
    result = run("fec", "report", "--committee", "C00000999", "--period", "2026Q3", home=tmp_path)
    assert_one_line_error(result, "No committee has the FEC id", "C00000999")
    assert not list(tmp_path.glob("*.fec"))
