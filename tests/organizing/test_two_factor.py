"""Two-factor sign-in: enrolment, codes after the password, recovery codes, the lockout that
counts wrong codes with wrong passwords, the admins' requirement and its reset."""

from __future__ import annotations

import base64
import re
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundgame.audit import selectors as audit
from groundgame.audit.selectors import AuditFilter
from groundgame.core.errors import RateLimited, ValidationFailed
from groundgame.organizing import errors, selectors, two_factor
from groundgame.organizing import services as organizing
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this secret now (or ``steps_ahead`` 30-second
    steps from now; django-otp accepts one step either side, and never a step used already)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def enrol(user: Any) -> tuple[str, list[str]]:
    """The user's authenticator secret and recovery codes, set up through the services."""
    secret = organizing.two_factor_enrolment(user=user).secret
    request = RequestFactory().post("/account/two-factor/")
    codes = organizing.two_factor_enrol(
        request=request, user=user, code=code_for(secret), finishes_sign_in=False
    )
    return secret, codes


def password_step(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def olivia(campaign: Any, make_staff: Any) -> Any:
    return make_staff("olivia", role="organizer", unit=campaign.triangle)


@pytest.fixture
def nadia(campaign: Any, make_staff: Any) -> Any:
    return make_staff("nadia", role="admin", unit=campaign.national)


def test_an_enrolled_account_asks_for_the_code_after_the_password(olivia):
    secret, _ = enrol(olivia)
    client = Client()
    response = password_step(client, "olivia")
    assert response["Location"] == "/login/code/"
    assert not signed_in(client)
    assert client.get("/api/organizing/units").status_code == 401

    wrong_code = f"{(int(code_for(secret, 1)) + 1) % 10**6:06d}"
    wrong = client.post("/login/code/", {"code": wrong_code})
    assert wrong.status_code == 400
    assert b"That code is not right" in wrong.content
    assert not signed_in(client)

    right = client.post("/login/code/", {"code": code_for(secret, 1)})
    assert right.status_code == 302
    assert signed_in(client)
    events = audit.audit_event_list(AuditFilter(action="staff.login", actor="olivia"))
    summaries = [e.summary for e in events if e.action == "staff.login"]
    assert summaries == ["olivia signed in with their authenticator app"]


def test_an_account_without_a_device_signs_in_with_its_password(olivia):
    client = Client()
    assert password_step(client, "olivia")["Location"] == "/"
    assert signed_in(client)


def test_the_code_page_without_a_right_password_sends_back_to_sign_in(olivia):
    enrol(olivia)
    assert Client().get("/login/code/")["Location"] == "/login/"
    assert Client().post("/login/code/", {"code": "123456"})["Location"] == "/login/"


def test_a_code_used_once_is_refused_the_second_time(olivia):
    secret, _ = enrol(olivia)
    code = code_for(secret, 1)
    first = Client()
    password_step(first, "olivia")
    assert first.post("/login/code/", {"code": code}).status_code == 302

    second = Client()
    password_step(second, "olivia")
    replay = second.post("/login/code/", {"code": code})
    assert replay.status_code == 400
    assert b"used already" in replay.content
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(olivia):
    _, codes = enrol(olivia)
    assert len(set(codes)) == 10
    first = Client()
    password_step(first, "olivia")
    assert first.post("/login/code/", {"code": codes[3]}).status_code == 302
    assert selectors.two_factor_recovery_codes_left(user=olivia) == 9

    again = Client()
    password_step(again, "olivia")
    assert again.post("/login/code/", {"code": codes[3]}).status_code == 400
    # Typed without the dash and in capitals, another one still works.
    assert (
        again.post("/login/code/", {"code": codes[4].replace("-", "").upper()}).status_code == 302
    )


def test_recovery_codes_are_not_stored_as_shown(olivia):
    _, codes = enrol(olivia)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    shown = {code.replace("-", "") for code in codes} | set(codes)
    assert not stored & shown


def test_wrong_codes_count_toward_the_password_lockout(olivia):
    secret, _ = enrol(olivia)
    client = Client()
    # Two wrong passwords, then the right one: three attempts counted, none cleared yet.
    for _ in range(2):
        assert password_step(client, "olivia", "wrong-password-here").status_code == 400
    password_step(client, "olivia")
    for _ in range(2):
        assert client.post("/login/code/", {"code": "not-a-code"}).status_code == 400
    # The fifth attempt was a wrong code; the right code is now refused unchecked.
    locked = client.post("/login/code/", {"code": code_for(secret, 1)})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert not signed_in(client)
    assert password_step(Client(), "olivia").status_code == 429


def test_knowing_the_password_does_not_reset_the_count_of_wrong_codes(olivia):
    enrol(olivia)
    for _ in range(2):  # each round: the right password, then a wrong code
        client = Client()
        assert password_step(client, "olivia").status_code == 302
        assert client.post("/login/code/", {"code": "999999x"}).status_code == 400
    client = Client()
    password_step(client, "olivia")
    assert client.post("/login/code/", {"code": "999999x"}).status_code == 429


def test_a_full_sign_in_clears_the_count(olivia):
    secret, _ = enrol(olivia)
    client = Client()
    password_step(client, "olivia")
    client.post("/login/code/", {"code": "nope"})
    client.post("/login/code/", {"code": code_for(secret, 1)})
    assert signed_in(client)
    for _ in range(4):
        assert password_step(Client(), "olivia", "wrong-password-here").status_code == 400


def test_an_admin_without_a_device_must_enrol_before_anything_else(nadia):
    client = Client()
    assert password_step(client, "nadia")["Location"] == "/login/enrol/"
    assert not signed_in(client)
    assert client.get("/organizing/").status_code == 302
    assert client.get("/api/organizing/units").status_code == 401
    assert client.get("/admin/")["Location"].startswith("/admin/login/")

    page = client.get("/login/enrol/")
    assert page.status_code == 200
    secret = re.search(rb'id="two-factor-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    assert b"<svg" in page.content  # the QR code
    assert b"otpauth://totp/" in page.content
    # A reload shows the same secret: the QR code already scanned stays good.
    assert secret.encode() in client.get("/login/enrol/").content

    assert client.post("/login/enrol/", {"code": "12"}).status_code == 400
    assert not signed_in(client)

    done = client.post("/login/enrol/", {"code": code_for(secret)})
    assert done.status_code == 200
    shown = re.findall(rb"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.content)
    assert len(shown) == 10
    assert signed_in(client)
    assert selectors.two_factor_enrolled(user=nadia)
    actions = {e.action for e in audit.audit_event_list(AuditFilter(actor="nadia"))}
    assert {"staff.login_password", "staff.two_factor_enrol", "staff.login"} <= actions


def test_the_roles_that_need_a_second_factor_are_a_setting(olivia, nadia, settings):
    settings.GROUNDGAME_TWO_FACTOR_ROLES = []
    client = Client()
    assert password_step(client, "nadia")["Location"] == "/"
    settings.GROUNDGAME_TWO_FACTOR_ROLES = ["organizer"]
    assert password_step(Client(), "olivia")["Location"] == "/login/enrol/"


def test_a_superuser_counts_as_an_admin(make_staff):
    make_staff("root", unit=None, superuser=True)
    assert password_step(Client(), "root")["Location"] == "/login/enrol/"


def test_a_stale_password_step_starts_over(olivia, monkeypatch):
    enrol(olivia)
    client = Client()
    password_step(client, "olivia")
    later = time.time() + 16 * 60
    monkeypatch.setattr("groundgame.organizing.signin_views.time.time", lambda: later)
    assert client.get("/login/code/")["Location"] == "/login/"


def test_the_admin_sign_in_form_sends_to_the_staff_one(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


def test_staff_set_up_and_replace_their_own_second_factor(olivia, client_for):
    client = client_for(olivia)
    page = client.get("/account/two-factor/")
    secret = re.search(rb'id="two-factor-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    assert client.post("/account/two-factor/", {"code": code_for(secret)}).status_code == 200
    status = client.get("/account/two-factor/")
    assert b"Recovery codes left" in status.content

    replace = client.get("/account/two-factor/?replace=1")
    new_secret = re.search(rb'id="two-factor-secret">([A-Z2-7]+)<', replace.content).group(1)
    assert new_secret.decode() != secret
    assert (
        client.post("/account/two-factor/", {"code": code_for(new_secret.decode())}).status_code
        == 200
    )
    assert selectors.two_factor_recovery_codes_left(user=olivia) == 10
    # The old app's codes no longer sign in.
    other = Client()
    password_step(other, "olivia")
    assert other.post("/login/code/", {"code": code_for(secret, 1)}).status_code == 400


def test_a_national_admin_resets_a_lost_second_factor(campaign, olivia, nadia, client_for):
    enrol(olivia)
    grant = olivia.staff_roles.get()
    response = client_for(nadia).post(
        f"/organizing/units/{campaign.triangle.pk}/",
        {"action": "reset_two_factor", "grant_id": grant.pk},
    )
    assert response.status_code == 302
    assert not selectors.two_factor_enrolled(user=olivia)
    reset = audit.audit_event_list(AuditFilter(action="staff.two_factor_reset", actor="nadia"))
    assert reset.count() == 1
    client = Client()
    assert password_step(client, "olivia")["Location"] == "/"


def test_only_national_admins_reset_a_second_factor(campaign, olivia, make_staff, client_for):
    enrol(olivia)
    director = make_staff("dana", role="admin", unit=campaign.nc)
    grant = olivia.staff_roles.get()
    response = client_for(director).post(
        f"/organizing/units/{campaign.triangle.pk}/",
        {"action": "reset_two_factor", "grant_id": grant.pk},
    )
    assert response.status_code == 403
    assert selectors.two_factor_enrolled(user=olivia)
    with pytest.raises(errors.PermissionDenied) as caught:
        organizing.two_factor_reset(actor=director, user=olivia)
    assert caught.value.code == errors.TWO_FACTOR_RESET_DENIED


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(guess=st.text(max_size=20))
def test_no_guess_but_the_codes_given_passes(olivia, guess):
    secret, codes = enrol(olivia)
    typed = "".join(ch for ch in guess if not ch.isspace() and ch != "-")
    try:  # django-otp reads a TOTP code as int() does
        as_number: int | None = int(typed)
    except ValueError:
        as_number = None
    assume(as_number not in {int(code_for(secret, step)) for step in (-1, 0, 1)})
    assume(typed.lower() not in {code.replace("-", "") for code in codes})
    assert two_factor.code_check(olivia, guess) is None


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_four_times_at_once_signs_in_once(olivia):
    secret, _ = enrol(olivia)
    code = code_for(secret, 1)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        request = RequestFactory().post("/login/code/")
        start.wait()
        try:
            organizing.staff_login_second_factor(request=request, user=olivia, code=code)
            outcomes.append("signed in")
        except (ValidationFailed, RateLimited):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "signed in"]
