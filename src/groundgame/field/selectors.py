"""Reads of the field app for other apps and pages. Each area keeps its reads in a module of
its own; this module is the one other apps import."""

from __future__ import annotations

# The canvassing app and its review.
from groundgame.field.canvass_selectors import (
    SUPPORT_LABELS,
    DailyCount,
    canvass_daily_counts,
    flagged_result_list,
    households_reached,
    open_rejection_list,
    person_activity,
    walk_list_bundle,
    walk_list_by_code,
)

# How far apart two places are, as the quality rules measure it.
from groundgame.field.quality import meters_between

# What voters raise at the door, per week and county (measurement reads it).
from groundgame.field.reporting import IssueWeek, issue_weeks

# Turfs and walk lists.
from groundgame.field.turf_selectors import (
    turf_cut_get,
    turf_cut_list,
    turf_doors,
    turf_get,
    turf_list,
    walk_list_list,
)

__all__ = [
    "SUPPORT_LABELS",
    "DailyCount",
    "IssueWeek",
    "canvass_daily_counts",
    "flagged_result_list",
    "households_reached",
    "issue_weeks",
    "meters_between",
    "open_rejection_list",
    "person_activity",
    "turf_cut_get",
    "turf_cut_list",
    "turf_doors",
    "turf_get",
    "turf_list",
    "walk_list_bundle",
    "walk_list_by_code",
    "walk_list_list",
]
