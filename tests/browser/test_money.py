"""Money in a real browser: an ActBlue webhook arrives for a new donor; the treasurer finds
the gift in the ledger, the "volunteer now" ask reaches the outbox, the appeal its refcode
names shows what it raised and its return, and the cash-flow page counts the gift. The
appeals, budget and cash-flow pages are shot at desktop width."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PASSWORD, sign_in
from tests.service_requirements import require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ENDPOINTS = {"main": ("actblue", "s3cret-main")}


def test_a_donation_reaches_the_ledger_the_outbox_the_appeal_and_the_forecast(
    transactional_db: None, live_server: Any, page: Any, settings: Any, screenshots: Path
) -> None:
    require_service("chromium")
    from groundgame.consent import services as consent
    from groundgame.integrations.actblue import intake
    from groundgame.messaging.models import Send
    from groundgame.money import cashflow
    from groundgame.money.services import appeals
    from groundgame.organizing import services as org
    from groundgame.people import services as people
    from tests.money import builders

    settings.GROUNDGAME_ACTBLUE_ENDPOINTS = ENDPOINTS
    # The worker's jobs run as they are queued, so the test sees what a worker would do.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    national = org.org_unit_create(actor=None, name="National HQ", kind="national")
    treasurer = org.staff_create(
        actor=None, username="tess.treasurer", password=PASSWORD, first_name="Tess"
    )
    org.staff_role_grant(actor=None, user=treasurer, org_unit=national, role="finance")
    builders.committee()
    appeal = appeals.appeal_create(
        actor=None,
        name="Launch email",
        channel="ads",
        refcode="em-0722",
        org_unit_id=national.pk,
        starts_on=builders.PAID.date(),
    )
    appeals.appeal_cost_add(
        actor=None,
        appeal_id=appeal.pk,
        kind="ad_spend",
        amount_cents=10_00,
        incurred_on=builders.PAID.date(),
    )
    # Rosa joined the volunteering email list at a rally last spring (no volunteer record);
    # her gift finds her by email, and her consent lets the ask through.
    rosa = people.person_find_or_create(
        actor=None,
        source="test",
        first_name="Rosa",
        last_name="Donorson7",
        email="donor7@example.org",
        street="107 Elm St",
        state="NC",
        zip5="27701",
    ).person
    consent.subscription_join(
        person_id=rosa.pk, channel="email", topic_keys=["volunteering"], source="signup_form"
    )
    appeals.appeal_returns_refresh()
    cashflow.cashflow_refresh()

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "tess.treasurer")
    page.goto(f"{live_server.url}/money/appeals/")
    before = page.locator('#appeals-table tr[data-refcode="em-0722"]')
    assert "$0.00" in before.inner_text()
    page.goto(f"{live_server.url}/money/cashflow/")
    assert page.locator("#cash-on-hand").inner_text() == "$0.00"

    token = base64.b64encode(b"actblue:s3cret-main").decode()
    answer = page.request.post(
        f"{live_server.url}/integrations/actblue/main/",
        data=json.dumps(builders.webhook_body(7, [(71, "250.00")])),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )
    assert answer.status == 200
    # The intake queued the job that records the receipt; the worker's pass finds it done.
    intake.receipts_process()

    page.goto(f"{live_server.url}/money/")
    ledger = page.locator("main").inner_text()
    assert "$250.00" in ledger

    # The "volunteer now" ask went out to the email outbox (the delivery job ran at once
    # here), its sign-up link filled in.
    ask = Send.objects.get(dedupe_key__startswith="volunteer_ask:", person_id=rosa.pk)
    assert (ask.topic.key, ask.status) == ("volunteering", Send.Status.SENT)
    assert "/thanks/donation/?t=" in ask.content["body"]

    appeals.appeal_returns_refresh()
    page.goto(f"{live_server.url}/money/appeals/")
    row = page.locator('#appeals-table tr[data-refcode="em-0722"]')
    assert "$250.00" in row.inner_text()
    # $240 net on $10 of cost: 24 times its cost, with the range of the resampled donors.
    assert row.locator("td.roi").inner_text().startswith("24.00")
    page.screenshot(path=str(screenshots / "money-appeals.png"), full_page=True)

    cashflow.cashflow_refresh()
    page.goto(f"{live_server.url}/money/cashflow/")
    assert page.locator("#cash-on-hand").inner_text() == "$250.00"
    page.screenshot(path=str(screenshots / "money-cashflow.png"), full_page=True)
    page.goto(f"{live_server.url}/money/budget/")
    page.screenshot(path=str(screenshots / "money-budget.png"), full_page=True)
