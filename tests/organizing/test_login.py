"""Staff sign-in: field messages, lockout after repeated failures, audit of sign-ins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from groundgame.audit import selectors as audit
from groundgame.audit.selectors import AuditFilter
from groundgame.core.errors import RateLimited, ValidationFailed
from groundgame.organizing import services as organizing
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def test_the_right_password_signs_in_and_is_logged(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    client = Client()
    response = sign_in(client, "olivia", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert audit.audit_event_list(AuditFilter(action="staff.login", actor="olivia")).count() == 1


def test_a_wrong_password_is_a_field_message(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    response = sign_in(Client(), "olivia", "wrong-password-here")
    assert response.status_code == 400
    assert b"do not match" in response.content


def test_an_empty_form_names_the_missing_fields(db):
    response = Client().post("/login/", {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username", "password"}
    assert b"This field is required." in response.content


def test_five_failures_lock_the_account_even_for_the_right_password(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    client = Client()
    for _ in range(5):
        assert sign_in(client, "olivia", "wrong-password-here").status_code == 400
    locked = sign_in(client, "olivia", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert client.get("/").status_code == 302  # still signed out


def test_lockout_is_per_username(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    make_staff("omar", role="organizer", unit=campaign.piedmont)
    client = Client()
    for _ in range(5):
        sign_in(client, "olivia", "wrong-password-here")
    assert sign_in(client, "omar", PASSWORD).status_code == 302


def test_a_weak_password_is_refused_with_the_rule(db):
    with pytest.raises(ValidationFailed) as caught:
        organizing.staff_create(actor=None, username="weak", password="password1")
    assert caught.value.field == "password"
    assert "too short" in caught.value.message


def test_next_cannot_redirect_off_site(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    response = Client().post(
        "/login/?next=https://evil.example/", {"username": "olivia", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_never_check_more_passwords_than_the_limit(campaign, make_staff, settings):
    """40 wrong passwords at once: five are checked, the rest are refused unchecked. With a
    real (slow) hasher, counting after the check let 18 through."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    guesses = 40
    start = threading.Barrier(guesses)
    outcomes: list[str] = []
    failed: list[BaseException] = []

    def guess(n: int) -> None:
        request = RequestFactory().post("/login/", REMOTE_ADDR=f"10.0.0.{n}")
        try:
            start.wait()
            organizing.staff_login(request=request, username="olivia", password=f"guess-{n}")
        except ValidationFailed:
            outcomes.append("checked")
        except RateLimited:
            outcomes.append("locked")
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failed, failed
    assert outcomes.count("checked") == 5
    assert outcomes.count("locked") == guesses - 5
    logged = audit.audit_event_list(AuditFilter(action="staff.login_failed")).count()
    assert logged == 5
