"""Writes and builds of FEC reports: the committee's filing identity, and a report for a
period written as a ``.fec`` file with every record checked on the way out.

A report names every itemized donor, so building one takes the finance role at national
level or a national admin (``StaffScope.money_everywhere``), and is logged as a read of the
donors it lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import (
    Actor,
    audit_create,
    audit_read_list,
    audit_update,
    snapshot,
)
from groundgame.core.errors import NotFound, ValidationFailed
from groundgame.money import errors
from groundgame.money.fec import filing, report
from groundgame.money.fec.summary import Summary
from groundgame.money.models import Committee, FecFiler
from groundgame.money.services.spending import campaign_wide_checked, text_checked

# A report with more problems than this lists the first ones and their count.
PROBLEMS_LISTED = 200


@dataclass
class ReportBuilt:
    committee: Committee
    period: report.Period
    summary: Summary
    lines: int = 0
    itemized: int = 0
    problem_count: int = 0
    problems: list[filing.Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    @property
    def filename(self) -> str:
        return f"{self.committee.fec_id}-{self.period.start:%Y}{self.period.report_code}.fec"


def _committee(committee_id: int) -> Committee:
    committee = Committee.objects.filter(pk=committee_id).first()
    if committee is None:
        raise NotFound("No such committee.", code=errors.FEC_COMMITTEE_NOT_FOUND, field="committee")
    return committee


def fec_filer_set(
    *,
    actor: Actor,
    committee_id: int,
    street_1: str,
    city: str,
    state: str,
    zip_code: str,
    treasurer_first_name: str,
    treasurer_last_name: str,
    election_state: str = "",
    election_district: str = "",
) -> FecFiler:
    """The address and treasurer a committee's reports carry (campaign-wide: national
    finance or a national admin)."""
    campaign_wide_checked(actor)
    committee = _committee(committee_id)
    code = errors.FEC_FILER_INVALID

    def text(value: str, name: str, length: int, required: bool = True) -> str:
        return text_checked(value, field=name, code=code, max_length=length, required=required)

    values = {
        "street_1": text(street_1, "street_1", 34),
        "city": text(city, "city", 30),
        "state": text(state, "state", 2).upper(),
        "zip_code": text(zip_code, "zip_code", 9),
        "treasurer_first_name": text(treasurer_first_name, "treasurer_first_name", 20),
        "treasurer_last_name": text(treasurer_last_name, "treasurer_last_name", 30),
        "election_state": text(election_state, "election_state", 2, False).upper(),
        "election_district": text(election_district, "election_district", 2, False),
    }
    if values["election_district"] and not values["election_district"].isdigit():
        raise ValidationFailed(
            "The district is two digits (00 for at-large).", code=code, field="election_district"
        )
    values["election_district"] = values["election_district"].zfill(2) if election_district else ""
    with transaction.atomic():
        profile = FecFiler.objects.select_for_update().filter(committee=committee).first()
        if profile is None:
            profile = FecFiler.objects.create(committee=committee, **values)
            audit_create(actor=actor, action="fec_filer.create", instance=profile)
            return profile
        before = snapshot(profile)
        for key, value in values.items():
            setattr(profile, key, value)
        profile.save()
        audit_update(actor=actor, action="fec_filer.update", instance=profile, before=before)
    return profile


def fec_report_write(
    *,
    actor: Actor,
    committee_id: int,
    period: str,
    out: IO[bytes],
    signed: dt.date | None = None,
) -> ReportBuilt:
    """Build the committee's report for ``period`` (``2024Q3``) into ``out``, checking each
    record against the FEC's schemas as it is written. The answer lists what is wrong, by
    line and field; a report with problems is written all the same, so that staff can see
    it, and is not to be filed."""
    campaign_wide_checked(actor)
    committee = _committee(committee_id)
    span = report.quarter(period)
    ledger = report.Ledger(committee, span)
    form = report.filer(committee).form
    built = ReportBuilt(committee, span, ledger.summary())
    signed_on = signed or timezone.localdate()
    for number, item in enumerate(report.records(ledger, signed=signed_on), start=1):
        found = filing.item_problems(number, item, form=form)
        built.problem_count += len(found)
        built.problems.extend(found[: max(0, PROBLEMS_LISTED - len(built.problems))])
        if item.kind in (filing.INDIVIDUAL_RECEIPT, filing.EARMARK_RECEIPT):
            built.itemized += 1
        out.write((item.line() + filing.LINE_END).encode("ascii"))
        built.lines = number
    audit_read_list(
        actor=actor,
        entity_type="money.contribution",
        count=built.itemized,
        query=f"FEC report {span.start:%Y}{span.report_code} of {committee.fec_id}",
    )
    return built
