"""What a metric is, for every app's ``metrics.py``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """A named series an app offers to the health dashboard."""

    name: str
    unit: str
    scope: str
    description: str = ""
