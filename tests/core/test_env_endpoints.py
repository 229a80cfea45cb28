"""Webhook endpoints from the environment: each with its own credentials, and a malformed
entry stops the start naming the entry, never the password."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from groundgame.core import env


def test_endpoints_are_read_with_their_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_ENDPOINTS", "main=actblue:s3:cret,events=ab2:other")
    assert env.env_endpoints("X_ENDPOINTS") == {
        "main": ("actblue", "s3:cret"),
        "events": ("ab2", "other"),
    }
    monkeypatch.delenv("X_ENDPOINTS")
    assert env.env_endpoints("X_ENDPOINTS") == {}


@pytest.mark.parametrize("value", ["main=actblue", "Main=a:b", "=a:b", "main=:secret-value"])
def test_a_malformed_entry_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("X_ENDPOINTS", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        env.env_endpoints("X_ENDPOINTS")
    assert "X_ENDPOINTS" in str(caught.value)
    assert "secret-value" not in str(caught.value)
