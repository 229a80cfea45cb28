"""Reads of insights for its pages, its API and other apps (the health page's headline).
Aggregates only: every staff member reads them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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
from groundgame.insights.polls_selectors import (
    AVERAGE_CACHE_SECONDS,
    BACKTEST_CACHE_SECONDS,
    SERIES_WEEKS,
    Average,
    PlaceRow,
    as_of_date,
    backtest_names,
    backtest_results,
    backtest_results_cached,
    campaign_states,
    error_sizes,
    latest_poll_date,
    place_code,
    place_rows,
    poll_count,
    poll_import_get,
    poll_import_list,
    poll_import_problems,
    poll_list,
    polling_average_as_of,
    polling_headline,
    polling_series,
    polls_average_of_file,
    public_data,
    state_codes,
)
from groundgame.insights.program_selectors import (
    PersonPropensity,
    Reading,
    assignment_rows,
    outcome_list,
    person_propensity,
    program_get,
    program_lift,
    program_list,
    program_power,
    programs_running,
    propensity_model_list,
)
from groundgame.insights.turnout_selectors import (
    EarlyProjection,
    StateTurnout,
    early_vote_backtest,
    early_votes_project,
    early_votes_recorded,
    election_data_dir,
    election_file_loads,
    election_year,
    results_loaded,
    third_party_margins,
    turnout_histories,
    turnout_projection,
    turnout_vs_goal,
)

__all__ = [
    "AVERAGE_CACHE_SECONDS",
    "BACKTEST_CACHE_SECONDS",
    "SERIES_WEEKS",
    "Average",
    "EarlyProjection",
    "IssueGap",
    "MessageTestReading",
    "Period",
    "PersonPropensity",
    "PlaceRow",
    "Reading",
    "StateTurnout",
    "SurveyTestReading",
    "TopicShare",
    "ad_list",
    "as_of_date",
    "assignment_rows",
    "backtest_names",
    "backtest_results",
    "backtest_results_cached",
    "campaign_states",
    "early_vote_backtest",
    "early_votes_project",
    "early_votes_recorded",
    "election_data_dir",
    "election_file_loads",
    "election_year",
    "error_sizes",
    "issue_gap",
    "issue_topic_list",
    "latest_poll_date",
    "message_test_list",
    "message_test_reading",
    "outcome_list",
    "person_propensity",
    "place_code",
    "place_rows",
    "poll_count",
    "poll_import_get",
    "poll_import_list",
    "poll_import_problems",
    "poll_list",
    "polling_average_as_of",
    "polling_headline",
    "polling_series",
    "polls_average_of_file",
    "program_get",
    "program_lift",
    "program_list",
    "program_power",
    "programs_running",
    "propensity_model_list",
    "public_data",
    "results_loaded",
    "state_codes",
    "survey_test_list",
    "survey_test_reading",
    "tests_awaiting_decision",
    "third_party_margins",
    "topic_keys",
    "turnout_histories",
    "turnout_projection",
    "turnout_vs_goal",
]


def issue_topic_list() -> QuerySet[IssueTopic]:
    return IssueTopic.objects.all()


def ad_list() -> QuerySet[Ad]:
    return Ad.objects.select_related("org_unit").order_by("-starts_on", "-pk")


def topic_keys(*, mailing_ids: list[int], item_ids: list[int]) -> dict[tuple[str, int], list[str]]:
    """The topics each of these mailings and content items is tagged with, in one query:
    keyed ("mailing", id) and ("content", id)."""
    found: dict[tuple[str, int], list[str]] = {}
    tags = TopicTag.objects.filter(
        Q(mailing_id__in=mailing_ids) | Q(content_item_id__in=item_ids)
    ).order_by("topic__position")
    for mailing_id, item_id, key in tags.values_list("mailing_id", "content_item_id", "topic__key"):
        target = ("mailing", mailing_id) if mailing_id else ("content", item_id)
        found.setdefault(target, []).append(key)
    return found
