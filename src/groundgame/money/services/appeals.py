"""Appeals and their return: every write of an appeal and its costs, the price of a message
per channel and provider, and the refresh that computes each appeal's return.

An appeal is created, and its costs entered, by the finance role of its unit (or above) or a
national admin; prices per message are campaign-wide (national finance, national admins).
The return is computed in bulk by a worker (``appeal_returns_refresh``) and kept in
``AppealReturn`` rows, so the appeals page reads a few rows however large the ledger is."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_update, snapshot
from groundgame.core.errors import NotFound, ValidationFailed
from groundgame.events import selectors as events
from groundgame.messaging import selectors as messaging
from groundgame.money import appeal_stats, errors
from groundgame.money.models import (
    Adjustment,
    Appeal,
    AppealCost,
    AppealReturn,
    CashSettings,
    Contribution,
    SendCost,
)
from groundgame.money.services.spending import (
    campaign_wide_checked,
    cents_checked,
    text_checked,
    unit_checked,
)

MESSAGE_CHANNELS = (Appeal.Channel.EMAIL, Appeal.Channel.SMS)


def send_cost_set(
    *, actor: Actor, channel: str, provider: str, cents_per_thousand: int
) -> SendCost:
    """The price of a thousand messages on a channel through a provider."""
    campaign_wide_checked(actor)
    code = errors.APPEAL_COST_INVALID
    if channel not in MESSAGE_CHANNELS:
        raise ValidationFailed(f"Unknown channel {channel!r}.", code=code, field="channel")
    name = text_checked(provider, field="provider", code=code, max_length=60, required=True)
    price = cents_checked(cents_per_thousand, field="cents_per_thousand", code=code)
    with transaction.atomic():
        cost = SendCost.objects.select_for_update().filter(channel=channel, provider=name).first()
        if cost is None:
            cost = SendCost.objects.create(channel=channel, provider=name, cents_per_thousand=price)
            audit_create(actor=actor, action="send_cost.create", instance=cost)
        else:
            before = snapshot(cost)
            cost.cents_per_thousand = price
            cost.save()
            audit_update(actor=actor, action="send_cost.update", instance=cost, before=before)
        _returns_stale()
    return cost


def appeal_create(
    *,
    actor: Actor,
    name: str,
    channel: str,
    refcode: str,
    org_unit_id: int,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    mailing_id: int | None = None,
    provider: str = "",
    event_id: int | None = None,
) -> Appeal:
    """An appeal whose gifts are those carrying ``refcode``. A mailing's appeal names the
    mailing (its sends are its cost) and the provider that sends it."""
    code = errors.APPEAL_INVALID
    unit_checked(actor, org_unit_id)
    if channel not in Appeal.Channel.values:
        raise ValidationFailed(f"Unknown channel {channel!r}.", code=code, field="channel")
    values = {
        "name": text_checked(name, field="name", code=code, max_length=200, required=True),
        "refcode": text_checked(refcode, field="refcode", code=code, max_length=100, required=True),
        "provider": text_checked(
            provider, field="provider", code=code, max_length=60, required=False
        ),
    }
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed("The end comes before the start.", code=code, field="ends_on")
    if mailing_id is not None:
        mailing = messaging.mailing_get(mailing_id)
        if mailing is None or mailing.channel != channel:
            raise ValidationFailed(
                "No mailing of this channel has that id.", code=code, field="mailing"
            )
    if event_id is not None and events.event_detail(event_id=event_id) is None:
        raise ValidationFailed("No such event.", code=code, field="event")
    with transaction.atomic():
        if Appeal.objects.filter(refcode=values["refcode"]).exists():
            raise ValidationFailed("Another appeal has this refcode.", code=code, field="refcode")
        appeal = Appeal.objects.create(
            channel=channel,
            org_unit_id=org_unit_id,
            starts_on=starts_on,
            ends_on=ends_on,
            mailing_id=mailing_id,
            event_id=event_id,
            **values,
        )
        audit_create(actor=actor, action="appeal.create", instance=appeal)
        _returns_stale()
    return appeal


def appeal_cost_add(
    *,
    actor: Actor,
    appeal_id: int,
    kind: str,
    amount_cents: int,
    incurred_on: dt.date,
    note: str = "",
) -> AppealCost:
    """Ad spend, a list rental or another cost of an appeal, entered or imported."""
    code = errors.APPEAL_COST_INVALID
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("No such appeal.", code=errors.APPEAL_NOT_FOUND, field="appeal")
    unit_checked(actor, appeal.org_unit_id)
    if kind not in AppealCost.Kind.values:
        raise ValidationFailed(f"Unknown kind of cost {kind!r}.", code=code, field="kind")
    with transaction.atomic():
        cost = AppealCost.objects.create(
            appeal=appeal,
            kind=kind,
            amount_cents=cents_checked(amount_cents, field="amount_cents", code=code),
            incurred_on=incurred_on,
            note=text_checked(note, field="note", code=code, max_length=200, required=False),
        )
        audit_create(actor=actor, action="appeal_cost.create", instance=cost)
        _returns_stale()
    return cost


def _returns_stale() -> None:
    """Recompute the returns once the change has committed."""
    from groundgame.money import tasks

    transaction.on_commit(partial(tasks.appeal_returns_refresh.enqueue), robust=True)


# --- The return ------------------------------------------------------------------------------


def _send_costs(appeals: list[Appeal]) -> dict[int, tuple[int, int]]:
    """(messages sent, their cost in cents) of each mailing's appeal."""
    prices = {(c.channel, c.provider): c.cents_per_thousand for c in SendCost.objects.all()}
    mailed = [a for a in appeals if a.mailing_id is not None]
    sent = messaging.mailing_sent_counts(a.mailing_id for a in mailed if a.mailing_id)
    found = {}
    for appeal in mailed:
        messages = sent.get(appeal.mailing_id or 0, 0)
        price = prices.get((appeal.channel, appeal.provider), 0)
        found[appeal.pk] = (messages, messages * price // 1000)
    return found


def _gifts_by_donor(refcodes: list[str]) -> dict[str, dict[int, int]]:
    """Each appeal's donors and what each gave through it, less what was taken back."""
    given: dict[str, dict[int, int]] = defaultdict(dict)
    rows = (
        Contribution.objects.filter(refcode__in=refcodes)
        .values_list("refcode", "person_id")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    for refcode, person_id, cents in rows:
        given[refcode][person_id] = cents
    back = (
        Adjustment.objects.filter(contribution__refcode__in=refcodes)
        .values_list("contribution__refcode", "contribution__person_id")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    for refcode, person_id, cents in back:
        given[refcode][person_id] = given[refcode].get(person_id, 0) - cents
    return given


def _churn(appeals: list[Appeal], today: dt.date) -> dict[int, list[int]]:
    """The expected future giving of each person each mailing's unsubscribes cut off."""
    mailed = {a.mailing_id: a.pk for a in appeals if a.mailing_id is not None}
    leavers = messaging.mailing_leavers(mailed)
    people = {p for group in leavers.values() for p in group}
    year_ago = timezone.now() - dt.timedelta(days=appeal_stats.YEAR_DAYS)
    pace = dict(
        Contribution.objects.filter(person_id__in=people, paid_at__gte=year_ago)
        .values_list("person_id")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    election_day = CashSettings.objects.values_list("election_day", flat=True).first()
    days_left = (election_day - today).days if election_day else appeal_stats.YEAR_DAYS
    return {
        mailed[mailing_id]: [
            appeal_stats.future_giving_cents(
                given_last_year_cents=pace.get(p, 0), days_left=days_left
            )
            for p in sorted(group)
        ]
        for mailing_id, group in leavers.items()
    }


def appeal_returns_refresh() -> int:
    """Compute every appeal's return and keep it; returns how many."""
    now = timezone.now()
    today = timezone.localdate(now)
    appeals = list(Appeal.objects.order_by("pk"))
    given = _gifts_by_donor([a.refcode for a in appeals])
    sends = _send_costs(appeals)
    churn = _churn(appeals, today)
    other_costs = dict(
        AppealCost.objects.values_list("appeal_id").annotate(cents=Sum("amount_cents")).order_by()
    )
    gifts = dict(
        Contribution.objects.filter(refcode__in=[a.refcode for a in appeals])
        .values_list("refcode")
        .annotate(n=Sum(1))
        .order_by()
    )
    rows = []
    for appeal in appeals:
        messages, send_cents = sends.get(appeal.pk, (0, 0))
        lost = churn.get(appeal.pk, [])
        result = appeal_stats.appeal_return(
            gifts_by_donor=list(given.get(appeal.refcode, {}).values()),
            cost_cents=send_cents + other_costs.get(appeal.pk, 0),
            churn_by_person=lost,
            seed=appeal.pk,
        )
        running = appeal.ends_on is None or appeal.ends_on >= today
        rows.append(
            AppealReturn(
                appeal=appeal,
                raised_cents=result.raised_cents,
                donors=result.donors,
                gifts=gifts.get(appeal.refcode, 0),
                cost_cents=result.cost_cents,
                messages=messages,
                unsubscribes=len(lost),
                churn_cents=result.churn_cents,
                net_low_cents=result.net_low_cents,
                net_mid_cents=result.net_mid_cents,
                net_high_cents=result.net_high_cents,
                roi_low=result.roi_low,
                roi_mid=result.roi_mid,
                roi_high=result.roi_high,
                loss_probability=result.loss_probability,
                flagged=running and result.likely_loss,
                computed_at=now,
            )
        )
    with transaction.atomic():
        AppealReturn.objects.all().delete()
        AppealReturn.objects.bulk_create(rows)
    return len(rows)
