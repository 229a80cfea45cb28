"""Background jobs of the money app: load by id, call a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.money import cashflow, services


@task()
def best_efforts_send(request_id: int) -> None:
    services.best_efforts_send(request_id=request_id)


@task()
def volunteer_ask_send(ask_id: int) -> None:
    services.volunteer_ask_send(ask_id=ask_id)


@task()
def cashflow_refresh() -> None:
    """Recompute the cash-flow forecast and its alerts (when stale, or after a change)."""
    cashflow.cashflow_refresh()


@task()
def cash_alert_notify(alert_id: int) -> None:
    """Email a newly opened cash alert to the treasurer and the campaign manager."""
    cashflow.cash_alert_notify(alert_id=alert_id)


@task()
def appeal_returns_refresh() -> None:
    """Recompute every appeal's return (after a change, or when the kept one is stale)."""
    services.appeal_returns_refresh()
