"""The one rule for text at every boundary, and parsed JSON made storable: every string, at
any depth, keys included; nothing else changes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundgame.core.text import storable_json, text_problem

# st.text() draws lone surrogates and control characters among everything else.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [s for v in value for s in leaves(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *leaves(v)]]
    return [value]


def strings(value: Any) -> list[str]:
    return [v for v in leaves(value) if isinstance(v, str)]


@given(json_values)
def test_storable_json_keeps_no_bad_text_nor_infinite_number_and_leaves_good_values(
    value: Any,
) -> None:
    cleaned = storable_json(value)
    assert not any(text_problem(s) for s in strings(cleaned))
    # Every string now encodes to UTF-8, as both databases need.
    for s in strings(cleaned):
        s.encode("utf-8")
    assert all(math.isfinite(v) for v in leaves(cleaned) if isinstance(v, float))
    good = not any(text_problem(s) for s in strings(value)) and all(
        math.isfinite(v) for v in leaves(value) if isinstance(v, float)
    )
    if good:
        assert cleaned == value


def test_tabs_and_line_breaks_stay_and_half_an_emoji_is_marked() -> None:
    assert storable_json({"n\x00": ["a\tb\r\nc\x7f\x1b", "hi \ud83d"]}) == {
        "n": ["a\tb\r\nc", "hi \ufffd"]
    }
    assert storable_json([float("nan"), float("inf")]) == ["nan", "inf"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Ma\x00ya", "control characters"),
        ("Ma\x1bya", "control characters"),
        ("Maya \udc00", "surrogate"),
    ],
)
def test_the_rule_names_what_is_wrong_and_passes_what_people_type(value: str, says: str) -> None:
    problem = text_problem(value)
    assert problem is not None
    assert says in problem
    assert text_problem("Maya\tLópez\r\n😀") is None
