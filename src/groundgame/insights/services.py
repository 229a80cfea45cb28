"""Every write of insights, for its pages, its API and other apps: message tests (``message_tests``)
and issue alignment (``issues``)."""

from groundgame.insights.issues import (
    ad_create,
    content_topics_set,
    issue_topic_create,
    mailing_topics_set,
)
from groundgame.insights.message_tests import (
    OutcomeReport,
    RowProblem,
    message_outcomes_import,
    message_test_decide,
    message_test_register,
    survey_test_create,
    survey_test_decide,
    survey_wave_add,
)

__all__ = [
    "OutcomeReport",
    "RowProblem",
    "ad_create",
    "content_topics_set",
    "issue_topic_create",
    "mailing_topics_set",
    "message_outcomes_import",
    "message_test_decide",
    "message_test_register",
    "survey_test_create",
    "survey_test_decide",
    "survey_wave_add",
]
