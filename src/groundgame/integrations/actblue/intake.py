"""The webhook's intake: line items stored as receipts before the 2xx, then turned into the
ledger's rows by a worker.

A receipt is the line item checked at the door (``parse``), stored with one ``INSERT ...
ON CONFLICT (line_item_id, kind) DO NOTHING``: a retried webhook stores nothing new. Outside a
caller's transaction the receipts that this process's threads store at the same moment go in
one statement and one commit (``core.group_commit``), as sign-ups do, so a surge costs the
database one transaction per batch. The 2xx is sent after that commit (invariant 2).

After each commit a worker is asked to drain (a flag in the shared cache keeps it to one
task at a time); the drain records each receipt through ``money.services.line_item_record``
in its own savepoint, so one the ledger refuses is marked with its reason and the rest land.
``receipts_sweep``, run by every worker's sweeper, schedules a drain for receipts waiting too
long (a web process that died between its commit and its schedule).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from groundgame.core.errors import ApplicationError
from groundgame.core.group_commit import GroupCommit
from groundgame.integrations.actblue.models import Receipt
from groundgame.integrations.actblue.parse import LineItem
from groundgame.money import services as money

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200
_FLAG = "actblue:drain"
_FLAG_SECONDS = 300
# A drain takes the flag down, then looks once more after this: a commit that saw the flag
# up just before it came down is seen by that look.
LAST_LOOK_SECONDS = 0.1


@dataclass(frozen=True)
class Stored:
    received: int
    new: int


def _payload(item: LineItem) -> Any:
    def plain(value: object) -> object:
        return value.isoformat() if isinstance(value, dt.datetime) else value

    gift = {k: plain(v) for k, v in asdict(item.gift).items()}
    adjustment = (
        {k: plain(v) for k, v in asdict(item.adjustment).items()} if item.adjustment else None
    )
    field = Receipt._meta.get_field("payload")
    return field.get_db_prep_save({"gift": gift, "adjustment": adjustment}, connection)


def _insert_sql(rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(Receipt._meta.db_table)
    columns = ", ".join(
        quote(c) for c in ("line_item_id", "kind", "endpoint", "payload", "received_at", "error")
    )
    row = "(%s, %s, %s, %s, %s, '')"
    # Names from the model and placeholders for the values: nothing here comes from a request.
    return (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608
        f"ON CONFLICT ({quote('line_item_id')}, {quote('kind')}) DO NOTHING "
        f"RETURNING {quote('line_item_id')}, {quote('kind')}"
    )


Batch = tuple[str, Sequence[LineItem]]


def _insert(batch: list[Batch]) -> list[int | BaseException]:
    """Store every line item of every body in one statement: how many were new, per body."""
    now = timezone.now()
    rows: dict[tuple[str, str], list[Any]] = {}
    for endpoint, items in batch:
        for item in items:
            key = (item.gift.line_item_id, item.kind)
            rows.setdefault(key, [*key, endpoint, _payload(item), now])
    params = [value for row in rows.values() for value in row]
    sql = _insert_sql(len(rows))
    # As the sign-ups' group commit: a kept connection is not health-checked first; on a
    # dead one the idempotent insert is made once more on a new one.
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        stored = _execute(sql, params)
    except (OperationalError, InterfaceError):
        connection.close()
        stored = _execute(sql, params)
    fresh = {(str(line), str(kind)) for line, kind in stored}
    answers: list[int | BaseException] = []
    for _, items in batch:
        new = 0
        for item in items:
            key = (item.gift.line_item_id, item.kind)
            if key in fresh:
                fresh.discard(key)  # the same line item twice in a batch is new once
                new += 1
        answers.append(new)
    _drain_schedule()
    return answers


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


_group: GroupCommit[Batch, int] = GroupCommit(_insert)


def receipts_store(*, endpoint: str, items: Sequence[LineItem]) -> Stored:
    """Store the line items of one webhook body; returns once they have committed."""
    if connection.in_atomic_block:
        new = _insert([(endpoint, items)])[0]
        assert isinstance(new, int)
    else:
        new = _group.submit((endpoint, items))
    return Stored(received=len(items), new=new)


def _drain_schedule() -> None:
    def enqueue() -> None:
        if cache.add(_FLAG, 1, timeout=_FLAG_SECONDS):
            from groundgame.integrations.actblue import tasks

            tasks.receipts_drain.enqueue()

    if connection.in_atomic_block:
        transaction.on_commit(enqueue, robust=True)
    else:
        try:
            enqueue()
        except Exception:
            # Committed already: the sweep schedules the drain later.
            logger.exception("could not schedule the ActBlue drain")


def _from_payload(payload: dict[str, object]) -> LineItem:
    gift = dict(payload["gift"])  # type: ignore[call-overload]
    gift["paid_at"] = dt.datetime.fromisoformat(gift["paid_at"])
    adjustment = payload.get("adjustment")
    spec = None
    if isinstance(adjustment, dict):
        spec = money.AdjustmentSpec(
            kind=adjustment["kind"],
            external_id=adjustment["external_id"],
            amount_cents=adjustment["amount_cents"],
            at=dt.datetime.fromisoformat(adjustment["at"]),
        )
    return LineItem(money.GiftSpec(**gift), spec)


def receipts_process(*, batch: int = DRAIN_BATCH) -> int:
    """Record up to ``batch`` waiting receipts in the ledger, oldest first, in one
    transaction; rows another worker holds are skipped (PostgreSQL). Returns how many."""
    with transaction.atomic():
        rows = list(
            Receipt.objects.select_for_update(skip_locked=True)
            .filter(processed_at__isnull=True)
            .order_by("received_at", "pk")[:batch]
        )
        now = timezone.now()
        for row in rows:
            try:
                item = _from_payload(row.payload)
                with transaction.atomic():
                    money.line_item_record(
                        actor=None,
                        gift=item.gift,
                        adjustment=item.adjustment,
                        source="webhook",
                    )
            except ApplicationError as exc:
                where = f"{exc.field}: " if exc.field else ""
                row.error = f"{where}{exc.message}"[:300]
            except (DatabaseError, KeyError, TypeError, ValueError) as exc:
                row.error = f"could not be recorded ({exc.__class__.__name__})"
            row.processed_at = now
        Receipt.objects.bulk_update(rows, ["processed_at", "error"])
    return len(rows)


def receipts_drain() -> int:
    """Process receipts until none waits; the flag comes down before the last look."""
    done = 0
    while True:
        n = receipts_process()
        done += n
        if n:
            continue
        cache.delete(_FLAG)
        time.sleep(LAST_LOOK_SECONDS)
        if not Receipt.objects.filter(processed_at__isnull=True).exists():
            return done
        cache.add(_FLAG, 1, timeout=_FLAG_SECONDS)


def receipts_sweep(*, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> bool:
    """Schedule a drain if a receipt has waited longer than ``older_than``."""
    stale = Receipt.objects.filter(
        processed_at__isnull=True, received_at__lt=timezone.now() - older_than
    ).exists()
    if stale:
        cache.delete(_FLAG)
        _drain_schedule()
    return stale
