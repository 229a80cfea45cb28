"""A national admin answers a person's data request from their page in a real browser:
downloads the JSON, erases them naming the request, and the page then says so.

Full-page screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_export_and_erase_from_the_persons_page(
    live_server: Any, browser_campaign: Campaign, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    from groundgame.people.models import Person

    person = Person.objects.exclude(email="").order_by("pk").first()
    assert person is not None
    name, email = person.full_name, person.email
    base = live_server.url
    sign_in(page, base, browser_campaign.admin_username)
    page.goto(f"{base}/people/{person.pk}/")
    expect(page.get_by_role("heading", name="Requests about their data")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything held (JSON)").click()
    document = json.loads(Path(download.value.path()).read_text())
    assert document["person"]["email"] == email

    page.get_by_text("Erase this person").click()
    page.get_by_label("Which request").fill("Email of 2 Oct 2026")
    page.screenshot(path=str(screenshots / "person-data-request.png"), full_page=True)
    page.get_by_role("button", name=f"Erase {name}").click()

    expect(page.get_by_text(f"Person #{person.pk} erased")).to_be_visible()
    expect(page.get_by_role("note").get_by_text("Erased on request", exact=True)).to_be_visible()
    page.screenshot(path=str(screenshots / "person-erased.png"), full_page=True)
    assert Person.objects.get(pk=person.pk).email == ""
