"""Resolving a possible duplicate in a real browser: the queue, the compare page, a merge that
takes the record out of search, and the undo that brings it back, at two widths.

Full-page screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, Campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHILADELPHIA = {"city": "Philadelphia", "state": "PA", "zip5": "19104"}


def _possible_duplicate() -> tuple[str, str]:
    """A voter-file record and a sign-up that may be the same person: a nickname, a
    transposed birth date, another street in the same ZIP, another email."""
    from tests.people.builders import possible_duplicate

    existing, intake = possible_duplicate(
        PHILADELPHIA,
        existing={
            "source": "PA voter file",
            "email": "william.hughes@example.org",
            "phone": "2155550142",
            "street": "12 Walnut St",
            "external": ("ngpvan", "VAN-4410032"),
        },
        intake={
            "source": "Volunteer sign-up",
            "email": "billyh@example.com",
            "street": "3400 Market St",
        },
    )
    return existing.full_name, intake.person.full_name


def _shoot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _search(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/people/")
    page.get_by_role("searchbox").fill(name)
    page.get_by_role("button", name="Search").click()


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)])
def test_review_merge_and_undo(
    live_server: Any,
    browser_campaign: Campaign,
    browser: Any,
    screenshots: Path,
    label: str,
    viewport: dict[str, int],
) -> None:
    from playwright.sync_api import expect

    survivor, duplicate = _possible_duplicate()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    base = live_server.url
    try:
        sign_in(page, base, browser_campaign.admin_username)

        # The People page links the queue with how many reviews are open.
        page.goto(f"{base}/people/")
        reviews = page.get_by_role("link", name=re.compile(r"^Reviews 1"))
        expect(reviews).to_be_visible()
        reviews.click()
        expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
        expect(page.get_by_text("Volunteer sign-up")).to_be_visible()
        _shoot(page, screenshots, f"reviews-{label}")

        # Compare: the evidence field by field, and the score.
        page.get_by_role("link", name=re.compile(f"{duplicate}.*{survivor}")).click()
        expect(page.get_by_role("heading", name="Is this the same person?")).to_be_visible()
        expect(page.get_by_text("“Bill” and “William” are forms of one name")).to_be_visible()
        expect(page.get_by_text("Digits transposed, or day and month swapped")).to_be_visible()
        expect(page.locator("meter.score-meter-large")).to_be_visible()
        _shoot(page, screenshots, f"review-compare-{label}")

        # Merge: the survivor's page says what it absorbed, and the duplicate leaves search.
        page.get_by_role("button", name=f"Merge into {survivor}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(survivor)
        expect(page.get_by_text(f"Merged {duplicate} into {survivor}")).to_be_visible()
        expect(page.get_by_role("button", name="Undo merge")).to_be_visible()
        expect(page.get_by_text("VAN-4410032")).to_be_visible()
        _shoot(page, screenshots, f"person-merged-{label}")
        survivor_url = page.url

        _search(page, base, duplicate)
        expect(page.get_by_role("heading", name=f"Nobody matches “{duplicate}”")).to_be_visible()
        page.goto(f"{base}/people/reviews/")
        expect(page.get_by_role("heading", name="Nothing to review")).to_be_visible()
        _shoot(page, screenshots, f"reviews-empty-{label}")

        # Undo from the survivor's page: the duplicate is a person of their own again.
        page.goto(survivor_url)
        page.get_by_role("button", name="Undo merge").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(duplicate)
        expect(page.get_by_text("is a record of their own again")).to_be_visible()
        _shoot(page, screenshots, f"person-unmerged-{label}")

        _search(page, base, duplicate)
        expect(page.get_by_role("link", name=duplicate)).to_be_visible()
    finally:
        context.close()


def test_a_merge_carries_every_apps_records_and_the_undo_gives_them_back(
    live_server: Any, browser_campaign: Campaign, browser: Any, screenshots: Path
) -> None:
    """Two records of one person, each with consent, a place on a shift, a sign-up and its
    follow-up, an email and a door result: merged from the review, the survivor's page shows
    both records' activity and the stricter consent; undone, each page has its own again and
    the review reads "Merge undone"."""
    from django.contrib.auth.models import User
    from playwright.sync_api import expect

    from groundgame.organizing.models import OrgUnit
    from groundgame.people.models import MatchReview, Person
    from tests.people.merge_world import build_world

    admin = User.objects.get(username=browser_campaign.admin_username)
    durham_team = OrgUnit.objects.get(name="Triangle Team 2")  # covers Durham County
    world = build_world(durham_team, admin)
    keep, absorb = (Person.objects.get(pk=pk) for pk in world.people[:2])
    review = MatchReview.objects.create(
        person_id=absorb.pk, candidate_id=keep.pk, score=0.93, source="Volunteer sign-up"
    )
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    base = live_server.url
    doors = page.locator("#activity tbody tr", has_text="Door: talked")
    signups = page.locator("#activity tbody tr", has_text="Signed up on Join the Durham team")
    places = page.locator("#activity tbody tr", has_text="Place on Saturday canvass")
    emails = page.locator("#activity tbody tr", has_text="Volunteer this weekend")
    fundraising_email = page.get_by_label(re.compile(r"^Email, Fundraising"))
    try:
        sign_in(page, base, browser_campaign.admin_username)
        page.goto(f"{base}/people/{absorb.pk}/")
        for rows in (doors, signups, places, emails):
            expect(rows).to_have_count(1)
        expect(fundraising_email).to_have_value("unsubscribed")
        _shoot(page, screenshots, "merge-all-absorbed-before")
        page.goto(f"{base}/people/{keep.pk}/")
        expect(doors).to_have_count(1)
        expect(fundraising_email).to_have_value("subscribed")

        page.goto(f"{base}/people/reviews/{review.pk}/")
        page.get_by_role("button", name=f"Merge into {keep.full_name}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(keep.full_name)
        expect(page.get_by_text(f"Merged {absorb.full_name} into {keep.full_name}")).to_be_visible()
        expect(doors).to_have_count(2)
        expect(signups).to_have_count(2)
        # One place per shift and one email per mailing: the survivor had its own already.
        expect(places).to_have_count(1)
        expect(emails).to_have_count(1)
        # The absorbed record had left fundraising email: the stricter choice holds.
        expect(fundraising_email).to_have_value("unsubscribed")
        _shoot(page, screenshots, "merge-all-survivor-merged")

        page.get_by_role("button", name="Undo merge").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(absorb.full_name)
        for rows in (doors, signups, places, emails):
            expect(rows).to_have_count(1)
        expect(fundraising_email).to_have_value("unsubscribed")
        page.goto(f"{base}/people/{keep.pk}/")
        expect(doors).to_have_count(1)
        expect(signups).to_have_count(1)
        expect(fundraising_email).to_have_value("subscribed")
        _shoot(page, screenshots, "merge-all-survivor-undone")

        page.goto(f"{base}/people/reviews/{review.pk}/")
        expect(page.get_by_role("heading", name="Decided")).to_be_visible()
        expect(page.locator(".review-outcome")).to_contain_text("Merge undone")
        _shoot(page, screenshots, "merge-all-review-undone")
    finally:
        context.close()
