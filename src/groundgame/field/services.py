"""Every write of the field app. Each area keeps its functions in a module of its own; this
module is the one other apps and the views import."""

from __future__ import annotations

# The canvassing app: opening a list by code, syncing results, reviewing them.
from groundgame.field.canvass_services import (
    ACCEPTED,
    DUPLICATE,
    MAX_BATCH,
    REJECTED,
    RowAnswer,
    SyncAnswer,
    canvass_result_review,
    canvass_sync,
    canvass_sync_wait,
    sync_rejection_resolve,
    sync_rejections_purge,
    walk_list_open,
)

# Contact goals and materials.
from groundgame.field.goal_services import (
    contact_goal_set,
    material_deliver,
    material_order,
    material_request_create,
)

# Turfs: cutting, hand adjustments and walk lists.
from groundgame.field.turf_services import (
    BOUNDARIES,
    TARGET_MAX,
    TARGET_MIN,
    turf_cut,
    turf_merge,
    turf_split,
    turf_stops_move,
    walk_list_create,
)

__all__ = [
    "ACCEPTED",
    "BOUNDARIES",
    "DUPLICATE",
    "MAX_BATCH",
    "REJECTED",
    "TARGET_MAX",
    "TARGET_MIN",
    "RowAnswer",
    "SyncAnswer",
    "canvass_result_review",
    "canvass_sync",
    "canvass_sync_wait",
    "contact_goal_set",
    "material_deliver",
    "material_order",
    "material_request_create",
    "sync_rejection_resolve",
    "sync_rejections_purge",
    "turf_cut",
    "turf_merge",
    "turf_split",
    "turf_stops_move",
    "walk_list_create",
    "walk_list_open",
]
