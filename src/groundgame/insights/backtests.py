"""The backtests ``groundgame insights backtest`` runs and the desk shows: each analysis of
the app registers its part under a name (``polling_average``, ``early_vote``) when Django
starts (``apps.InsightsConfig.ready``), as a function of the public data folder returning
its figures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from groundgame.core.errors import ValidationFailed

Backtest = Callable[[Path], dict[str, Any]]

PUBLIC_DATA_MISSING = "public_data_missing"
_BACKTESTS: dict[str, Backtest] = {}


def register(name: str, backtest: Backtest) -> None:
    _BACKTESTS[name] = backtest


def names() -> list[str]:
    return sorted(_BACKTESTS)


def run(data: Path, only: list[str] | None = None) -> dict[str, Any]:
    """Every registered backtest's figures (or those named in ``only``), by name."""
    unknown = sorted(set(only or ()) - set(_BACKTESTS))
    if unknown:
        raise ValidationFailed(
            f"No backtest named {', '.join(unknown)}; there are {', '.join(names())}.",
            code="backtest_unknown",
            field="only",
        )
    try:
        return {name: _BACKTESTS[name](data) for name in names() if not only or name in only}
    except FileNotFoundError as exc:
        raise ValidationFailed(
            f"The backtests read the public data set, and {exc.filename} is missing "
            "(set GROUNDGAME_PUBLIC_DATA to the folder that holds polls/ and elections/).",
            code=PUBLIC_DATA_MISSING,
        ) from None
