"""Malformed email addresses and phone numbers are refused at entry, naming the field."""

from __future__ import annotations

import pytest

from groundgame.core.errors import ValidationFailed
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("(919) 286-1234", "+19192861234"),
        ("+1 919 286 1234", "+19192861234"),
        ("1-919-286-1234", "+19192861234"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phone_numbers_are_kept_in_e164(written: str, stored: str) -> None:
    assert people.normalize_phone(written) == stored


@pytest.mark.parametrize("written", ["123-456-7890", "919-286-123", "call me", "+1 999 999"])
def test_impossible_phone_numbers_are_refused_naming_the_field(written: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        people.normalize_phone(written, field="mobile")
    assert caught.value.field == "mobile"
    assert "not a phone number" in caught.value.message


@pytest.mark.parametrize("written", ["bad@", "x@y", "two@@example.org", "no spaces@example.org"])
def test_malformed_emails_are_refused_with_the_reason(written: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        people.email_checked(written)
    assert caught.value.field == "email"
    assert "is not an email address:" in caught.value.message


def test_emails_are_lowercased_as_people_are_matched_on_them() -> None:
    assert people.email_checked("  Maya.Lopez@Example.ORG ") == "maya.lopez@example.org"


@pytest.mark.django_db
def test_a_person_with_a_bad_phone_is_not_created() -> None:
    with pytest.raises(ValidationFailed) as caught:
        people.person_create(actor=None, first_name="A", last_name="B", phone="555-01")
    assert caught.value.field == "phone"
    assert people_selectors.person_count() == 0, "nothing half-written"
