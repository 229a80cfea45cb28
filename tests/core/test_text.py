"""Control characters out of parsed JSON: every string, at any depth, keys included; nothing
else changes."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from groundgame.core.text import has_control_characters, without_control_characters

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    return []


@given(json_values)
def test_no_string_keeps_a_control_character_and_clean_values_are_unchanged(value: Any) -> None:
    cleaned = without_control_characters(value)
    assert not any(has_control_characters(s) for s in strings(cleaned))
    if not any(has_control_characters(s) for s in strings(value)):
        assert cleaned == value


def test_tabs_and_line_breaks_stay() -> None:
    assert without_control_characters({"n\x00": ["a\tb\r\nc\x7f\x1b"]}) == {"n": ["a\tb\r\nc"]}
