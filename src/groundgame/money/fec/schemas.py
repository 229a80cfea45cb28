"""The FEC's JSON Schemas for electronic filing records (format 8.3, public domain; the
copies in ``data/`` are the FEC's own, see ``data/LICENSE.md``), with the column order of each
record taken from the ``COL_SEQ`` the FEC gives every field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

DATA = Path(__file__).with_name("data")


@cache
def schema(name: str) -> dict[str, Any]:
    with (DATA / f"{name}.json").open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


@cache
def columns(name: str) -> tuple[str, ...]:
    """The fields of a record in the order they stand on its ``.fec`` line."""
    numbered = [
        (prop["fec_spec"]["COL_SEQ"], field)
        for field, prop in schema(name)["properties"].items()
        if prop.get("fec_spec", {}).get("COL_SEQ")
    ]
    return tuple(field for _, field in sorted(numbered))


def problems(instance: Mapping[str, Any], validators: tuple[Draft7Validator, ...]) -> list[str]:
    """What is wrong with one record, each message naming its field."""
    found = []
    for check in validators:
        for error in check.iter_errors(instance):
            field = ".".join(str(p) for p in error.absolute_path) or _required_field(error)
            found.append(f"{field}: {error.message}")
    return sorted(set(found))


def _required_field(error: Any) -> str:
    # A missing field is reported on the whole record; its name is the first quoted word.
    if error.validator == "required":
        return str(error.message).split("'")[1]
    return "record"
