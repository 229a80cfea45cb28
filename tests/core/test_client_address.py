"""The client's address behind a load balancer, the sign-in lockout there, and the
production settings that `check --deploy` reviews."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client, RequestFactory

from groundgame.core import client_address
from tests.conftest import PASSWORD

BALANCERS = [ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd00::/8")]


@pytest.fixture
def behind_balancer(settings: Any) -> None:
    settings.GROUNDGAME_TRUSTED_PROXIES = BALANCERS


def _of(remote: str, forwarded: str | None = None) -> str:
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address.of(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("198.51.100.7", None, "198.51.100.7"),  # straight to the app
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # a client's own header: ignored
        ("10.1.0.5", "203.0.113.9", "203.0.113.9"),  # from the balancer: believed
        ("10.1.0.5", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client prepended
        ("10.1.0.5", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two balancers in a row
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
        ("10.1.0.5", "not-an-address", "10.1.0.5"),
        ("10.1.0.5", "", "10.1.0.5"),
        ("10.1.0.5", None, "10.1.0.5"),
    ],
)
def test_the_client_is_the_last_address_no_balancer_added(
    behind_balancer: None, remote: str, forwarded: str | None, client: str
) -> None:
    assert _of(remote, forwarded) == client


def test_without_trusted_proxies_the_header_means_nothing(settings: Any) -> None:
    settings.GROUNDGAME_TRUSTED_PROXIES = []
    assert _of("10.1.0.5", "203.0.113.9") == "10.1.0.5"


@pytest.mark.django_db
def test_guessing_behind_the_balancer_locks_out_the_guesser_not_everyone(
    behind_balancer: None, campaign: Any, make_staff: Any
) -> None:
    """Before, every request had the balancer's address: 20 failures locked every account."""
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    guesser = Client(REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for n in range(25):
        guesser.post("/login/", {"username": f"user{n}", "password": "wrong-password-here"})
    assert guesser.post("/login/", {"username": "x", "password": "y"}).status_code == 429

    olivia = Client(REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = olivia.post("/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302


PRODUCTION = {
    "GROUNDGAME_SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuv",
    "GROUNDGAME_ALLOWED_HOSTS": "campaign.example.org",
    "GROUNDGAME_CSRF_TRUSTED_ORIGINS": "https://campaign.example.org",
    "GROUNDGAME_HTTPS": "true",
    "GROUNDGAME_TRUSTED_PROXIES": "10.0.0.0/8",
}


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path: Any) -> None:
    # The run's own settings stay out, and so does the browser tests' permission for
    # synchronous database access from async code, which a deployment never sets.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GROUNDGAME_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        PRODUCTION, GROUNDGAME_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="groundgame.settings"
    )
    check = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout


@pytest.mark.django_db
def test_over_https_plain_http_is_redirected_but_the_health_probe_is_not(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.GROUNDGAME_TRUSTED_PROXIES = BALANCERS
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = Client(REMOTE_ADDR="10.1.0.5")
    assert plain.get("/login/").status_code == 301
    assert plain.get("/healthz").status_code in (200, 503)
    forwarded = Client(REMOTE_ADDR="10.1.0.5", HTTP_X_FORWARDED_PROTO="https")
    assert forwarded.get("/login/").status_code == 200
