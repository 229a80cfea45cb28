"""ActBlue's shapes onto the ledger's: a webhook body (``webhook_line_items``) or a row of the
contributions CSV export (``csv_line_item``) becomes line items, each a ``GiftSpec`` and the
refund or chargeback it reports, if any. Everything is checked here, before anything is
written, and a problem names its field (``lineitems[2].amount``) or column.

Amounts are strings of dollars ("10.0"), parsed to cents by ``core.money``. A webhook body's
``contribution.status`` says what it reports: ``approved`` a gift, ``refunded`` its refund and
``chargeback`` its chargeback (each also describes the gift, so a refund that arrives before
its gift records both). In the CSV, a row with a ``Refund ID`` is a refunded gift.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from groundgame.core.errors import ApplicationError
from groundgame.core.money import cents_from_dollars
from groundgame.core.text import text_problem
from groundgame.money import selectors as money_selectors
from groundgame.money import services as money
from groundgame.people import services as people

# The 91 columns of the export, in order, as ActBlue names them.
CSV_REQUIRED = (
    "Receipt ID",
    "Date",
    "Amount",
    "Donor First Name",
    "Donor Last Name",
    "Lineitem ID",
)
STATUS_KIND = {"approved": "", "refunded": "refund", "chargeback": "chargeback"}
MAX_LINE_ITEMS = 100


class BadLineItem(ApplicationError):
    code = "actblue_invalid"
    status = 422


# A donor's fields as the body or the export names them, for the checks identity resolution
# makes: a record it would refuse is refused at the door, not after the acknowledgement.
_DONOR_FIELDS = {
    "webhook": {
        "first_name": "donor.firstname",
        "last_name": "donor.lastname",
        "email": "donor.email",
        "phone": "donor.phone",
    },
    "csv": {
        "first_name": "Donor First Name",
        "last_name": "Donor Last Name",
        "email": "Donor Email",
        "phone": "Donor Phone",
    },
}


def _donor_checked(gift: money.GiftSpec, shape: str) -> None:
    try:
        people.person_fields_clean(
            first_name=gift.first_name,
            last_name=gift.last_name,
            email=gift.email,
            phone=gift.phone,
        )
    except ApplicationError as exc:
        field = _DONOR_FIELDS[shape].get(exc.field or "", exc.field)
        raise BadLineItem(f"{field}: {exc.message}", field=field) from None


@dataclass(frozen=True)
class LineItem:
    gift: money.GiftSpec
    adjustment: money.AdjustmentSpec | None

    @property
    def kind(self) -> str:
        return self.adjustment.kind if self.adjustment else "gift"


# Committees by ActBlue entity id and FEC id, kept by each process for a few seconds: the
# webhook looks one up for every line item.
_COMMITTEES: dict[str, Any] = {"at": 0.0, "entity": {}, "fec": {}}
COMMITTEE_CACHE_SECONDS = 5.0


def _committees() -> tuple[dict[int, int], dict[str, int]]:
    if time.monotonic() - _COMMITTEES["at"] > COMMITTEE_CACHE_SECONDS:
        known = money_selectors.committee_list()
        _COMMITTEES["entity"] = {
            c.actblue_entity_id: c.pk for c in known if c.actblue_entity_id is not None
        }
        _COMMITTEES["fec"] = {c.fec_id: c.pk for c in known}
        _COMMITTEES["at"] = time.monotonic()
    return _COMMITTEES["entity"], _COMMITTEES["fec"]


def committees_forget() -> None:
    """Read the committees afresh at the next look-up (a test that just made one)."""
    _COMMITTEES["at"] = 0.0


def _committee_id(entity_id: Any, fec_id: Any, field: str) -> int:
    by_entity, by_fec = _committees()
    if isinstance(entity_id, int | str) and str(entity_id).strip().isdigit():
        found = by_entity.get(int(str(entity_id).strip()))
        if found is not None:
            return found
    if isinstance(fec_id, str) and fec_id.strip().upper() in by_fec:
        return by_fec[fec_id.strip().upper()]
    raise BadLineItem(
        f"no committee has ActBlue entity id {entity_id!r} or FEC id {fec_id!r}", field=field
    )


def _text(value: Any, field: str, *, required: bool = False, limit: int = 100) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadLineItem(f"{field}: expected text", field=field)
    text = str(value).strip()
    if required and not text:
        raise BadLineItem(f"{field}: required", field=field)
    problem = text_problem(text)
    if problem:
        raise BadLineItem(f"{field}: {problem}", field=field)
    if len(text) > limit:
        raise BadLineItem(f"{field}: longer than {limit} characters", field=field)
    return text


def _amount(value: Any, field: str) -> int:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise BadLineItem(f"{field}: expected an amount as a string", field=field)
    try:
        cents = cents_from_dollars(value, field=field)
    except ApplicationError as exc:
        raise BadLineItem(f"{field}: {exc.message}", field=field) from None
    if cents <= 0 or cents > 10**11:
        raise BadLineItem(f"{field}: {value!r} is not a gift", field=field)
    return cents


def _when(value: Any, field: str) -> dt.datetime:
    text = _text(value, field, required=True)
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        day = parse_date(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        if day is None:
            raise BadLineItem(f"{field}: {text!r} is not a date and time", field=field)
        moment = dt.datetime.combine(day, dt.time(12))
    if timezone.is_naive(moment):
        # The export's times are Eastern, ActBlue's own zone.
        moment = timezone.make_aware(moment, dt.timezone(dt.timedelta(hours=-5)))
    if not (dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= moment <= timezone.now() + dt.timedelta(1)):
        raise BadLineItem(f"{field}: {text!r} is not a time a gift was made", field=field)
    return moment


def _id(value: Any, field: str) -> str:
    text = _text(value, field, required=True, limit=40)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise BadLineItem(f"{field}: {text!r} is not an id", field=field)
    return text


def webhook_line_items(body: Any) -> list[LineItem]:
    """The line items of one webhook body, all checked; the first problem raises."""
    if not isinstance(body, Mapping):
        raise BadLineItem("the body is not a JSON object", field=None)
    donor = body.get("donor")
    contribution = body.get("contribution")
    items = body.get("lineitems")
    if not isinstance(donor, Mapping):
        raise BadLineItem("donor: expected an object", field="donor")
    if not isinstance(contribution, Mapping):
        raise BadLineItem("contribution: expected an object", field="contribution")
    if not isinstance(items, list) or not items:
        raise BadLineItem("lineitems: expected a list of line items", field="lineitems")
    if len(items) > MAX_LINE_ITEMS:
        raise BadLineItem(f"lineitems: more than {MAX_LINE_ITEMS}", field="lineitems")
    status = contribution.get("status", "approved")
    if status not in STATUS_KIND:
        raise BadLineItem(
            f"contribution.status: {status!r} is not approved, refunded or chargeback",
            field="contribution.status",
        )
    employer = donor.get("employerData")
    employer = employer if isinstance(employer, Mapping) else {}
    period = _text(contribution.get("recurringPeriod"), "contribution.recurringPeriod")
    recurring = bool(contribution.get("isRecurring")) or period in ("weekly", "monthly")
    duration = contribution.get("recurringDuration")
    common = money.GiftSpec(
        line_item_id="",
        committee_id=0,
        amount_cents=0,
        paid_at=timezone.now(),
        order_number=_id(contribution.get("orderNumber"), "contribution.orderNumber"),
        first_name=_text(donor.get("firstname"), "donor.firstname", required=True),
        last_name=_text(donor.get("lastname"), "donor.lastname", required=True),
        email=_text(donor.get("email"), "donor.email", limit=254),
        phone=_text(donor.get("phone"), "donor.phone", limit=30),
        street=_text(donor.get("addr1"), "donor.addr1", limit=200),
        city=_text(donor.get("city"), "donor.city"),
        state=_text(donor.get("state"), "donor.state", limit=2),
        zip_code=_text(donor.get("zip"), "donor.zip", limit=10),
        employer=_text(employer.get("employer"), "donor.employerData.employer"),
        occupation=_text(employer.get("occupation"), "donor.employerData.occupation"),
        refcode=_text(contribution.get("refcode"), "contribution.refcode"),
        refcode2=_text(contribution.get("refcode2"), "contribution.refcode2"),
        form_name=_text(contribution.get("contributionForm"), "contribution.contributionForm"),
        recurring_period=(period if period in ("weekly", "monthly") else "monthly")
        if recurring
        else "",
        recurring_duration=duration
        if recurring
        and isinstance(duration, int)
        and not isinstance(duration, bool)
        and duration > 0
        else None,
    )
    _donor_checked(common, "webhook")
    kind = STATUS_KIND[status]
    parsed: list[LineItem] = []
    for index, item in enumerate(items):
        where = f"lineitems[{index}]"
        if not isinstance(item, Mapping):
            raise BadLineItem(f"{where}: expected an object", field=where)
        line_item_id = _id(item.get("lineitemId"), f"{where}.lineitemId")
        amount = _amount(item.get("amount"), f"{where}.amount")
        gift = dataclasses.replace(
            common,
            line_item_id=line_item_id,
            committee_id=_committee_id(
                item.get("entityId"), item.get("fecId"), f"{where}.entityId"
            ),
            amount_cents=amount,
            paid_at=_when(item.get("paidAt"), f"{where}.paidAt"),
        )
        adjustment = None
        if kind:
            taken_at = item.get("refundedAt") or contribution.get("refundedAt")
            adjustment = money.AdjustmentSpec(
                kind=kind,
                external_id=f"{kind}:{line_item_id}",
                amount_cents=amount,
                at=_when(taken_at, f"{where}.refundedAt") if taken_at else timezone.now(),
            )
        parsed.append(LineItem(gift, adjustment))
    return parsed


def csv_line_item(row: Mapping[str, str]) -> LineItem:
    """One row of the contributions export; the first problem raises, naming the column."""
    months = _text(row.get("Recurring Total Months"), "Recurring Total Months", limit=20)
    weekly = _text(row.get("Recur Weekly"), "Recur Weekly", limit=20)
    number = _text(row.get("Recurrence Number"), "Recurrence Number", limit=10)
    recurring = bool(months or weekly or number)
    if number and not number.isdigit():
        raise BadLineItem(
            f"Recurrence Number: {number!r} is not a number", field="Recurrence Number"
        )
    line_item_id = _id(row.get("Lineitem ID"), "Lineitem ID")
    amount = _amount(row.get("Amount"), "Amount")
    gift = money.GiftSpec(
        line_item_id=line_item_id,
        order_number=_id(row.get("Receipt ID"), "Receipt ID"),
        committee_id=_committee_id(
            row.get("Recipient ID"), row.get("Recipient Gov ID"), "Recipient ID"
        ),
        amount_cents=amount,
        paid_at=_when(row.get("Date"), "Date"),
        first_name=_text(row.get("Donor First Name"), "Donor First Name", required=True),
        last_name=_text(row.get("Donor Last Name"), "Donor Last Name", required=True),
        email=_text(row.get("Donor Email"), "Donor Email", limit=254),
        phone=_text(row.get("Donor Phone"), "Donor Phone", limit=30),
        street=_text(row.get("Donor Addr1"), "Donor Addr1", limit=200),
        city=_text(row.get("Donor City"), "Donor City"),
        state=_text(row.get("Donor State"), "Donor State", limit=2),
        zip_code=_text(row.get("Donor ZIP"), "Donor ZIP", limit=10),
        employer=_text(row.get("Donor Employer"), "Donor Employer"),
        occupation=_text(row.get("Donor Occupation"), "Donor Occupation"),
        refcode=_text(row.get("Reference Code"), "Reference Code"),
        refcode2=_text(row.get("Reference Code 2"), "Reference Code 2"),
        form_name=_text(row.get("Fundraising Page"), "Fundraising Page"),
        recurring_period=("weekly" if weekly.lower() in ("yes", "true", "1") else "monthly")
        if recurring
        else "",
        recurring_duration=int(months) if recurring and months.isdigit() and int(months) else None,
        installment=int(number) if recurring and number else None,
        donor_external_id=_text(row.get("Donor ID"), "Donor ID", limit=100),
    )
    _donor_checked(gift, "csv")
    adjustment = None
    if _text(row.get("Refund ID"), "Refund ID", limit=60):
        adjustment = money.AdjustmentSpec(
            kind="refund",
            external_id=f"refund:{line_item_id}",
            amount_cents=amount,
            at=_when(row.get("Refund Date"), "Refund Date"),
        )
    return LineItem(gift, adjustment)
