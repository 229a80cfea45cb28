"""Every write of the money app, one module per domain: the donations ledger (``ledger``).
Other apps call them through this package."""

from groundgame.money.services.ledger import (
    ITEMIZATION_CENTS,
    AdjustmentSpec,
    GiftSpec,
    Recorded,
    best_efforts_send,
    committee_create,
    contribution_enter,
    contribution_open,
    contributions_visible,
    donor_card,
    donor_gifts_open,
    election_create,
    ledger_page,
    limit_excess_list,
    limit_excess_resolve,
    line_item_record,
    volunteer_ask_send,
)

__all__ = [
    "ITEMIZATION_CENTS",
    "AdjustmentSpec",
    "GiftSpec",
    "Recorded",
    "best_efforts_send",
    "committee_create",
    "contribution_enter",
    "contribution_open",
    "contributions_visible",
    "donor_card",
    "donor_gifts_open",
    "election_create",
    "ledger_page",
    "limit_excess_list",
    "limit_excess_resolve",
    "line_item_record",
    "volunteer_ask_send",
]
