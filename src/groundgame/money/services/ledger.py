"""The donations ledger's writes: committees and elections, a line item recorded once
however often it arrives, refunds and chargebacks amending it, the contribution limit checked
at entry, the best-efforts request and the "volunteer now" ask queued after a gift, and the
reads of donors' gifts, which are scoped and logged."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core import locks
from groundgame.core.money import format_cents
from groundgame.money import errors, selectors
from groundgame.money.models import (
    Adjustment,
    BestEffortsRequest,
    Committee,
    Contribution,
    Election,
    LimitExcess,
    RecurringPlan,
    VolunteerAsk,
)
from groundgame.organizing import selectors as organizing
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.volunteers import selectors as volunteers_selectors

# Over this a donor's giving to a committee in a cycle is itemized on Schedule A, and their
# employer and occupation must be asked for (52 U.S.C. 30104(b)(3)(A), 11 CFR 104.7).
ITEMIZATION_CENTS = 200_00
FEC_ID = re.compile(r"C\d{8}")


@dataclass(frozen=True)
class GiftSpec:
    """One line item as a processor reports it, already parsed: amounts in cents."""

    line_item_id: str
    order_number: str
    committee_id: int
    amount_cents: int
    paid_at: dt.datetime
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    employer: str = ""
    occupation: str = ""
    refcode: str = ""
    refcode2: str = ""
    form_name: str = ""
    # "" for a one-time gift, else weekly or monthly.
    recurring_period: str = ""
    recurring_duration: int | None = None
    installment: int | None = None
    # The donor's id at the processor (ActBlue's Donor ID), kept in people's crosswalk.
    donor_external_id: str = ""
    earmarked: bool = True


@dataclass(frozen=True)
class AdjustmentSpec:
    kind: str  # Adjustment.Kind
    external_id: str
    amount_cents: int
    at: dt.datetime


@dataclass(frozen=True)
class Recorded:
    contribution: Contribution
    created: bool
    adjusted: bool
    person_created: bool


def _national_admin(actor: Actor, what: str) -> None:
    if actor is not None and not organizing.staff_scope(actor).is_admin:
        raise errors.PermissionDenied(
            f"Only national admins may {what}.", code=errors.MONEY_DENIED, field=None
        )


def committee_create(
    *,
    actor: Actor,
    name: str,
    fec_id: str,
    kind: str,
    actblue_entity_id: int | None = None,
) -> Committee:
    """A committee that takes contributions; campaign-wide, so national admins only."""
    _national_admin(actor, "set up committees")
    fec_id = fec_id.strip().upper()
    if not FEC_ID.fullmatch(fec_id):
        raise errors.ValidationFailed(
            f"{fec_id!r} is not an FEC committee id (C and 8 digits).",
            code=errors.COMMITTEE_INVALID,
            field="fec_id",
        )
    if kind not in Committee.Kind.values:
        raise errors.ValidationFailed(
            f"{kind!r} is not one of {', '.join(Committee.Kind.values)}.",
            code=errors.COMMITTEE_INVALID,
            field="kind",
        )
    if not name.strip():
        raise errors.ValidationFailed(
            "A committee needs a name.", code=errors.COMMITTEE_INVALID, field="name"
        )
    with transaction.atomic():
        if Committee.objects.filter(fec_id=fec_id).exists():
            raise errors.Conflict(
                f"Committee {fec_id} exists already.", code=errors.COMMITTEE_INVALID, field="fec_id"
            )
        committee = Committee.objects.create(
            name=name.strip()[:200], fec_id=fec_id, kind=kind, actblue_entity_id=actblue_entity_id
        )
        audit.audit_create(actor=actor, action="committee.create", instance=committee)
    return committee


def election_create(*, actor: Actor, cycle: int, kind: str, day: dt.date) -> Election:
    """An election of a cycle; gifts count toward the first election on or after their day."""
    _national_admin(actor, "set up elections")
    if kind not in Election.Kind.values:
        raise errors.ValidationFailed(
            f"{kind!r} is not primary or general.", code=errors.ELECTION_INVALID, field="kind"
        )
    if not (day.year in (cycle - 1, cycle) and cycle % 2 == 0):
        raise errors.ValidationFailed(
            f"{day} is not in the {cycle} cycle (an even year and the one before).",
            code=errors.ELECTION_INVALID,
            field="day",
        )
    with transaction.atomic():
        election, created = Election.objects.get_or_create(
            cycle=cycle, kind=kind, defaults={"day": day}
        )
        if created:
            audit.audit_create(actor=actor, action="election.create", instance=election)
    return election


def _checked(gift: GiftSpec) -> None:
    def bad(message: str, field: str) -> errors.ValidationFailed:
        return errors.ValidationFailed(message, code=errors.CONTRIBUTION_INVALID, field=field)

    if not gift.line_item_id.strip() or len(gift.line_item_id) > 40:
        raise bad("A line item needs its id (at most 40 characters).", "line_item_id")
    if gift.amount_cents <= 0:
        raise bad(f"{format_cents(gift.amount_cents)} is not a gift.", "amount")
    if gift.amount_cents > 10**11:
        raise bad(f"{format_cents(gift.amount_cents)} is more than any gift.", "amount")
    if timezone.is_naive(gift.paid_at):
        raise bad("The time paid needs its time zone.", "paid_at")
    if gift.recurring_period not in ("", *RecurringPlan.Period.values):
        raise bad(f"{gift.recurring_period!r} is not weekly or monthly.", "recurring_period")


def _adjustment_checked(adjustment: AdjustmentSpec, contribution: Contribution) -> None:
    def bad(message: str, field: str) -> errors.ValidationFailed:
        return errors.ValidationFailed(message, code=errors.ADJUSTMENT_INVALID, field=field)

    if adjustment.kind not in Adjustment.Kind.values:
        raise bad(f"{adjustment.kind!r} is not a refund or chargeback.", "kind")
    if not adjustment.external_id or len(adjustment.external_id) > 60:
        raise bad("A refund or chargeback needs its id (at most 60 characters).", "external_id")
    if adjustment.amount_cents <= 0:
        raise bad(f"{format_cents(adjustment.amount_cents)} cannot be taken back.", "amount")
    if timezone.is_naive(adjustment.at):
        raise bad("The time taken back needs its time zone.", "at")
    taken = (
        Adjustment.objects.filter(contribution=contribution).aggregate(s=Sum("amount_cents"))["s"]
        or 0
    )
    if taken + adjustment.amount_cents > contribution.amount_cents:
        raise bad(
            f"{format_cents(adjustment.amount_cents)} more would take back more than the "
            f"{format_cents(contribution.amount_cents)} given.",
            "amount",
        )


def line_item_record(
    *,
    actor: Actor,
    gift: GiftSpec,
    source: str,
    adjustment: AdjustmentSpec | None = None,
) -> Recorded:
    """Record one line item, and the refund or chargeback that came with it if any.

    The line item is counted once: a second arrival (a retried webhook, the CSV export after
    the webhook) finds its row and changes nothing but what it adds (its donor's id at the
    processor, an adjustment not yet recorded). A refund may come before the gift it takes
    back, since its report describes the gift too: then both are recorded. So any order of
    arrivals gives the same ledger.
    """
    _checked(gift)
    with transaction.atomic():
        locks.hold([f"money.line_item:{gift.line_item_id}"])
        contribution = (
            Contribution.objects.select_related("election")
            .filter(line_item_id=gift.line_item_id)
            .first()
        )
        created = contribution is None
        person_created = False
        if contribution is None:
            contribution, person_created = _contribution_create(actor, gift, source)
        elif gift.donor_external_id:
            # An id that is someone else's already stays with its holder.
            with contextlib.suppress(errors.Conflict):
                people.external_id_link(
                    actor=None,
                    person_id=contribution.person_id,
                    system="actblue",
                    external_id=gift.donor_external_id,
                )
        adjusted = False
        if adjustment is not None:
            adjusted = _adjustment_add(actor, contribution, adjustment, source)
        if created or adjusted:
            _limit_review(actor, contribution)
    return Recorded(contribution, created, adjusted, person_created)


def _contribution_create(actor: Actor, gift: GiftSpec, source: str) -> tuple[Contribution, bool]:
    committee = Committee.objects.filter(pk=gift.committee_id).first()
    if committee is None:
        raise errors.NotFound(
            "No such committee.", code=errors.COMMITTEE_NOT_FOUND, field="committee"
        )
    election = selectors.election_for(timezone.localdate(gift.paid_at))
    if election is None:
        raise errors.ValidationFailed(
            f"No election is set up on or after {timezone.localdate(gift.paid_at)}.",
            code=errors.ELECTION_NOT_FOUND,
            field="paid_at",
        )
    zip5 = gift.zip_code.strip()[:5]
    found = people.person_find_or_create(
        actor=actor,
        source=f"donation:{source}",
        first_name=gift.first_name,
        last_name=gift.last_name,
        email=gift.email,
        phone=gift.phone,
        street=gift.street,
        city=gift.city,
        state=gift.state if re.fullmatch(r"[A-Za-z]{2}", gift.state.strip()) else "",
        zip5=zip5 if re.fullmatch(r"\d{5}", zip5) else "",
        external=("actblue", gift.donor_external_id) if gift.donor_external_id else None,
    )
    person = found.person
    locks.hold([f"money.donor:{person.pk}"])
    plan = _recurring_plan(gift, committee, person.pk) if gift.recurring_period else None
    contribution = Contribution.objects.create(
        line_item_id=gift.line_item_id.strip(),
        order_number=gift.order_number[:40],
        committee=committee,
        election=election,
        person=person,
        amount_cents=gift.amount_cents,
        paid_at=gift.paid_at,
        refcode=gift.refcode[:100],
        refcode2=gift.refcode2[:100],
        form_name=gift.form_name[:100],
        recurring_plan=plan,
        installment=gift.installment if plan else None,
        first_name=gift.first_name.strip()[:100],
        last_name=gift.last_name.strip()[:100],
        street=gift.street.strip()[:200],
        city=gift.city.strip()[:100],
        state=gift.state.strip().upper()[:2],
        zip_code=gift.zip_code.strip()[:10],
        employer=gift.employer.strip()[:100],
        occupation=gift.occupation.strip()[:100],
        earmarked=gift.earmarked,
        source=source,
    )
    audit.audit_record(
        actor=actor,
        kind=audit.Kind.CREATE,
        action="contribution.create",
        entity_type="money.contribution",
        entity_id=contribution.pk,
        summary=f"line item {contribution.line_item_id}: {format_cents(gift.amount_cents)} "
        f"to {committee.fec_id} by person {person.pk} ({source})",
    )
    _best_efforts_review(actor, contribution)
    _volunteer_ask_review(contribution, gift)
    return contribution, found.created


def _recurring_plan(gift: GiftSpec, committee: Committee, person_id: int) -> RecurringPlan:
    """The plan the installment belongs to. It starts at its earliest installment, whichever
    arrived first, so that the ledger does not depend on the order of arrivals."""
    plan = RecurringPlan.objects.filter(order_number=gift.order_number).first()
    if plan is None:
        return RecurringPlan.objects.create(
            order_number=gift.order_number[:40],
            committee=committee,
            person_id=person_id,
            period=gift.recurring_period,
            amount_cents=gift.amount_cents,
            duration=gift.recurring_duration,
            started_at=gift.paid_at,
        )
    if gift.paid_at < plan.started_at:
        plan.started_at, plan.amount_cents = gift.paid_at, gift.amount_cents
        plan.save(update_fields=["started_at", "amount_cents", "updated_at"])
    return plan


def _adjustment_add(
    actor: Actor, contribution: Contribution, adjustment: AdjustmentSpec, source: str
) -> bool:
    if Adjustment.objects.filter(external_id=adjustment.external_id).exists():
        return False
    _adjustment_checked(adjustment, contribution)
    try:
        with transaction.atomic():
            made = Adjustment.objects.create(
                contribution=contribution,
                kind=adjustment.kind,
                external_id=adjustment.external_id,
                amount_cents=adjustment.amount_cents,
                at=adjustment.at,
                source=source,
            )
    except IntegrityError:
        return False
    audit.audit_create(
        actor=actor,
        action=f"contribution.{adjustment.kind}",
        instance=made,
        summary=f"{adjustment.kind} of {format_cents(adjustment.amount_cents)} on line item "
        f"{contribution.line_item_id}",
    )
    return True


def _limit_review(actor: Actor, contribution: Contribution) -> None:
    """Flag the donor's giving for this election when it passes the limit; clear a flag
    nobody acted on when refunds bring it back under."""
    limit = settings.GROUNDGAME_CONTRIBUTION_LIMIT_CENTS
    total = selectors.donor_election_aggregates(
        committee_id=contribution.committee_id,
        election_id=contribution.election_id,
        person_ids=[contribution.person_id],
    ).get(contribution.person_id, 0)
    excess = LimitExcess.objects.filter(
        committee_id=contribution.committee_id,
        election_id=contribution.election_id,
        person_id=contribution.person_id,
    ).first()
    over = max(0, total - limit)
    if excess is None and not over:
        return
    if excess is None:
        excess = LimitExcess.objects.create(
            committee_id=contribution.committee_id,
            election_id=contribution.election_id,
            person_id=contribution.person_id,
            limit_cents=limit,
            total_cents=total,
            excess_cents=over,
        )
        audit.audit_create(
            actor=actor,
            action="limit_excess.flag",
            instance=excess,
            summary=f"person {contribution.person_id} gave {format_cents(total)} for "
            f"{contribution.election.code}, {format_cents(over)} over the limit",
        )
        return
    if not over and excess.status == LimitExcess.Status.OPEN:
        # Refunds brought the donor back under before anyone acted: nothing is left to
        # decide, and the log keeps the flag and its end. (Kept, the row would depend on
        # the order in which the gifts and refunds arrived.)
        audit.audit_delete(actor=actor, action="limit_excess.clear", instance=excess)
        excess.delete()
        return
    before = audit.snapshot(excess)
    excess.total_cents, excess.limit_cents = total, limit
    if over > excess.excess_cents:
        # More over than anyone decided on: open again, whatever was decided before.
        excess.status = LimitExcess.Status.OPEN
    excess.excess_cents = over
    excess.save()
    audit.audit_update(actor=actor, action="limit_excess.review", instance=excess, before=before)


def _best_efforts_review(actor: Actor, contribution: Contribution) -> None:
    cycle = contribution.election.cycle
    cycle_gifts = Contribution.objects.filter(
        committee_id=contribution.committee_id,
        person_id=contribution.person_id,
        election__cycle=cycle,
    )
    if cycle_gifts.exclude(employer="").exclude(occupation="").exists():
        return
    total = cycle_gifts.aggregate(s=Sum("amount_cents"))["s"] or 0
    if total <= ITEMIZATION_CENTS:
        return
    request, created = BestEffortsRequest.objects.get_or_create(
        committee_id=contribution.committee_id, person_id=contribution.person_id, cycle=cycle
    )
    if not created:
        return
    audit.audit_create(
        actor=actor,
        action="best_efforts.queue",
        instance=request,
        summary=f"person {contribution.person_id} gave {format_cents(total)} in {cycle} "
        "without employer and occupation",
    )
    transaction.on_commit(partial(_best_efforts_send, request.pk), robust=True)


def _best_efforts_send(request_id: int) -> None:
    from groundgame.money import tasks

    tasks.best_efforts_send.enqueue(request_id)


def best_efforts_send(*, request_id: int) -> BestEffortsRequest:
    """Queue the request for employer and occupation through the messaging outbox (the
    contact rule decides at send time, the key sends it once)."""
    from groundgame.messaging import services as messaging

    request = BestEffortsRequest.objects.select_related("committee").get(pk=request_id)
    site = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    send = messaging.message_send(
        person_id=request.person_id,
        channel="email",
        topic_key="transactional",
        subject="One more thing the law asks us to request",
        body=(
            "Thank you for your support.\n\n"
            "Federal law requires us to use our best efforts to collect and report the name, "
            "mailing address, occupation and name of employer of individuals whose "
            f"contributions exceed $200 in an election cycle. Please reply to this email "
            f"with your employer and occupation.\n\n{request.committee.name}\n{site}\n"
        ),
        dedupe_key=f"best_efforts:{request.pk}",
    )
    with transaction.atomic():
        request.queued = send is not None
        request.reason = "" if send is not None else "no email address"
        request.save(update_fields=["queued", "reason", "updated_at"])
    return request


def _volunteer_ask_review(contribution: Contribution, gift: GiftSpec) -> None:
    if volunteers_selectors.person_is_volunteer(contribution.person_id):
        return
    if VolunteerAsk.objects.filter(person_id=contribution.person_id).exists():
        return
    ask = VolunteerAsk.objects.create(person_id=contribution.person_id, contribution=contribution)
    transaction.on_commit(partial(_volunteer_ask_send, ask.pk), robust=True)


def _volunteer_ask_send(ask_id: int) -> None:
    from groundgame.money import tasks

    tasks.volunteer_ask_send.enqueue(ask_id)


def volunteer_ask_send(*, ask_id: int) -> VolunteerAsk:
    """The "volunteer now" email after a donor's first gift: a link to the sign-up form
    with their details filled in, which records the gift as the sign-up's source. Through
    the outbox under the contact rule and the donor's consent to volunteering news."""
    from groundgame.messaging import services as messaging

    ask = VolunteerAsk.objects.select_related("contribution").get(pk=ask_id)
    gift = ask.contribution
    contact = people_selectors.person_contact(ask.person_id)
    link = volunteers_selectors.donation_ask_url(
        values={
            "first_name": gift.first_name,
            "last_name": gift.last_name,
            "email": contact.email if contact else "",
            "phone": contact.phone if contact else "",
            "zip5": gift.zip_code[:5],
            "street": gift.street,
        },
        donation=gift.line_item_id,
    )
    send = messaging.message_send(
        person_id=ask.person_id,
        channel="email",
        topic_key="volunteering",
        subject="Thank you. Can you give an hour too?",
        body=(
            f"Hi {gift.first_name},\n\n"
            f"Thank you for your gift of {format_cents(gift.amount_cents)}.\n"
            "Campaigns are won by people talking to their neighbors. Sign up to volunteer: "
            f"your details are already filled in.\n\n{link}\n"
        ),
        dedupe_key=f"volunteer_ask:{ask.pk}",
    )
    with transaction.atomic():
        ask.queued = send is not None
        ask.reason = "" if send is not None else "no email address"
        ask.save(update_fields=["queued", "reason", "updated_at"])
    return ask


def contribution_enter(*, actor: Actor, gift: GiftSpec) -> Recorded:
    """A gift staff enter by hand (a check at an event): finance staff of the donor's unit,
    or national admins."""
    scope = organizing.staff_scope(actor)
    if not scope.money_everywhere and not scope.finance_paths:
        raise errors.PermissionDenied(
            "Entering gifts needs the finance role.", code=errors.MONEY_DENIED
        )
    recorded = line_item_record(actor=actor, gift=gift, source=Contribution.Source.MANUAL)
    if not recorded.created:
        raise errors.Conflict(
            f"Line item {gift.line_item_id} is recorded already.",
            code=errors.CONTRIBUTION_CONFLICT,
            field="line_item_id",
        )
    return recorded


def limit_excess_resolve(
    *, actor: Actor, scope: StaffScope, excess_id: int, status: str, note: str = ""
) -> LimitExcess:
    """Finance staff decide an excess: refund it, or redesignate it (to the next election, or
    to a spouse, with the donor's written consent), noted."""
    if status not in (LimitExcess.Status.REFUND, LimitExcess.Status.REDESIGNATED):
        raise errors.ValidationFailed(
            f"{status!r} is not refund or redesignated.", code=errors.EXCESS_INVALID, field="status"
        )
    if len(note) > 500:
        raise errors.ValidationFailed(
            "The note is longer than 500 characters.", code=errors.EXCESS_INVALID, field="note"
        )
    with transaction.atomic():
        excess = (
            LimitExcess.objects.select_for_update()
            .filter(pk=excess_id)
            .filter(scope.money_filter("person__org_unit__path"))
            .first()
        )
        if excess is None:
            raise errors.NotFound("No such excess.", code=errors.EXCESS_NOT_FOUND, field=None)
        if excess.status != LimitExcess.Status.OPEN:
            raise errors.Conflict(
                "This excess is decided already.", code=errors.EXCESS_INVALID, field="status"
            )
        before = audit.snapshot(excess)
        excess.status = status
        excess.note = note.strip()
        excess.resolved_by_id = scope.user_id
        excess.resolved_at = timezone.now()
        excess.save()
        audit.audit_update(
            actor=actor, action="limit_excess.resolve", instance=excess, before=before
        )
    return excess


# Reads of donors: scoped to the finance role, and logged ------------------------------------


def contributions_visible(scope: StaffScope) -> QuerySet[Contribution]:
    return Contribution.objects.filter(scope.money_filter("person__org_unit__path"))


def contribution_open(*, actor: Actor, scope: StaffScope, contribution_id: int) -> Contribution:
    """One gift with its donor, for those who may see it; the read is logged."""
    contribution = (
        contributions_visible(scope)
        .select_related("committee", "election", "person", "recurring_plan")
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None:
        raise errors.NotFound(
            "No such contribution.", code=errors.CONTRIBUTION_NOT_FOUND, field=None
        )
    with transaction.atomic():
        audit.audit_read(
            actor=actor,
            entity_type="money.contribution",
            entity_id=contribution.pk,
            summary=f"line item {contribution.line_item_id} of person {contribution.person_id}",
        )
    return contribution


def donor_gifts_open(
    *, actor: Actor, scope: StaffScope, person_id: int, org_unit_path: str | None
) -> list[selectors.Gift] | None:
    """A donor's gifts for their card on the person's page; None (and nothing logged) for
    staff without the finance role over them."""
    if not scope.money_covers(org_unit_path):
        return None
    gifts = selectors.donor_gifts(person_id=person_id)
    if gifts:
        with transaction.atomic():
            audit.audit_read(
                actor=actor,
                entity_type="money.donor",
                entity_id=person_id,
                summary=f"{len(gifts)} gifts",
            )
    return gifts


def ledger_page(
    *, actor: Actor, scope: StaffScope, rows: QuerySet[Contribution], query: str = ""
) -> list[Contribution]:
    """A page of the ledger (already filtered and cut by the view), its reading logged."""
    shown = list(
        rows.filter(scope.money_filter("person__org_unit__path")).select_related(
            "committee", "election"
        )
    )
    with transaction.atomic():
        audit.audit_read_list(
            actor=actor, entity_type="money.contribution", count=len(shown), query=query
        )
    return shown


def limit_excess_list(*, actor: Actor, scope: StaffScope) -> list[LimitExcess]:
    """The donors over the limit whom the viewer may see, open ones first; logged."""
    rows = list(
        LimitExcess.objects.filter(scope.money_filter("person__org_unit__path"))
        .select_related("committee", "election", "person")
        .order_by("status", "-excess_cents", "pk")[:200]
    )
    if rows:
        with transaction.atomic():
            audit.audit_read_list(actor=actor, entity_type="money.limitexcess", count=len(rows))
    return rows


def donor_card(person_id: int, viewer: Actor) -> dict[str, object]:
    """The donor card of a person's page: their gifts for staff with the finance role over
    them (the read logged), nothing for anyone else."""
    scope = organizing.staff_scope(viewer)
    path = people_selectors.person_org_unit_path(person_id)
    gifts = donor_gifts_open(actor=viewer, scope=scope, person_id=person_id, org_unit_path=path)
    if not gifts:
        return {"gifts": []}
    net = sum(g.amount_cents - g.refunded_cents for g in gifts)
    return {"gifts": gifts, "donor_net": format_cents(net)}
