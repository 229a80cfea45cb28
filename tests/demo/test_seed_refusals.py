"""What seeding refuses: an unknown scale, and a seed stopped half way taken for a campaign.
Each test seeds (or tries to) an empty database of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groundgame.demo import seed, voters
from groundgame.runtime import CliError


@pytest.fixture
def empty(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("GROUNDGAME_HOME", str(tmp_path))
    # Staff passwords are hashed on purpose slowly; the test needs accounts, not that cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_unknown_scale_is_refused(empty):
    with pytest.raises(ValueError, match="unknown scale"):
        seed.seed_campaign(scale="galactic")
    assert not seed.campaign_is_seeded()


def test_a_seed_stopped_half_way_is_reported_not_taken_for_a_campaign(empty, monkeypatch):
    load = voters.voter_file_load

    def stop_after_the_first_batch(**kwargs):  # type: ignore[no-untyped-def]
        load(**{**kwargs, "voters": 10})
        raise KeyboardInterrupt  # as if Ctrl-C came during the next batch

    monkeypatch.setattr(voters, "voter_file_load", stop_after_the_first_batch)
    with pytest.raises(KeyboardInterrupt):
        seed.seed_campaign(scale="tiny")
    with pytest.raises(CliError, match="stopped before it finished"):
        seed.campaign_is_seeded()
