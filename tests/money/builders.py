"""Plain builders of the money tests: a committee with its elections, and ActBlue-shaped
webhook bodies and export rows with synthetic donors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from groundgame.integrations.actblue import parse
from groundgame.money import services

ENTITY_ID = 4321
FEC_ID = "C00999991"
PAID = dt.datetime(2024, 7, 22, 15, 30, tzinfo=dt.UTC)


def committee(entity_id: int = ENTITY_ID, fec_id: str = FEC_ID) -> Any:
    """A presidential committee with the 2024 primary and general."""
    made = services.committee_create(
        actor=None,
        name="Synthetic for President",
        fec_id=fec_id,
        kind="presidential",
        actblue_entity_id=entity_id,
    )
    services.election_create(actor=None, cycle=2024, kind="primary", day=dt.date(2024, 3, 5))
    services.election_create(actor=None, cycle=2024, kind="general", day=dt.date(2024, 11, 5))
    parse.committees_forget()
    return made


def donor(n: int) -> dict[str, Any]:
    return {
        "firstname": ["Maya", "Jonah", "Rosa", "Theo", "Ines"][n % 5],
        "lastname": f"Donorson{n}",
        "addr1": f"{100 + n} Elm St",
        "city": "Durham",
        "state": "NC",
        "zip": "27701",
        "country": "United States",
        "email": f"donor{n}@example.org",
        "phone": "",
        "isEligibleForExpressLane": False,
        "employerData": {"employer": "Acme Co", "occupation": "Engineer"},
    }


def webhook_body(
    n: int,
    line_items: list[tuple[int, str]],
    *,
    status: str = "approved",
    refcode: str = "em-0722",
    paid_at: dt.datetime = PAID,
    recurring: str = "once",
    order: str | None = None,
    entity_id: int = ENTITY_ID,
    refunded_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """An ActBlue contribution webhook body: donor ``n`` and (line item id, amount) pairs."""
    body: dict[str, Any] = {
        "donor": donor(n),
        "contribution": {
            "createdAt": paid_at.isoformat(),
            "orderNumber": order or f"AB{1000 + n}",
            "contributionForm": "synthetic-main",
            "refcode": refcode,
            "refcode2": None,
            "refcodes": {},
            "creditCardExpiration": "01/2030",
            "recurringPeriod": recurring,
            "recurringDuration": 0 if recurring == "once" else 12,
            "isRecurring": recurring != "once",
            "isPaypal": False,
            "isMobile": False,
            "isExpress": False,
            "withExpressLane": False,
            "expressSignup": False,
            "abTestName": None,
            "abTestVariation": None,
            "uniqueIdentifier": f"uuid-{n}",
            "status": status,
            "thanksUrl": "https://example.org/thanks",
        },
        "lineitems": [
            {
                "sequence": i,
                "entityId": entity_id,
                "fecId": None,
                "committeeName": "Synthetic for President",
                "amount": amount,
                "paidAt": paid_at.isoformat(),
                "lineitemId": line_item,
            }
            for i, (line_item, amount) in enumerate(line_items)
        ],
    }
    if refunded_at is not None:
        body["contribution"]["refundedAt"] = refunded_at.isoformat()
    return body


CSV_HEADER = [
    "Receipt ID",
    "Date",
    "Amount",
    "Recurring Total Months",
    "Recurrence Number",
    "Recipient",
    "Fundraising Page",
    "Fundraising Partner",
    "Reference Code 2",
    "Reference Code",
    "Donor First Name",
    "Donor Last Name",
    "Donor Addr1",
    "Donor Addr2",
    "Donor City",
    "Donor State",
    "Donor ZIP",
    "Donor Country",
    "Donor Occupation",
    "Donor Employer",
    "Donor Email",
    "Donor Phone",
    "New Express Signup",
    "Comments",
    "Check Number",
    "Check Date",
    "Employer Addr1",
    "Employer Addr2",
    "Employer City",
    "Employer State",
    "Employer ZIP",
    "Employer Country",
    "Donor ID",
    "Fundraiser ID",
    "Fundraiser Recipient ID",
    "Fundraiser Contact Email",
    "Fundraiser Contact First Name",
    "Fundraiser Contact Last Name",
    "Partner ID",
    "Partner Contact Email",
    "Partner Contact First Name",
    "Partner Contact Last Name",
    "Reserved",
    "Lineitem ID",
    "AB Test Name",
    "AB Variation",
    "Recipient Committee",
    "Recipient ID",
    "Recipient Gov ID",
    "Recipient Election",
    "Reserved",
    "Payment ID",
    "Payment Date",
    "Disbursement ID",
    "Disbursement Date",
    "Recovery ID",
    "Recovery Date",
    "Refund ID",
    "Refund Date",
    "Fee",
    "Recur Weekly",
    "ActBlue Express Lane",
    "Reserved",
    "Card Type",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Mobile",
    "Recurring Upsell Shown",
    "Recurring Upsell Succeeded",
    "Double Down",
    "Smart Recurring",
    "Monthly Recurring Amount",
    "Apple Pay",
    "Card Replaced by Account Updater",
    "ActBlue Express Donor",
    "Custom Field 1 Label",
    "Custom Field 1 Value",
    "Donor US Passport Number",
    "Text Message Opt In",
    "Gift Identifier",
    "Gift Declined",
    "Shipping Addr1",
    "Shipping City",
    "Shipping State",
    "Shipping Zip",
    "Shipping Country",
    "Weekly Recurring Amount",
    "Smart Boost Amount",
    "Smart Boost Shown",
]


def csv_row(
    n: int,
    line_item: int,
    amount: str,
    *,
    refcode: str = "em-0722",
    paid_at: dt.datetime = PAID,
    refund_at: dt.datetime | None = None,
    order: str | None = None,
) -> list[str]:
    """A row of the export for donor ``n``'s line item, in the header's 91 columns."""
    d = donor(n)
    values = {
        "Receipt ID": order or f"AB{1000 + n}",
        "Date": paid_at.isoformat(),
        "Amount": amount,
        "Recipient": "Synthetic for President",
        "Fundraising Page": "synthetic-main",
        "Reference Code": refcode,
        "Donor First Name": d["firstname"],
        "Donor Last Name": d["lastname"],
        "Donor Addr1": d["addr1"],
        "Donor City": d["city"],
        "Donor State": d["state"],
        "Donor ZIP": d["zip"],
        "Donor Country": d["country"],
        "Donor Occupation": d["employerData"]["occupation"],
        "Donor Employer": d["employerData"]["employer"],
        "Donor Email": d["email"],
        "Donor ID": f"D{5000 + n}",
        "Lineitem ID": str(line_item),
        "Recipient ID": str(ENTITY_ID),
        "Recipient Gov ID": FEC_ID,
        "Refund ID": f"R{line_item}" if refund_at else "",
        "Refund Date": refund_at.isoformat() if refund_at else "",
    }
    row = [""] * len(CSV_HEADER)
    for i, name in enumerate(CSV_HEADER):
        if name in values:
            row[i] = values[name]
    return row


def csv_text(rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue()
