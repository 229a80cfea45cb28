"""Request JSON: nesting bounded before parsing, NaN refused, strings nest nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundgame.core import json_body
from groundgame.core.errors import ApplicationError


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def test_a_body_nested_thousands_deep_is_refused_before_parsing() -> None:
    with pytest.raises(ApplicationError) as caught:
        json_body.loads(b'{"a": ' + nested(100_000) + b"}")
    assert caught.value.code == "json_too_deep"
    assert caught.value.status == 400


def test_brackets_inside_strings_nest_nothing() -> None:
    body = json.dumps({"notes": "[[[{{{" * 100 + '\\"]]'}).encode()
    assert json_body.loads(body)["notes"].startswith("[[[{{{")


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    with pytest.raises(ApplicationError) as caught:
        json_body.loads(b'{"latitude": ' + constant + b"}")
    assert caught.value.code == "invalid_json"


@given(st.integers(min_value=0, max_value=3 * json_body.MAX_DEPTH), st.booleans())
def test_only_nesting_deeper_than_the_limit_is_refused(levels: int, in_strings: bool) -> None:
    # Brackets in keys and values count for nothing.
    filler = b'"]{[\\\\"' if in_strings else b"1"
    body = b'{"k[": ' * levels + filler + b"}" * levels
    assert json_body.too_deep(body) == (levels > json_body.MAX_DEPTH)
    if levels <= json_body.MAX_DEPTH:
        json_body.loads(body)
    else:
        with pytest.raises(ApplicationError):
            json_body.loads(body)
