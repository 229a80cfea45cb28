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
from groundgame.insights.polls_services import (
    BATCH,
    MAX_FILE_BYTES,
    POLL_FIELDS,
    Progress,
    poll_create,
    poll_file_import,
    poll_import_execute,
    poll_import_start,
)

__all__ = [
    "BATCH",
    "MAX_FILE_BYTES",
    "POLL_FIELDS",
    "OutcomeReport",
    "Progress",
    "RowProblem",
    "ad_create",
    "content_topics_set",
    "issue_topic_create",
    "mailing_topics_set",
    "message_outcomes_import",
    "message_test_decide",
    "message_test_register",
    "poll_create",
    "poll_file_import",
    "poll_import_execute",
    "poll_import_start",
    "survey_test_create",
    "survey_test_decide",
    "survey_wave_add",
]
