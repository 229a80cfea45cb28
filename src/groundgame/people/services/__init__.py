"""Every write of the people app, and opening a personal record (which is logged), one module
per domain: people themselves, their fields, identity resolution and external ids
(``persons``), merges and match reviews (``merges``), universes (``universes``), voter files
and bulk loads (``voter_files``), and geocoding households (``geocoding``). Other apps call
them through this package."""

from groundgame.people.services.data_requests import (
    PersonEraser,
    PersonErasure,
    person_erase,
    person_eraser_register,
    person_export,
    voter_import_rejections_purge,
)
from groundgame.people.services.geocoding import geocode_run_execute, geocode_run_start
from groundgame.people.services.merges import (
    MergeMover,
    match_review_decide,
    person_merge,
    person_merge_participant_register,
    person_unmerge,
)
from groundgame.people.services.persons import (
    FindOrCreateResult,
    email_checked,
    external_id_link,
    normalize_email,
    normalize_phone,
    person_create,
    person_fields_clean,
    person_find_or_create,
    person_open,
    person_place,
    person_update,
)
from groundgame.people.services.universes import (
    UniverseExport,
    universe_delete,
    universe_export,
    universe_recount,
    universe_save,
)
from groundgame.people.services.voter_files import (
    HistoryRow,
    HouseholdRow,
    ImportScope,
    PersonRow,
    VoterFileBatch,
    VoterFileForecast,
    VoterRow,
    household_person_bulk_create,
    people_files_link,
    voter_file_bulk_load,
    voter_file_dry_run,
    voter_file_import,
)

__all__ = [
    "FindOrCreateResult",
    "HistoryRow",
    "HouseholdRow",
    "ImportScope",
    "MergeMover",
    "PersonEraser",
    "PersonErasure",
    "PersonRow",
    "UniverseExport",
    "VoterFileBatch",
    "VoterFileForecast",
    "VoterRow",
    "email_checked",
    "external_id_link",
    "geocode_run_execute",
    "geocode_run_start",
    "household_person_bulk_create",
    "match_review_decide",
    "normalize_email",
    "normalize_phone",
    "people_files_link",
    "person_create",
    "person_erase",
    "person_eraser_register",
    "person_export",
    "person_fields_clean",
    "person_find_or_create",
    "person_merge",
    "person_merge_participant_register",
    "person_open",
    "person_place",
    "person_unmerge",
    "person_update",
    "universe_delete",
    "universe_export",
    "universe_recount",
    "universe_save",
    "voter_file_bulk_load",
    "voter_file_dry_run",
    "voter_file_import",
    "voter_import_rejections_purge",
]
