"""A mailing measured end to end in a real browser: a staff member writes it, gives it two
variants, makes it the piece of a program holding out 10% of the universe's households and
starts the program, sends it (no held-out person gets it), records an outcome, and reads the
program's lift with its interval and the variants' comparison with theirs; then the gap
between what a unit's voters raise and what the campaign says. No CSP violation on the way
(the ``page`` fixture); screenshots at both widths land in the screenshots folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Campaign, sign_in
from tests.browser.test_message_tests import (
    build_donor_campaign,
    canvass_issues,
    shoot,
    variant_outcomes,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def donor_campaign(transactional_db: None, settings: Any) -> Campaign:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_donor_campaign()


def _donated_file(mailing_id: int) -> bytes:
    """Every other person on each side of the program's holdout gave."""
    from groundgame.insights.models import HoldoutAssignment
    from groundgame.people.models import VoterRecord

    assigned = HoldoutAssignment.objects.filter(program__pieces__key=f"mailing:{mailing_id}")
    people = [
        person
        for side in (True, False)
        for n, person in enumerate(
            assigned.filter(held_out=side).order_by("person_id").values_list("person_id", flat=True)
        )
        if n % 2 == 0
    ]
    voters = VoterRecord.objects.filter(person_id__in=people).order_by("pk")
    return (
        "state,voter_id\n" + "".join(f"{v.state},{v.state_voter_id}\n" for v in voters)
    ).encode()


def test_a_mailing_with_a_holdout_and_two_variants_is_read_with_intervals(
    live_server: Any, donor_campaign: Campaign, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.insights.models import HoldoutAssignment
    from groundgame.messaging import services as messaging
    from groundgame.messaging.models import Mailing, Send

    base = live_server.url
    sign_in(page, base, donor_campaign.admin_username)

    # The mailing and its two variants.
    page.goto(f"{base}/messaging/mailings/new/")
    page.get_by_label("Name").fill("Early vote ask")
    page.get_by_label("Topic").select_option("fundraising")
    page.get_by_label("Universe").select_option(str(donor_campaign.extra["universe_id"]))
    page.get_by_label("Subject").fill("Vote early, give early")
    page.locator("textarea#id_body").fill("Hi {{ first_name }}, early voting opens Monday.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved “Early vote ask”")).to_be_visible()
    mailing = Mailing.objects.get(name="Early vote ask")
    page.get_by_role("link", name="Test variants").click()
    for n, (label, sender, subject) in enumerate(
        [("A", "", "Vote early, give early"), ("B", "Maria Alvarez", "Maria: vote early")]
    ):
        page.locator(f"#id_label_{n}").fill(label)
        page.locator(f"#id_sender_name_{n}").fill(sender)
        page.locator(f"#id_subject_{n}").fill(subject)
        page.locator(f"#id_body_{n}").fill(f"Hi {{{{ first_name }}}}, variant {label}.")
        page.locator(f"#id_share_{n}").fill("50")
    page.get_by_role("button", name="Save variants").click()
    expect(page.get_by_text("Variants saved")).to_be_visible()
    page.goto(f"{base}/insights/tests/")
    page.get_by_role("link", name="Early vote ask").click()
    page.get_by_label("Measure").select_option("open")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("The test's rule is registered.")).to_be_visible()

    # The program: 10% of the universe's households held out, the mailing its piece.
    page.goto(f"{base}/insights/programs/")
    page.get_by_label("Name", exact=True).first.fill("Early vote email")
    page.get_by_label("Universe").select_option(str(donor_campaign.extra["universe_id"]))
    page.get_by_label("Unit").select_option(label="National HQ")
    page.get_by_label("Households held out (%)").fill("10")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name="Early vote email", level=1)).to_be_visible()
    page.get_by_label("Seed (blank: a fresh one)").fill("19")
    page.get_by_role("button", name="Draw the holdout").click()
    expect(page.get_by_text("seed 19")).to_be_visible()
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Mailing number or list name").fill(str(mailing.pk))
    page.get_by_role("button", name="Add piece").click()
    expect(page.get_by_text(f"mailing:{mailing.pk} (email)")).to_be_visible()
    page.get_by_role("button", name="Start the program").click()
    expect(page.get_by_text("Running")).to_be_visible()
    shoot(page, screenshots, "measure-program-started")

    # Sent, through the page and the worker's steps; the held out get nothing.
    page.goto(f"{base}/messaging/mailings/{mailing.pk}/")
    page.get_by_label("Send now").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Sending now")).to_be_visible()
    assert messaging.mailing_fan_out(mailing_id=mailing.pk) is not None
    messaging.sends_deliver(channel="email")
    expect(page.locator("[data-mailing-status]")).to_have_text("Sent", timeout=15000)
    held_out = set(
        HoldoutAssignment.objects.filter(held_out=True).values_list("person_id", flat=True)
    )
    in_program = set(
        HoldoutAssignment.objects.filter(held_out=False).values_list("person_id", flat=True)
    )
    sent = set(
        Send.objects.filter(mailing=mailing, status=Send.Status.SENT).values_list(
            "person_id", flat=True
        )
    )
    assert held_out
    assert sent
    assert not sent & held_out
    assert sent <= in_program
    assert set(
        Send.objects.filter(mailing=mailing, variant__label="B").values_list("person_id", flat=True)
    )

    # An outcome for the program (who donated), recorded on the programs page.
    page.goto(f"{base}/insights/programs/")
    form = page.locator("form", has=page.get_by_role("button", name="Record outcome"))
    form.get_by_label("Name").fill("Gave after the ask")
    form.get_by_label("What it measures").select_option("donated")
    form.get_by_label("File (CSV with state and voter_id)").set_input_files(
        {"name": "donated.csv", "mimeType": "text/csv", "buffer": _donated_file(mailing.pk)}
    )
    form.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_text("Outcome recorded")).to_be_visible()
    page.get_by_role("link", name="Early vote email").click()
    expect(page.get_by_role("heading", name="Gave after the ask")).to_be_visible()
    lift = page.locator("section", has=page.get_by_role("heading", name="Lift"))
    expect(lift).to_contain_text(
        re.compile(r"Effect [+-]?\d+\.\d\d points, 95% interval [+-]?\d+\.\d\d to ")
    )
    expect(lift).to_contain_text(f"held out: {len(held_out)} people")
    expect(lift.get_by_role("img", name="Effect", exact=False)).to_be_visible()
    shoot(page, screenshots, "measure-program-lift")

    # The variants' own outcomes, read with their intervals.
    page.goto(f"{base}/insights/tests/mailings/{mailing.pk}/")
    page.get_by_label("Outcomes (CSV)").set_input_files(
        {"name": "outcomes.csv", "mimeType": "text/csv", "buffer": variant_outcomes(mailing.pk)}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("outcomes recorded")).to_be_visible()
    table = page.locator("[data-variant-rates]")
    for label in ("A", "B"):
        expect(table.locator(f"[data-variant={label}] [data-interval]").first).to_have_text(
            re.compile(r"\d+\.\d\d%\W\d+\.\d\d%")
        )
    expect(page.locator("[data-comparison=A-B]")).to_contain_text("points")
    expect(page.locator("[data-decision]")).to_be_visible()
    shoot(page, screenshots, "measure-variants")

    # What a unit's voters raise against what the campaign says.
    team = canvass_issues()
    page.goto(f"{base}/insights/issues/?unit={team.pk}&weeks=4")
    expect(page.locator("[data-gap-headline]")).to_contain_text(
        "Voters raised inflation and cost of living in 75.00%"
    )
    expect(page.locator("[data-issue-gap] svg")).to_be_visible()
    shoot(page, screenshots, "measure-issue-gap")
