"""Reads of the people app: lists within a staff member's scope, and aggregates for all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from groundgame.core.errors import ValidationFailed
from groundgame.organizing.selectors import StaffScope
from groundgame.people import counties, universes
from groundgame.people.models import (
    ExternalId,
    GeocodeMiss,
    GeocodeRun,
    Household,
    MatchReview,
    Person,
    PersonMerge,
    Tag,
    Universe,
    VoteHistory,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.voterfile import layouts, report

SwingCounty = counties.SwingCounty
Layout = layouts.Layout
RETURN_YEARS = counties.YEARS  # the presidential elections whose returns are bundled


def person_list(*, scope: StaffScope, query: str = "", state: str = "") -> QuerySet[Person]:
    """People the scope may see, optionally matching a search.

    A search is an email address, a whole US phone number, a last
    name, or a first and last name, each a prefix and case-insensitive. Names are matched as a
    range on the indexed lower-cased last name, so a search stays fast on a state's file.
    """
    # Merged-away records stay for undoing the merge but are not people of their own.
    people = Person.objects.filter(
        scope.person_filter(), merged_into__isnull=True, erased_at__isnull=True
    ).select_related("household", "org_unit")
    query = query.strip()
    digits = re.sub(r"[\s()+.-]", "", query)
    if "@" in query:
        people = people.filter(email=query.lower())
    elif digits.isdigit():
        # Whole numbers only: matching the end of a number would read the whole file.
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        people = people.filter(phone=f"+1{digits}")
    elif query:
        terms = query.lower().split()
        people = people.alias(last_lower=Lower("last_name")).filter(
            last_lower__gte=terms[-1], last_lower__lt=_prefix_end(terms[-1])
        )
        if len(terms) >= 2:
            people = people.filter(first_name__istartswith=terms[0])
    if state:
        people = people.filter(household__state=state.upper())
    return people.order_by("last_name", "first_name", "pk")


def _prefix_end(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def person_vote_history(person: Person) -> list[VoteHistory]:
    record = getattr(person, "voter_record", None)
    if record is None:
        return []
    return list(record.history.all())


def voters_of_state(state: str) -> QuerySet[VoterRecord]:
    """The state's voter records, for a model fitted or scored on its file (insights)."""
    return VoterRecord.objects.filter(state=state)


def voter_states() -> list[str]:
    """The states with voters on file."""
    return list(VoterRecord.objects.order_by("state").values_list("state", flat=True).distinct())


def election_dates(state: str) -> list[dt.date]:
    """The days of the elections in the state's vote history, oldest first."""
    return list(
        VoteHistory.objects.filter(voter__state=state)
        .order_by("election_date")
        .values_list("election_date", flat=True)
        .distinct()
    )


def person_ids_voted(day: dt.date) -> QuerySet[Any]:
    """The people who voted on ``day`` (their ids), to narrow further (a program's lift)."""
    return VoteHistory.objects.filter(election_date=day).values("voter__person_id")


def latest_general() -> dt.date | None:
    """The last general election (November of an even year) in any state's vote history."""
    return (
        VoteHistory.objects.filter(election_date__month=11)
        .order_by("-election_date")
        .values_list("election_date", flat=True)
        .first()
    )


def voters_by_state_id(state: str, voter_ids: Iterable[str]) -> dict[str, int]:
    """The person ids of the state's voters with these ids, by voter id."""
    ids = list(voter_ids)
    found: dict[str, int] = {}
    for start in range(0, len(ids), 5_000):
        found.update(
            VoterRecord.objects.filter(
                state=state, state_voter_id__in=ids[start : start + 5_000]
            ).values_list("state_voter_id", "person_id")
        )
    return found


def voter_ids_of(person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(state, state voter id) of each of these people who is on a voter file."""
    ids = list(person_ids)
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 5_000):
        rows = VoterRecord.objects.filter(person_id__in=ids[start : start + 5_000]).values_list(
            "person_id", "state", "state_voter_id"
        )
        found.update((p, (state, voter)) for p, state, voter in rows)
    return found


UniverseFilter = universes.Filter


def universe_spec_invalid(key: str, message: str) -> ValidationFailed:
    """The error a universe filter raises for a bad value, naming its key."""
    return universes._fail(key, message)


def universe_filter_register(spec_filter: universes.Filter) -> None:
    """Let an app above people add a filter to universe specs (insights' turnout score): it
    cleans its value and gives a condition on ``Person``, as people's own filters do."""
    universes.filter_register(spec_filter)


def person_count() -> int:
    return Person.objects.count()


def voter_count() -> int:
    return VoterRecord.objects.count()


def voters_by_state() -> dict[str, int]:
    rows = VoterRecord.objects.values("state").annotate(n=Count("id")).order_by("state")
    return {r["state"]: r["n"] for r in rows}


def voters_by_party() -> dict[str, int]:
    rows = VoterRecord.objects.values("party").annotate(n=Count("id")).order_by("party")
    return {r["party"]: r["n"] for r in rows}


def ballots_by_county_year() -> dict[tuple[str, int], int]:
    """Ballots cast by the file's voters per (county FIPS, election year)."""
    rows = (
        VoteHistory.objects.values("voter__county_fips", "election_date__year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["voter__county_fips"], r["election_date__year"]): r["n"] for r in rows}


def ballots_by_state_year() -> dict[tuple[str, int], int]:
    rows = (
        VoteHistory.objects.values("voter__state", "election_date__year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["voter__state"], r["election_date__year"]): r["n"] for r in rows}


def swing_county_list() -> tuple[SwingCounty, ...]:
    """The swing states' counties with their real presidential returns, in FIPS order."""
    return counties.swing_counties()


def voter_file_layout(name: str) -> Layout | None:
    """A state's public voter-file layout by its name (``nc``, ``oh``), or None."""
    try:
        return layouts.get(name)
    except KeyError:
        return None


def _ancestor_paths(path: str) -> list[str]:
    """ "1/4/17/" -> ["1/", "1/4/", "1/4/17/"]."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def universe_visible(scope: StaffScope) -> Q:
    """The universes a staff member sees: the whole campaign's, and those made for a unit on
    the line of any unit they hold a role in (the unit itself, above it or below it). A
    county team sees its state's universes and its own, not another state's."""
    if scope.everywhere:
        return Q()
    q = Q(org_unit__isnull=True)
    for path in scope.unit_paths:
        q |= Q(org_unit__path__startswith=path) | Q(org_unit__path__in=_ancestor_paths(path))
    return q


def universe_list(scope: StaffScope) -> QuerySet[Universe]:
    return (
        Universe.objects.filter(universe_visible(scope))
        .select_related("created_by", "org_unit")
        .order_by(Lower("name"))
    )


def universe_get(universe_id: int, scope: StaffScope) -> Universe | None:
    """The universe if this staff member sees it: one they do not see is as if it were not."""
    return universe_list(scope).filter(pk=universe_id).first()


def universe_may_change(scope: StaffScope, universe: Universe) -> bool:
    """Whoever made a universe may change or delete it, and so may an admin of its unit or of
    a unit above (a national admin for the whole campaign's)."""
    if scope.is_superuser or (scope.user_id and universe.created_by_id == scope.user_id):
        return True
    if universe.org_unit is None:
        return scope.is_admin
    return any(universe.org_unit.path.startswith(p) for p in scope.admin_paths)


def universe_count(spec: Mapping[str, Any]) -> int:
    """How many people a universe spec holds (an aggregate: any staff member may ask)."""
    return universes.count(universes.parse(spec))


def universe_breakdown(spec: Mapping[str, Any]) -> universes.Breakdown:
    return universes.breakdown(universes.parse(spec))


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def person_external_id_list(*, person_id: int) -> list[ExternalId]:
    """A person's ids in other systems (the crosswalk), by system."""
    return list(ExternalId.objects.filter(person_id=person_id).order_by("system", "external_id"))


def match_review_list(*, scope: StaffScope) -> QuerySet[MatchReview]:
    """Open reviews whose two people are both in the scope, the likeliest matches first."""
    return (
        MatchReview.objects.filter(
            status=MatchReview.Status.OPEN,
            person__merged_into__isnull=True,
            candidate__merged_into__isnull=True,
        )
        .filter(scope.person_filter("person__org_unit__path"))
        .filter(scope.person_filter("candidate__org_unit__path"))
        .select_related("person__household", "candidate__household")
        .order_by("-score", "pk")
    )


def match_review_get(*, scope: StaffScope, review_id: int) -> MatchReview | None:
    """A review whose two people are both in the scope, open or decided (a decided one shows
    what became of it: merged, merge undone, or two people)."""
    return (
        MatchReview.objects.filter(pk=review_id)
        .filter(scope.person_filter("person__org_unit__path"))
        .filter(scope.person_filter("candidate__org_unit__path"))
        .select_related("person__household", "candidate__household", "decided_by")
        .first()
    )


def person_merge_undoable(*, person_id: int) -> PersonMerge | None:
    """The merge that absorbed this person, or the latest one into them, if not undone."""
    merges = PersonMerge.objects.filter(undone_at__isnull=True).select_related(
        "survivor", "absorbed"
    )
    absorbed = merges.filter(absorbed_id=person_id).first()
    return absorbed or merges.filter(survivor_id=person_id).order_by("-pk").first()


def voter_import_list() -> QuerySet[VoterImport]:
    """Voter-file import runs, newest first, with their counts."""
    return VoterImport.objects.select_related("started_by").order_by("-pk")


def voter_import_get(run_id: int) -> VoterImport | None:
    return VoterImport.objects.filter(pk=run_id).first()


def voter_import_row_errors(run_id: int, *, limit: int) -> list[tuple[str, int, str, str]]:
    """A run's first rejected rows (voters file first, by line): file, row, field, reason."""
    rows = VoterImportRowError.objects.filter(run_id=run_id).order_by("-file", "row_number")
    return list(rows.values_list("file", "row_number", "field", "reason")[:limit])


def voter_import_row_error_count(run_id: int) -> int:
    return VoterImportRowError.objects.filter(run_id=run_id).count()


def geocode_run_list() -> QuerySet[GeocodeRun]:
    """Geocoding runs, newest first."""
    return GeocodeRun.objects.select_related("started_by").order_by("-pk")


def geocode_run_get(run_id: int) -> GeocodeRun | None:
    return GeocodeRun.objects.select_related("started_by").filter(pk=run_id).first()


def households_unplaced(state: str = "") -> QuerySet[Household]:
    """Households with an address and no coordinates (of ``state``, or all): what a geocoding
    run looks up."""
    households = Household.objects.filter(latitude__isnull=True).exclude(street="")
    return households.filter(state=state) if state else households


def geocode_misses(run_id: int) -> QuerySet[GeocodeMiss]:
    """The addresses a run could not place (no match, or a tie), in household order."""
    return GeocodeMiss.objects.filter(run_id=run_id).order_by("household_id")


def voter_import_error_report(run_id: int, out: Any) -> int:
    """Write a run's rejected rows as CSV (file, row, field, reason, line) into a text stream;
    returns how many rows were written."""
    return report.write_error_report(run_id, out)


def person_exists(person_id: int) -> bool:
    return Person.objects.filter(pk=person_id).exists()


@dataclass(frozen=True)
class PersonContact:
    """What messaging and consent need of a person: names, addresses and the city, state and
    ZIP of their household (empty strings when unknown)."""

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    state: str
    city: str = ""
    zip5: str = ""


def person_contact(person_id: int) -> PersonContact | None:
    row = (
        Person.objects.filter(pk=person_id)
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "email",
            "phone",
            "household__state",
            "household__city",
            "household__zip5",
        )
        .first()
    )
    if row is None:
        return None
    state, city, zip5 = (value or "" for value in row[5:])
    return PersonContact(*row[:5], state=state, city=city, zip5=zip5)


def people_by_ids(ids: Iterable[int]) -> QuerySet[Person]:
    """The people with these ids, as a queryset other apps narrow further (consent rules)."""
    return Person.objects.filter(pk__in=list(ids))


def person_ids_with_address(*, field: str, value: str) -> list[int]:
    """Everyone whose ``email`` or ``phone`` is ``value`` (a STOP or a bounce is about the
    address, whoever holds it)."""
    if field not in ("email", "phone"):
        raise ValueError(field)
    return list(Person.objects.filter(**{field: value}).values_list("pk", flat=True))


def phones_of_emails(emails: Iterable[str]) -> set[str]:
    """The phone numbers on file of the people with these email addresses (any case)."""
    wanted = {email.lower() for email in emails}
    if not wanted:
        return set()
    return set(
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .exclude(phone="")
        .values_list("phone", flat=True)
    )


def universe_people(spec: Mapping[str, Any]) -> QuerySet[Person]:
    """The people a universe spec selects (merged records excluded), for a mailing's audience."""
    return universes.people(universes.parse(spec))


def households_by_ids(ids: Iterable[int]) -> QuerySet[Household]:
    """The households with these ids (a walk list's doors, for the canvassing app)."""
    return Household.objects.filter(pk__in=list(ids))


def household_residents(household_ids: Iterable[int]) -> QuerySet[Person]:
    """The people living at these households (merged records excluded), by name."""
    return Person.objects.filter(
        household_id__in=list(household_ids), merged_into__isnull=True
    ).order_by("household_id", "last_name", "first_name", "pk")


# (id, street, zip5, county_fips, latitude, longitude, people of the universe living there):
# what turf cutting reads of a household.
HouseholdPoint = tuple[int, str, str, str, float | None, float | None, int]


def household_points_of(
    people: QuerySet[Person], *, household_ids: Iterable[int] | None = None
) -> Iterator[HouseholdPoint]:
    """The households where ``people`` (a universe's, narrowed by the caller) live (or those
    of ``household_ids`` among them), each with how many of them live there, in household
    order."""
    people = people.filter(household__isnull=False)
    if household_ids is not None:
        people = people.filter(household_id__in=list(household_ids))
    rows = (
        people.values_list(
            "household_id",
            "household__street",
            "household__zip5",
            "household__county_fips",
            "household__latitude",
            "household__longitude",
        )
        .annotate(people=Count("pk"))
        .order_by("household_id")
    )
    return rows.iterator(chunk_size=20_000)


def household_points(ids: Iterable[int]) -> list[HouseholdPoint]:
    """Households by id as turf cutting reads them, with no universe (people counted 0)."""
    rows = Household.objects.filter(pk__in=list(ids)).order_by("pk")
    return [
        (h.pk, h.street, h.zip5, h.county_fips, h.latitude, h.longitude, 0)
        for h in rows.only("street", "zip5", "county_fips", "latitude", "longitude")
    ]


# The teams a person is on are kept by an app above people; it registers a reader when Django
# starts, so that the person's page lists them while people imports none of those apps.
MembershipsReader = Callable[[int], list[Any]]
_memberships_readers: dict[str, MembershipsReader] = {}


def person_memberships_reader_register(name: str, reader: MembershipsReader) -> None:
    """``reader(person_id)`` answers the person's memberships (each with ``org_unit`` and
    ``get_role_display``); registering a name again replaces its reader."""
    _memberships_readers[name] = reader


def person_memberships(person_id: int) -> list[Any]:
    """The teams a person is on, from every app that keeps memberships."""
    return [m for reader in _memberships_readers.values() for m in reader(person_id)]


@dataclass(frozen=True)
class PersonActivity:
    """One thing an app above people holds about a person, for the activity on their page:
    when, which part of the campaign, and what ("Place on Saturday canvass, confirmed")."""

    at: dt.datetime
    kind: str
    text: str


# Apps above people register a reader of what they hold about a person when Django starts, so
# the person's page shows every app's records (and a merge can be seen to move them) while
# people imports none of those apps.
ActivityReader = Callable[[int], list[PersonActivity]]
_activity_readers: dict[str, ActivityReader] = {}


def person_activity_reader_register(name: str, reader: ActivityReader) -> None:
    """``reader(person_id)`` answers the app's records of the person, newest first, at most
    ``PERSON_ACTIVITY_LIMIT``; registering a name again replaces its reader."""
    _activity_readers[name] = reader


PERSON_ACTIVITY_LIMIT = 20


def person_activity(person_id: int) -> list[PersonActivity]:
    """The person's records in every app, newest first."""
    rows = [row for reader in _activity_readers.values() for row in reader(person_id)]
    return sorted(rows, key=lambda row: row.at, reverse=True)[:PERSON_ACTIVITY_LIMIT]


@dataclass(frozen=True)
class PersonPageCard:
    """A card an app above people shows on a person's page: its template, rendered with
    ``person`` and what ``context(person_id, viewer)`` answers (``viewer``: the staff
    member looking, for a card whose content depends on their role and logs their read)."""

    template: str
    context: Callable[[int, Any], dict[str, Any]]


# Apps above people register their cards when Django starts (consent's choices and history
# today), so that the page shows them while people imports none of those apps.
_person_page_cards: dict[str, PersonPageCard] = {}


def person_page_card_register(
    name: str, *, template: str, context: Callable[[int, Any], dict[str, Any]]
) -> None:
    """Show a card on every person's page, below people's own; registering a name again
    replaces its card."""
    _person_page_cards[name] = PersonPageCard(template=template, context=context)


def person_page_cards() -> list[PersonPageCard]:
    """The registered cards, in the order their apps registered them."""
    return list(_person_page_cards.values())


def voter_imports_visible(scope: StaffScope) -> bool:
    """Admins and directors see the voter-file imports: they run the file, and the rows of a
    run's report are personal data."""
    return scope.is_admin or bool(scope.manage_paths)


# What an app above people keeps about a person, for a person's export of their data: each
# registers a reader when Django starts (``people.services.person_export``).
PersonExportPart = Callable[[int], Any]
_person_export_parts: dict[str, PersonExportPart] = {}


def person_export_part_register(name: str, part: PersonExportPart) -> None:
    """``part(person_id)`` answers the app's rows about the person as JSON-ready values; the
    export holds them under ``name``. Registering a name again replaces its reader."""
    _person_export_parts[name] = part


def person_export_parts() -> dict[str, PersonExportPart]:
    return dict(_person_export_parts)


def person_org_unit_path(person_id: int) -> str | None:
    """The path of the unit a person is placed in (None: in none yet, or no such person)."""
    return Person.objects.filter(pk=person_id).values_list("org_unit__path", flat=True).first()
