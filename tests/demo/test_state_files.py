"""Synthetic files in the states' layouts: the states' shapes and codes, the same files for
the same seed."""

from __future__ import annotations

import pytest

from groundgame.demo import state_files
from groundgame.people.voterfile import layouts


@pytest.mark.parametrize("name", sorted(state_files.WRITERS))
def test_files_have_the_layouts_shape_and_codes(tmp_path, name):
    layout = layouts.get(name)
    files = state_files.write(name, tmp_path, rows=300, seed=3, dirty_rate=0.0)
    assert files.rejected == ()
    assert files.loaded == files.voters == 300
    voters = files.voters_path.read_text(encoding="utf-8").splitlines()
    history = (
        files.history_path.read_text(encoding="utf-8").splitlines() if files.history_path else []
    )
    assert len(voters) == 300 + layout.header
    assert len(history) == files.history + (layout.shape("history").header and bool(history))
    if layout.header:
        assert voters[0].startswith(layout.delimiter.join(layout.columns))
    else:
        assert len(voters[0].split(layout.delimiter)) == len(layout.columns)
    widths = layout.shape("history").widths
    if widths:  # fixed width: every line is as long as the widths say
        assert {len(line) for line in history} == {sum(widths)}
    elif name == "pa":  # the election map: each county's elections
        assert len(history) == 67 * len(state_files.WRITERS["pa"].elections)
    assert 0 < files.households < files.voters
    assert files.ballots > files.voters


@pytest.mark.parametrize("name", sorted(state_files.WRITERS))
def test_the_same_seed_writes_the_same_files(tmp_path, name):
    a = state_files.write(name, tmp_path / "a", rows=200, seed=5, dirty_rate=0.05)
    b = state_files.write(name, tmp_path / "b", rows=200, seed=5, dirty_rate=0.05)
    assert a.voters_path.read_bytes() == b.voters_path.read_bytes()
    if a.history_path and b.history_path:
        assert a.history_path.read_bytes() == b.history_path.read_bytes()
    assert a.rejected == b.rejected
