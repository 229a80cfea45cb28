"""Types for django-ninja schemas and parameters that keep a request inside what the
databases store: text by ``core.text``'s rule, integers inside a 64-bit column.

A value outside them is a 422 ``validation_failed`` naming the field (see
``groundgame.api``) instead of an insert or a query that fails with a 500.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from groundgame.core.text import text_problem

# The error type of text the rule refuses, in a 422's ``errors``.
TEXT_INVALID = "text_invalid"
# The largest id either database's integer columns hold.
MAX_ID = 2**63 - 1
# Far past any list a page walks, and still a number SQLite's OFFSET takes.
MAX_OFFSET = 2**31 - 1


def _checked_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError(TEXT_INVALID, problem)
    return value


CleanStr = Annotated[str, AfterValidator(_checked_text)]
Id = Annotated[int, Le(MAX_ID)]
Offset = Annotated[int, Ge(0), Le(MAX_OFFSET)]
