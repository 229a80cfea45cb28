"""The demo's appeals: each refcode of the quarter's gifts is an appeal with its cost, and
each fundraising mailing of the messaging history is the email or text behind one, so the
appeals page tells a story on the first run. The launch email and the Facebook ads win; the
convention email loses once its rented list is paid for; the TV flight and the "final
notice" email (no gifts, many unsubscribes) lose, and the text match still running is
flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from groundgame.messaging import selectors as messaging
from groundgame.money import services as money

D = dt.date


@dataclass(frozen=True)
class Plan:
    name: str
    channel: str
    refcode: str
    starts_on: dt.date
    ends_on: dt.date | None
    mailing: str = ""  # the name of the demo mailing that carried it
    costs: tuple[tuple[str, int], ...] = ()  # (kind, cents)


PLANS = (
    Plan("Launch: double your gift", "email", "em-0722-launch", D(2024, 7, 22), D(2024, 7, 29),
         "Q3 match: double your gift"),
    Plan("Convention: we are being outspent", "email", "em-0815-convention", D(2024, 8, 15),
         D(2024, 8, 25), "We are being outspent", (("list_rental", 30_000_00),)),
    Plan("Quarter's deadline", "email", "em-0930-deadline", D(2024, 9, 27), D(2024, 9, 30),
         "End of quarter push"),
    Plan("Text match", "sms", "sms-0805-match", D(2024, 8, 5), None, "Chip in before midnight",
         (("list_rental", 16_000_00), ("production", 2_500_00))),
    Plan("Final notice: membership", "email", "em-final-notice", D(2024, 9, 20), None,
         "Final notice: membership", (("production", 1_500_00),)),
    Plan("Facebook ads", "ads", "ads-fb-0801", D(2024, 8, 1), D(2024, 8, 31), "",
         (("ad_spend", 4_000_00),)),
    Plan("TV flight, Philadelphia", "ads", "ads-tv-0901", D(2024, 9, 1), D(2024, 9, 30), "",
         (("ad_spend", 60_000_00), ("production", 8_000_00))),
    Plan("Rally in Durham", "event", "events-0910-rally", D(2024, 9, 10), D(2024, 9, 10), "",
         (("other", 6_500_00),)),
)  # fmt: skip
PROVIDERS = (("email", "Postmark", 1_00), ("sms", "Twilio", 7_90))


def appeals_create(*, national_id: int) -> int:
    """The appeals, their costs and the price of sending; returns how many appeals."""
    for channel, provider, cents in PROVIDERS:
        money.send_cost_set(
            actor=None, channel=channel, provider=provider, cents_per_thousand=cents
        )
    mailings = {m.name: m.pk for m in messaging.mailing_list()}
    providers = {channel: provider for channel, provider, _ in PROVIDERS}
    for plan in PLANS:
        appeal = money.appeal_create(
            actor=None,
            name=plan.name,
            channel=plan.channel,
            refcode=plan.refcode,
            org_unit_id=national_id,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            mailing_id=mailings.get(plan.mailing),
            provider=providers.get(plan.channel, ""),
        )
        for kind, cents in plan.costs:
            money.appeal_cost_add(
                actor=None,
                appeal_id=appeal.pk,
                kind=kind,
                amount_cents=cents,
                incurred_on=plan.starts_on,
            )
    money.appeal_returns_refresh()
    return len(PLANS)
