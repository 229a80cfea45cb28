"""Every operation of the OpenAPI schema, fed what Schemathesis generates from it (valid and
invalid bodies, parameters and headers), answers without a server error: a staff session for
the staff endpoints, none for the public ones.

It runs on the scale-out pass of ``.ci/run`` (PostgreSQL refuses what SQLite lets through,
such as NUL in text) and is bounded in examples and time, so it stays well under a minute
or two. A failure names each operation and the request that broke it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.csrf import get_token
from django.test import RequestFactory
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from groundgame.volunteers import services as volunteers_services
from tests.conftest import Campaign
from tests.events.test_events import make_event
from tests.field.builders import build_walk_list
from tests.service_requirements import require_service

EXAMPLES_PER_OPERATION = 30
SECONDS_PER_OPERATION = 5.0


@pytest.fixture
def session(campaign: Campaign, make_staff: Any, client_for: Any) -> dict[str, str]:
    """A national admin's session and CSRF cookies, sent with every request."""
    client = client_for(make_staff("fuzz", role="admin", unit=campaign.national))
    token = get_token(RequestFactory().get("/"))
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}


@pytest.fixture
def real_ids(campaign: Campaign) -> dict[str, Any]:
    """A published sign-up form, an open walk list and an event's shift."""
    form = volunteers_services.signup_form_create(
        actor=None, title="Join", org_unit=campaign.nc, questions=[], consent_topics=[]
    )
    volunteers_services.signup_form_publish(actor=None, form_id=form.pk)
    shift = make_event(campaign.durham, capacity=5).shifts.get()
    code = build_walk_list(team=campaign.durham).code
    return {"slug": form.slug, "code": code, "shift_id": shift.pk}


def server_error(operation: Any, session: dict[str, str], real_ids: dict[str, Any]) -> str:
    """The first request generated for ``operation`` that a 5xx answers, or ''."""
    started = time.monotonic()

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        if time.monotonic() - started > SECONDS_PER_OPERATION:
            return
        # The public endpoints' own rows, so that their bodies are read, not only 404s.
        if case.path_parameters:
            case.path_parameters = {
                name: real_ids.get(name, value) for name, value in case.path_parameters.items()
            }
        response = case.call(headers={"X-CSRFToken": session["csrftoken"]}, cookies=session)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} answered {response.status_code}: "
            f"{case.as_curl_command()}\n{response.text[:500]}"
        )

    try:
        call()
    except AssertionError as exc:
        return f"{operation.label}: {exc}"
    return ""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_generated_request_gets_a_server_error(
    session: dict[str, str], real_ids: dict[str, Any], settings: Any
) -> None:
    require_service("postgresql")
    settings.GROUNDGAME_SIGNUP_CLIENT_BURST = 1e9  # sign-ups and RSVPs come from one client
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17, "the schema lost operations"
    failures = [f for f in (server_error(op, session, real_ids) for op in operations) if f]
    assert not failures, "\n\n".join(failures)
