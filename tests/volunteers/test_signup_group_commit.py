"""Sign-ups stored together (group commit) on the real database: threads of one process sign
up at once, some with the same idempotency key, some while a batch is refused."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DataError, OperationalError, connection

from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services
from tests.conftest import Campaign
from tests.helpers import run_together


@pytest.fixture
def form(transactional_db: None, campaign: Campaign) -> Any:
    signup = volunteers_services.signup_form_create(
        actor=None, title="Launch", org_unit=campaign.nc
    )
    return volunteers_services.signup_form_publish(actor=None, form_id=signup.pk)


def sign_up(form: Any, key: str) -> tuple[int, bool]:
    submission, created = volunteers_services.signup_submit(
        form=form,
        idempotency_key=key,
        fields={
            "first_name": "Maya",
            "last_name": "Lopez",
            "email": f"maya.{uuid.uuid4().hex[:8]}@example.org",
            "zip5": "27701",
        },
        answers={},
        consents=["volunteering"],
    )
    return submission.pk, created


Wrapper = Callable[..., Any]


def from_threads(form: Any, keys: list[str], wrapper: Wrapper | None = None) -> list[Any]:
    """Each key signed up from a thread of its own (each with its own connection, as a web
    server's threads have), all released at once; the (id, created) or error of each."""
    outcomes: list[Any] = [None] * len(keys)

    def one(i: int) -> None:
        try:
            if wrapper is None:
                outcomes[i] = sign_up(form, keys[i])
            else:
                with connection.execute_wrapper(wrapper):
                    outcomes[i] = sign_up(form, keys[i])
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    run_together([functools.partial(one, i) for i in range(len(keys))])
    return outcomes


def slow_first_insert(seconds: float) -> Wrapper:
    """Holds the first insert of the run for a moment, as a busy database does, so that the
    threads arriving meanwhile are stored together."""
    held = threading.Event()

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "signupsubmission" in sql and sql.startswith("INSERT") and not held.is_set():
            held.set()
            time.sleep(seconds)
        return execute(sql, params, many, context)

    return wrapper


def test_threads_signing_up_at_once_each_land_once_and_replays_get_the_first_row(
    form: Any,
) -> None:
    keys = [f"key-{n:04d}" for n in range(8)] * 2
    outcomes = from_threads(form, keys, slow_first_insert(0.3))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    by_key: dict[str, set[int]] = {}
    created = 0
    for key, (pk, was_created) in zip(keys, outcomes, strict=True):
        by_key.setdefault(key, set()).add(pk)
        created += was_created
    # Each key made one row, once; its other request was answered with that same row.
    assert all(len(ids) == 1 for ids in by_key.values())
    assert created == 8
    assert volunteers_selectors.signup_submission_count(form.pk) == 8


def test_a_batch_the_database_refuses_is_stored_row_by_row(form: Any) -> None:
    statements: list[int] = []

    def refuse_batches(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "signupsubmission" in sql and sql.startswith("INSERT"):
            rows = sql.count("), (") + 1
            statements.append(rows)
            if len(statements) == 1:
                time.sleep(0.3)  # the others arrive and are batched behind this one
            elif rows > 1:
                raise DataError("a value in this batch cannot be stored")
        return execute(sql, params, many, context)

    keys = [f"refused-{n:04d}" for n in range(10)]
    outcomes = from_threads(form, keys, refuse_batches)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert all(created for _, created in outcomes)
    assert any(rows > 1 for rows in statements), "no batch was formed"
    assert volunteers_selectors.signup_submission_count(form.pk) == 10


def test_a_batch_that_meets_a_dead_database_fails_at_once_not_row_by_row(form: Any) -> None:
    rows_tried: list[int] = []

    def dead_after_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "signupsubmission" in sql and sql.startswith("INSERT"):
            rows_tried.append(sql.count("), (") + 1)
            if len(rows_tried) == 1:
                time.sleep(0.3)  # the others arrive and are batched behind this one
                return execute(sql, params, many, context)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    outcomes = from_threads(form, [f"dead-{n:04d}" for n in range(10)], dead_after_first)
    failed = [o for o in outcomes if isinstance(o, OperationalError)]
    assert len(failed) == 9
    # Each batch tried twice (once more on a new connection), and no row tried alone.
    assert sum(rows_tried[1:]) == 2 * 9
    assert volunteers_selectors.signup_submission_count(form.pk) == 1
