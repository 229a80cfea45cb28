"""Every write of insights, for its pages, its API and other apps: message tests (``message_tests``)
and issue alignment (``issues``)."""

from groundgame.insights.holdouts import (
    program_create,
    program_holdout_draw,
    program_holdout_set,
    program_piece_add,
    program_start,
)
from groundgame.insights.issues import (
    ad_create,
    content_topics_set,
    issue_topic_create,
    mailing_topics_set,
)
from groundgame.insights.lift_outcomes import (
    OutcomeFileInvalid,
    outcome_file_upload,
    outcome_turnout_create,
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
from groundgame.insights.propensity import propensity_fit
from groundgame.insights.turnout_services import (
    FileLoad,
    early_votes_import,
    election_files_load,
    turnout_goal_set,
)

__all__ = [
    "BATCH",
    "MAX_FILE_BYTES",
    "POLL_FIELDS",
    "FileLoad",
    "OutcomeFileInvalid",
    "OutcomeReport",
    "Progress",
    "RowProblem",
    "ad_create",
    "content_topics_set",
    "early_votes_import",
    "election_files_load",
    "issue_topic_create",
    "mailing_topics_set",
    "message_outcomes_import",
    "message_test_decide",
    "message_test_register",
    "outcome_file_upload",
    "outcome_turnout_create",
    "poll_create",
    "poll_file_import",
    "poll_import_execute",
    "poll_import_start",
    "program_create",
    "program_holdout_draw",
    "program_holdout_set",
    "program_piece_add",
    "program_start",
    "propensity_fit",
    "survey_test_create",
    "survey_test_decide",
    "survey_wave_add",
    "turnout_goal_set",
]
