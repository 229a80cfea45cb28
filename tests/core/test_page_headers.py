"""What every answer tells the browser: a Content-Security-Policy that runs only the site's
own scripts (the embeddable form excepted from framing rules alone), no caching of anything
a signed-in user or the API sees, and staff sessions that end."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client

from groundgame.core import middleware
from groundgame.volunteers import services as volunteers_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(campaign: Any) -> Any:
    signup = volunteers_services.signup_form_create(
        actor=None, title="Join the team", org_unit=campaign.nc, questions=[], source="web"
    )
    return volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)


def _policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d for d in (part.strip() for part in header.split(";")) if d}


def test_staff_pages_run_only_the_sites_own_scripts(organizer_client: Client) -> None:
    page = organizer_client.get("/people/universes/")
    policy = _policy(page)
    assert policy["script-src"].startswith("script-src 'self' 'nonce-")
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    # The one inline script carries this answer's nonce, and only it.
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)  # type: ignore[union-attr]
    html = page.content.decode()
    assert html.count("<script>") == 0
    assert f'<script nonce="{nonce}">' in html


def test_only_the_embeddable_form_may_be_framed(form: Any) -> None:
    public = Client().get(f"/f/{form.slug}/")
    assert _policy(public)["frame-ancestors"] == "frame-ancestors 'none'"
    embed = Client().get(f"/f/{form.slug}/embed/")
    assert _policy(embed)["frame-ancestors"] == "frame-ancestors *"
    assert "X-Frame-Options" not in embed
    assert _policy(embed)["script-src"].startswith("script-src 'self'")


def test_nothing_signed_in_or_from_the_api_is_cached(
    organizer_client: Client, form: Any, campaign: Any
) -> None:
    for url in ("/", "/people/", "/api/people/universes/saved", "/people/universes/"):
        cache = organizer_client.get(url)["Cache-Control"]
        assert "no-store" in cache, url
        assert "private" in cache, url
    assert "no-store" in Client().get("/api/field/lists/NOSUCHCODE")["Cache-Control"]
    # A public page may be cached: it holds nobody's data.
    assert "no-store" not in Client().get(f"/f/{form.slug}/").get("Cache-Control", "")


def test_a_staff_session_ends_when_idle_and_after_the_longest_shift(
    organizer_client: Client, settings: Any
) -> None:
    settings.GROUNDGAME_SESSION_IDLE_MINUTES = 30
    settings.GROUNDGAME_SESSION_MAX_HOURS = 10
    assert organizer_client.get("/people/").status_code == 200

    session = organizer_client.session
    session[middleware.SEEN_AT] = time.time() - 31 * 60
    session.save()
    assert organizer_client.get("/people/").status_code == 302, "idle for 31 minutes"


def test_a_busy_session_still_ends_after_the_longest_shift(
    organizer_client: Client, settings: Any
) -> None:
    settings.GROUNDGAME_SESSION_MAX_HOURS = 10
    assert organizer_client.get("/people/").status_code == 200
    session = organizer_client.session
    session[middleware.SIGNED_IN_AT] = time.time() - 10 * 3600 - 1
    session.save()
    assert organizer_client.get("/people/").status_code == 302
    assert organizer_client.get("/people/").status_code == 302, "signed out, not just refused"
