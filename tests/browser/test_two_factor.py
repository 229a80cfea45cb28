"""Two-factor sign-in in Chromium: a national admin's first sign-in leads to enrolment (the
QR code, the key to type, a code from the authenticator to confirm), the ten recovery codes
are shown once, and the next sign-in asks for a code after the password; a recovery code
works once. Screenshots: two-factor-*.png."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp

from groundgame.organizing import services as organizing
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def authenticator_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_an_admin_enrols_then_signs_in_with_a_code(
    live_server: Any, transactional_db: None, page: Any, screenshots: Path, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.GROUNDGAME_TWO_FACTOR_ROLES = ["admin"]
    national = organizing.org_unit_create(actor=None, name="National", kind="national")
    admin = organizing.staff_create(
        actor=None, username="nadia", password=PASSWORD, first_name="Nadia"
    )
    organizing.staff_role_grant(actor=None, user=admin, org_unit=national, role="admin")
    organizer = organizing.staff_create(actor=None, username="omar", password=PASSWORD)
    organizing.staff_role_grant(actor=None, user=organizer, org_unit=national, role="organizer")
    base = live_server.url

    # First sign-in: the password leads to enrolment, and nothing else opens before it.
    sign_in(page, base, "nadia", PASSWORD)
    expect(page).to_have_url(f"{base}/login/enrol/")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=str(screenshots / "two-factor-enrol.png"), full_page=True)
    page.goto(f"{base}/organizing/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/organizing/$"))
    page.goto(f"{base}/login/enrol/")

    secret = page.locator("#two-factor-secret").inner_text().strip()
    page.get_by_label("Code").fill("000000" if authenticator_code(secret) != "000000" else "1")
    page.get_by_role("button", name="Confirm and show recovery codes").click()
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Confirm and show recovery codes").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(screenshots / "two-factor-recovery-codes.png"), full_page=True)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="Campaign dashboard")).to_be_visible()

    # The next sign-in asks for the code after the password.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "nadia", PASSWORD)
    expect(page).to_have_url(f"{base}/login/code/")
    page.screenshot(path=str(screenshots / "two-factor-code.png"), full_page=True)
    page.get_by_label("Code").fill(authenticator_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaign dashboard")).to_be_visible()

    # Without the phone: a recovery code, once.
    for attempt in ("first", "second"):
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, base, "nadia", PASSWORD)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Sign in").click()
        if attempt == "first":
            expect(page.get_by_role("heading", name="Campaign dashboard")).to_be_visible()
            page.goto(f"{base}/account/two-factor/")
            expect(page.locator("#recovery-left")).to_have_text("9")
            page.screenshot(path=str(screenshots / "two-factor-status.png"), full_page=True)
        else:
            expect(page.locator("#id_code_error")).to_contain_text("it was used already")
            page.screenshot(path=str(screenshots / "two-factor-used-code.png"), full_page=True)

    # Another recovery code, on the same page, signs in; from the unit page a national admin
    # resets another staff member's second factor (never their own there).
    page.get_by_label("Code").fill(codes[1])
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/organizing/units/{national.pk}/")
    expect(page.get_by_role("button", name="Reset two-factor sign-in of nadia")).to_have_count(0)
    page.get_by_role("button", name="Reset two-factor sign-in of omar").click()
    expect(page.get_by_text("omar signs in with their password alone")).to_be_visible()
    page.screenshot(path=str(screenshots / "two-factor-reset.png"), full_page=True)
