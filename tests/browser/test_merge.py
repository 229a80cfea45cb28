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
