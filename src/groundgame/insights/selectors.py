"""Reads of insights for its pages, its API and other apps (the health page's headline).
Aggregates only: every staff member reads them."""

from __future__ import annotations

from django.db.models import QuerySet

from groundgame.insights.issues_gap import IssueGap, Period, TopicShare, issue_gap
from groundgame.insights.message_tests_reading import (
    MessageTestReading,
    SurveyTestReading,
    message_test_list,
    message_test_reading,
    survey_test_list,
    survey_test_reading,
    tests_awaiting_decision,
)
from groundgame.insights.models import Ad, IssueTopic, TopicTag

__all__ = [
    "IssueGap",
    "MessageTestReading",
    "Period",
    "SurveyTestReading",
    "TopicShare",
    "ad_list",
    "issue_gap",
    "issue_topic_list",
    "message_test_list",
    "message_test_reading",
    "survey_test_list",
    "survey_test_reading",
    "tests_awaiting_decision",
    "topic_keys",
]


def issue_topic_list() -> QuerySet[IssueTopic]:
    return IssueTopic.objects.all()


def ad_list() -> QuerySet[Ad]:
    return Ad.objects.select_related("org_unit").order_by("-starts_on", "-pk")


def topic_keys(*, mailing_id: int | None = None, item_id: int | None = None) -> list[str]:
    """The topics a mailing or a content item is tagged with."""
    if mailing_id is not None:
        tags = TopicTag.objects.filter(mailing_id=mailing_id)
    else:
        tags = TopicTag.objects.filter(content_item_id=item_id)
    return list(tags.order_by("topic__position").values_list("topic__key", flat=True))
