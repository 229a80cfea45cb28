"""A donation in a real browser: ActBlue's webhook arrives over HTTP, the worker records it,
the finance staff member finds the donor with the amount in the ledger and on their page,
the "volunteer now" ask is in the outbox, and the donor who follows its link finds the sign-up
form filled in and signs up, with the donation as the sign-up's source.

Pages are shot into test-artifacts/screenshots/donations-*.png.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, sign_in
from tests.money import builders

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def donation_campaign(transactional_db: None, settings: Any, live_server: Any) -> str:
    """A state with a team, a published sign-up form, a committee and a national director
    with the finance role; ActBlue's endpoint configured. Returns their username."""
    from groundgame.organizing import services as org
    from groundgame.volunteers import services as volunteers

    settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = 0
    settings.GROUNDGAME_ACTBLUE_ENDPOINTS = {"main": ("actblue", "browser-secret")}
    settings.GROUNDGAME_PUBLIC_URL = live_server.url
    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    nc = org.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    triangle = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
    org.org_unit_create(
        actor=None, name="Durham Team", kind="team", parent=triangle, counties=["37063"]
    )
    form = volunteers.signup_form_create(actor=None, title="Volunteer now", org_unit=nc)
    volunteers.signup_form_publish(actor=None, form_id=form.pk)
    builders.committee()
    finance = org.staff_create(actor=None, username="fin.lead", password=PASSWORD)
    org.staff_role_grant(actor=None, user=finance, org_unit=national, role="finance")
    # The finance role shows gifts; opening the donor's page takes a role over people too.
    org.staff_role_grant(actor=None, user=finance, org_unit=national, role="director")
    return finance.get_username()


def _webhook(base: str, body: dict[str, Any]) -> dict[str, Any]:
    token = base64.b64encode(b"actblue:browser-secret").decode()
    request = urllib.request.Request(
        f"{base}/integrations/actblue/main/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_a_donation_reaches_the_ledger_and_asks_the_donor_to_volunteer(
    live_server: Any, donation_campaign: str, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.integrations.actblue import intake
    from groundgame.messaging.models import Send
    from groundgame.money import services as money
    from groundgame.money.models import VolunteerAsk
    from groundgame.volunteers.models import SignupSubmission

    base = live_server.url
    body = builders.webhook_body(7, [(7001, "27.00")], refcode="em-browser")
    assert _webhook(base, body) == {"received": 1, "new": 1}
    assert _webhook(base, body) == {"received": 1, "new": 0}
    assert intake.receipts_drain() == 1
    ask = VolunteerAsk.objects.get()
    money.volunteer_ask_send(ask_id=ask.pk)
    send = Send.objects.get(dedupe_key=f"volunteer_ask:{ask.pk}")
    link = next(w for w in send.content["body"].split() if "/thanks/donation/" in w)

    sign_in(page, base, donation_campaign)
    page.goto(f"{base}/money/")
    rows = page.get_by_test_id("ledger-rows")
    expect(rows).to_contain_text("Donorson7")
    expect(rows).to_contain_text("$27.00")
    expect(page.get_by_test_id("ledger-gross")).to_have_text("$27.00")
    page.screenshot(path=str(screenshots / "donations-ledger.png"), full_page=True)
    rows.get_by_role("link", name="Rosa Donorson7").click()
    expect(page.get_by_test_id("donor-gifts")).to_contain_text("$27.00")
    page.screenshot(path=str(screenshots / "donations-donor-card.png"), full_page=True)

    # The donor follows the ask's link: the form is filled in; they sign up.
    page.goto(link)
    expect(page.get_by_label("First name")).to_have_value("Rosa")
    expect(page.get_by_label("Last name")).to_have_value("Donorson7")
    page.screenshot(path=str(screenshots / "donations-ask.png"), full_page=True)
    page.get_by_role("button", name="Sign me up").click()
    page.wait_for_load_state()
    submission = SignupSubmission.objects.get()
    assert submission.source == "donation:7001"
