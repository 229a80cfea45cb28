"""A newcomer finds the work from the pages they open first: the home page links the queue,
the forms, the events and their public page, the canvassing app and (for those who run the
file) the voter-file imports; where no mail provider is set, the home page and the mailings
page say which folder the email goes to instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def _links(page: Any) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', page.content.decode()))


def test_the_home_page_says_where_things_are(campaign, make_staff, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = Path("/srv/demo/outbox/email")
    admin = client_for(make_staff(role="admin", unit=campaign.national))
    page = admin.get("/")
    assert page.status_code == 200
    assert {
        "/volunteers/",
        "/volunteers/forms/",
        "/events/staff/",
        "/events/",
        "/canvass/",
        "/field/",
        "/people/imports/",
        "/messaging/mailings/",
    } <= _links(page)
    assert "/srv/demo/outbox/email" in page.content.decode()

    organizer = client_for(make_staff(role="organizer", unit=campaign.durham))
    links = _links(organizer.get("/"))
    assert "/canvass/" in links
    # The imports page is for those who run the file: not linked where it would be a 403.
    assert "/people/imports/" not in links
    assert organizer.get("/people/imports/").status_code == 403


def test_the_canvassing_app_and_the_imports_are_linked_from_their_sections(
    campaign, make_staff, client_for
):
    director = client_for(make_staff(role="director", unit=campaign.nc))
    assert "/canvass/" in _links(director.get("/field/"))
    assert "/people/imports/" in _links(director.get("/people/"))
    organizer = client_for(make_staff(role="organizer", unit=campaign.durham))
    assert "/people/imports/" not in _links(organizer.get("/people/"))


def test_the_mailings_page_says_where_the_mail_goes_when_nothing_is_sent(
    campaign, make_staff, client_for, settings, tmp_path
):
    client = client_for(make_staff(role="admin", unit=campaign.national))
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox" / "email"
    settings.GROUNDGAME_SMS_URL = ""
    settings.GROUNDGAME_SMS_OUTBOX = tmp_path / "outbox" / "sms"
    page = client.get("/messaging/mailings/").content.decode()
    assert str(tmp_path / "outbox" / "email") in page
    assert str(tmp_path / "outbox" / "sms") in page

    # With a mail server and an SMS provider, messages really go: no such note.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.GROUNDGAME_SMS_URL = "https://AC1:token@sms.example/2010-04-01"
    page = client.get("/messaging/mailings/").content.decode()
    assert 'id="local-outbox"' not in page
    assert str(tmp_path) not in page
