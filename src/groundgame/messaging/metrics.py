"""Series the messaging app offers to the health dashboard: list health, as aggregates."""

from __future__ import annotations

from groundgame.core.metrics import Metric
from groundgame.messaging import list_health

UNSUBSCRIBE_RATE = Metric(
    "messaging.unsubscribe_rate",
    "share of messages sent",
    "mailing",
    "People who left after a mailing reached them, per message sent",
)
COMPLAINT_RATE = Metric(
    "messaging.complaint_rate",
    "share of emails sent",
    "mailing",
    "Spam complaints about an email mailing, per email sent",
)
CHURN_BY_WEEK = Metric(
    "messaging.churn_by_week",
    "consent changes",
    "week x kind x channel x topic x state",
    "Unsubscribes, channel leaves, STOPs, bounces, complaints and do-not-contact requests",
)
BATTLEGROUND_CHURN_SHARE = Metric(
    "messaging.battleground_churn_share",
    "share of churn",
    "week",
    "The share of each week's churn in the battleground states",
)
REACHABLE = Metric(
    "messaging.reachable",
    "people",
    "channel x topic x week",
    "People who may be contacted about volunteering and voting, per channel",
)

Alert = list_health.Alert


def list_health_alerts() -> list[Alert]:
    """The rates and shares over their thresholds, for the campaign dashboard."""
    return list_health.list_health().alerts
