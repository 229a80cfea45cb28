"""Universes: audiences described by a spec of filters over people and their voter records.

A spec is a JSON object: ``{"version": 1, "state": ["PA"], "general_votes": [0, 1], ...}``.
Each filter is a small class in ``FILTERS`` that cleans its value (naming its key in the error)
and turns it into a ``Q`` on ``Person``. Adding a filter (consent, contact history) is adding a
class to that tuple; the counting, the export and the form need no change beyond its inputs.

Filters that read the voter record (state, county, party, turnout, vote history, status) make
the universe one of voters. Such a spec is counted on the voter table itself, where those
columns live, so a count on a state's file needs no join; when a filter also reads the
person, the count starts from the people that filter narrows. Merged people
(``merged_into`` set) are never counted: their survivor is.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone

from groundgame.core.errors import ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import counties, errors
from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.models import Person, PersonTag, Tag, VoteHistory, VoterRecord

SPEC_VERSION = 1

# Postal codes of the states, DC and the territories with voter files.
STATE_CODES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    }
)
_FIPS = re.compile(r"^\d{5}$")
MAX_CHOICES = 500  # bounds the size of an IN list a spec can ask for


def _fail(key: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=errors.UNIVERSE_SPEC_INVALID, field=key)


def _list(key: str, raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise _fail(key, "Expected a list.")
    if not raw:
        raise _fail(key, "Pick at least one value, or leave the filter out.")
    if len(raw) > MAX_CHOICES:
        raise _fail(key, f"At most {MAX_CHOICES} values.")
    return raw


def _bool(key: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise _fail(key, "Expected true or false.")
    return raw


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Filter(ABC):
    key: ClassVar[str]
    label: ClassVar[str]
    # True when the filter reads the voter record: the universe is then made of voters only.
    voter: ClassVar[bool] = False

    @abstractmethod
    def clean(self, raw: Any) -> Any:
        """The validated value, JSON-ready; raises ``ValidationFailed`` naming ``key``."""

    @abstractmethod
    def q(self, value: Any) -> Q:
        """The condition on ``Person`` (voter columns through ``voter_record__``)."""

    def voter_q(self, value: Any) -> Q:
        """The same condition on ``VoterRecord``, for counting on the voter table."""
        return _on_voter(self.q(value))

    def describe(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


class ChoicesFilter(Filter):
    """Any of a fixed set of values of one column."""

    column: ClassVar[str]
    choices: ClassVar[Mapping[Any, str]]

    def clean(self, raw: Any) -> list[Any]:
        values = _list(self.key, raw)
        for value in values:
            if (
                not isinstance(value, str | int)
                or isinstance(value, bool)
                or (value not in self.choices)
            ):
                allowed = ", ".join(repr(c) for c in self.choices)
                raise _fail(self.key, f"{value!r} is not one of {allowed}.")
        return sorted(set(values), key=list(self.choices).index)

    def q(self, value: list[Any]) -> Q:
        return Q(**{f"{self.column}__in": value})

    def describe(self, value: list[Any]) -> str:
        return ", ".join(self.choices[v] for v in value)


class StateFilter(Filter):
    key = "state"
    label = "State"
    voter = True

    def clean(self, raw: Any) -> list[str]:
        codes = []
        for value in _list(self.key, raw):
            code = value.strip().upper() if isinstance(value, str) else ""
            if code not in STATE_CODES:
                raise _fail(self.key, f"{value!r} is not a state's postal code.")
            codes.append(code)
        return sorted(set(codes))

    def q(self, value: list[str]) -> Q:
        return Q(voter_record__state__in=value)


def county_names() -> dict[str, str]:
    """County FIPS to "Name, ST" for the counties the campaign knows by name."""
    return {c.fips: f"{c.name}, {c.state}" for c in counties.swing_counties()}


class CountyFilter(Filter):
    key = "county"
    label = "County"
    voter = True

    def clean(self, raw: Any) -> list[str]:
        values = _list(self.key, raw)
        for value in values:
            if not isinstance(value, str) or not _FIPS.match(value):
                raise _fail(self.key, f"{value!r} is not a county FIPS code (5 digits).")
        return sorted(set(values))

    def q(self, value: list[str]) -> Q:
        return Q(voter_record__county_fips__in=value)

    def describe(self, value: list[str]) -> str:
        names = county_names()
        return "; ".join(names.get(v, v) for v in value)


class OrgUnitFilter(Filter):
    """People placed in a unit or anywhere under it."""

    key = "org_unit"
    label = "Org unit"

    def clean(self, raw: Any) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _fail(self.key, "Expected an org unit id.")
        if organizing.org_unit_get(raw) is None:
            raise _fail(self.key, f"There is no org unit {raw}.")
        return raw

    def q(self, value: int) -> Q:
        unit = organizing.org_unit_get(value)
        if unit is None:  # deleted since the spec was saved
            raise _fail(self.key, f"There is no org unit {value}.")
        # The unit ids under it are few: a subquery keeps the people table unjoined.
        units = organizing.org_unit_list().filter(path__startswith=unit.path).values("pk")
        return Q(org_unit_id__in=Subquery(units))

    def describe(self, value: int) -> str:
        unit = organizing.org_unit_get(value)
        return unit.name if unit else f"unit {value}"


class AgeFilter(Filter):
    """Age today, from the date of birth; people without one are left out."""

    key = "age"
    label = "Age"

    def clean(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict) or not set(raw) <= {"min", "max"}:
            raise _fail(self.key, 'Expected {"min": years, "max": years}.')
        cleaned = {}
        for bound in ("min", "max"):
            value = raw.get(bound)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 130:
                raise _fail(self.key, f"The {bound}imum age must be a whole number from 0 to 130.")
            cleaned[bound] = value
        if not cleaned:
            raise _fail(self.key, "Give a minimum age, a maximum age, or both.")
        if cleaned.get("min", 0) > cleaned.get("max", 130):
            raise _fail(self.key, "The minimum age is above the maximum.")
        return cleaned

    def q(self, value: dict[str, int]) -> Q:
        today = timezone.localdate()
        q = Q()
        if "min" in value:
            q &= Q(birth_date__lte=_years_before(today, value["min"]))
        if "max" in value:
            q &= Q(birth_date__gt=_years_before(today, value["max"] + 1))
        return q

    def describe(self, value: dict[str, int]) -> str:
        if "min" in value and "max" in value:
            return f"{value['min']} to {value['max']}"
        return f"{value['min']} or older" if "min" in value else f"{value['max']} or younger"


class PartyFilter(ChoicesFilter):
    key = "party"
    label = "Party"
    voter = True
    column = "voter_record__party"
    # "" is a voter in a state without party registration (GA, MI, WI, ...).
    choices = dict(VoterRecord.Party.choices)


def propensity_label(votes: int) -> str:
    return f"{votes} of last {len(PRESIDENTIAL_GENERALS)} generals"


class TurnoutFilter(ChoicesFilter):
    key = "general_votes"
    label = "Turnout"
    voter = True
    column = "voter_record__general_votes"
    choices = {n: propensity_label(n) for n in range(len(PRESIDENTIAL_GENERALS) + 1)}


class StatusFilter(ChoicesFilter):
    key = "status"
    label = "Voter status"
    voter = True
    column = "voter_record__status"
    choices = dict(VoterRecord.Status.choices)


class MissingFilter(Filter):
    """``true``: only voters the latest file of their state no longer lists; ``false``: only
    those it still lists."""

    key = "missing"
    label = "On the latest file"
    voter = True

    def clean(self, raw: Any) -> bool:
        return _bool(self.key, raw)

    def q(self, value: bool) -> Q:
        return Q(voter_record__missing_since__isnull=not value)

    def describe(self, value: bool) -> str:
        return "missing from it" if value else "still on it"


def _dates(key: str, raw: Any) -> list[str]:
    days = []
    for value in _list(key, raw):
        try:
            days.append(dt.date.fromisoformat(value).isoformat())
        except (TypeError, ValueError):
            raise _fail(key, f"{value!r} is not an election date (YYYY-MM-DD).") from None
    return sorted(set(days))


def _voted(day: str, voter: str) -> Exists:
    # A probe per voter of the (voter, election date) unique index: on a state's file this is
    # faster than gathering the hundreds of thousands of voters of that day into a list.
    return Exists(VoteHistory.objects.filter(voter_id=OuterRef(voter), election_date=day))


class VotedFilter(Filter):
    """Cast a ballot in every one of these elections."""

    key = "voted_in"
    label = "Voted in"
    voter = True
    negated = False

    def clean(self, raw: Any) -> list[str]:
        return _dates(self.key, raw)

    def _q(self, value: list[str], voter: str) -> Q:
        q = Q()
        for day in value:
            voted = _voted(day, voter)
            q &= Q(~voted if self.negated else voted)
        return q

    def q(self, value: list[str]) -> Q:
        return self._q(value, "voter_record__pk")

    def voter_q(self, value: list[str]) -> Q:
        return self._q(value, "pk")

    def describe(self, value: list[str]) -> str:
        # The builder offers the generals by year; any other day reads as its date.
        generals = {day.isoformat(): f"{day.year} general" for day in PRESIDENTIAL_GENERALS}
        return ", ".join(generals.get(day, day) for day in value)


class NotVotedFilter(VotedFilter):
    """Cast no ballot in any of these elections (while on the file)."""

    key = "not_voted_in"
    label = "Did not vote in"
    negated = True


class HasFieldFilter(Filter):
    column: ClassVar[str]

    def clean(self, raw: Any) -> bool:
        return _bool(self.key, raw)

    def q(self, value: bool) -> Q:
        empty = Q(**{self.column: ""})
        return ~empty if value else empty

    def describe(self, value: bool) -> str:
        return "yes" if value else "no"


class HasEmailFilter(HasFieldFilter):
    key = "has_email"
    label = "Has an email address"
    column = "email"


class HasPhoneFilter(HasFieldFilter):
    key = "has_phone"
    label = "Has a phone number"
    column = "phone"


class TagsAnyFilter(Filter):
    key = "tags_any"
    label = "Tagged with any of"

    def clean(self, raw: Any) -> list[str]:
        names = _list(self.key, raw)
        if not all(isinstance(n, str) for n in names):
            raise _fail(self.key, "Expected tag names.")
        known = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
        unknown = sorted(set(names) - known)
        if unknown:
            raise _fail(self.key, f"No tag named {unknown[0]!r}.")
        return sorted(known)

    def q(self, value: list[str]) -> Q:
        tagged = PersonTag.objects.filter(tag__name__in=value).values("person_id")
        return Q(pk__in=Subquery(tagged))


class TagsNoneFilter(TagsAnyFilter):
    key = "tags_none"
    label = "Tagged with none of"

    def q(self, value: list[str]) -> Q:
        return ~super().q(value)


FILTERS: list[Filter] = [
    StateFilter(),
    CountyFilter(),
    OrgUnitFilter(),
    AgeFilter(),
    PartyFilter(),
    TurnoutFilter(),
    VotedFilter(),
    NotVotedFilter(),
    StatusFilter(),
    MissingFilter(),
    HasEmailFilter(),
    HasPhoneFilter(),
    TagsAnyFilter(),
    TagsNoneFilter(),
]
BY_KEY = {f.key: f for f in FILTERS}


def filter_register(spec_filter: Filter) -> None:
    """Add a filter of an app above people (registered when Django starts); registering a
    key again replaces its filter."""
    FILTERS[:] = [f for f in FILTERS if f.key != spec_filter.key] + [spec_filter]
    BY_KEY[spec_filter.key] = spec_filter


@dataclass(frozen=True)
class Spec:
    """A validated spec: the cleaned value of each filter in use, in ``FILTERS`` order."""

    values: dict[str, Any] = field(default_factory=dict)

    @property
    def voters_only(self) -> bool:
        return any(BY_KEY[k].voter for k in self.values)

    @property
    def reads_person(self) -> bool:
        """A filter reads the person's own columns (age, email, tags, unit)."""
        return any(not BY_KEY[k].voter for k in self.values)

    def to_json(self) -> dict[str, Any]:
        return {"version": SPEC_VERSION, **self.values}

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for people to read."""
        return [(BY_KEY[k].label, BY_KEY[k].describe(v)) for k, v in self.values.items()]

    def person_q(self) -> Q:
        q = Q(merged_into__isnull=True)
        if self.voters_only:
            q &= Q(voter_record__isnull=False)
        for key, value in self.values.items():
            q &= BY_KEY[key].q(value)
        return q

    def voter_q(self) -> Q:
        """The same conditions, for a query on ``VoterRecord``."""
        merged = Person.objects.filter(merged_into__isnull=False).values("pk")
        q = ~Q(person_id__in=Subquery(merged))
        for key, value in self.values.items():
            q &= BY_KEY[key].voter_q(value)
        return q


def parse(raw: Any) -> Spec:
    """Validate a spec; every error names the filter (``field``) and says what is wrong."""
    if not isinstance(raw, Mapping):
        raise _fail("spec", "A universe spec is a JSON object.")
    version = raw.get("version", SPEC_VERSION)
    if version != SPEC_VERSION:
        raise _fail("version", f"Unknown spec version {version!r}; this server reads version 1.")
    unknown = sorted(set(raw) - set(BY_KEY) - {"version"})
    if unknown:
        raise _fail(unknown[0], f"{unknown[0]!r} is not a universe filter.")
    values = {f.key: f.clean(raw[f.key]) for f in FILTERS if raw.get(f.key) is not None}
    for day in set(values.get("voted_in", ())) & set(values.get("not_voted_in", ())):
        raise _fail("not_voted_in", f"{day} is also in 'voted in': nobody can match.")
    return Spec(values)


def _on_voter(q: Q) -> Q:
    """Re-root a condition on ``Person`` to ``VoterRecord``: voter columns lose their
    ``voter_record__`` prefix, the person's own go through ``person__``."""
    children: list[Any] = []
    for child in cast(list[Any], q.children):
        if isinstance(child, Q):
            children.append(_on_voter(child))
            continue
        lookup, value = child
        if lookup.startswith("voter_record__"):
            lookup = lookup.removeprefix("voter_record__")
        elif lookup == "pk" or lookup.startswith("pk__"):
            lookup = "person_id" + lookup.removeprefix("pk")
        else:
            lookup = f"person__{lookup}"
        children.append((lookup, value))
    return Q(*children, _connector=q.connector, _negated=q.negated)


def people(spec: Spec) -> QuerySet[Person]:
    return Person.objects.filter(spec.person_q())


def count(spec: Spec) -> int:
    # A filter on the person (age, email) is best met from the person's side, its index
    # narrowing the people whose voter record is then joined; voter filters alone need no
    # join at all.
    if spec.voters_only and not spec.reads_person:
        return VoterRecord.objects.filter(spec.voter_q()).count()
    return people(spec).count()


@dataclass(frozen=True)
class Breakdown:
    total: int
    # Of those on the voter file:
    by_state: dict[str, int]
    by_party: dict[str, int]
    by_turnout: dict[int, int]

    @property
    def voters(self) -> int:
        return sum(self.by_state.values())

    @property
    def off_file(self) -> int:
        return self.total - self.voters


def breakdown(spec: Spec) -> Breakdown:
    """The count with its voters by state, party and turnout, from one grouped query.

    A spec that reads the person is grouped from the people it selects, their voter record
    joined: the same scan yields the count, people off the file being the group without a
    state. Otherwise the voter table is grouped on its own, from the index whose order is the
    grouping's (``voter_breakdown_idx``), and people off the file, if the universe may hold
    any, are counted apart.
    """
    rows: QuerySet[Any, tuple[Any, ...]]
    if spec.reads_person:
        rows = people(spec).values_list(
            "voter_record__state", "voter_record__party", "voter_record__general_votes"
        )
    else:
        rows = VoterRecord.objects.filter(spec.voter_q()).values_list(
            "state", "party", "general_votes"
        )
    by_state: dict[str, int] = {}
    by_party: dict[str, int] = {}
    by_turnout = dict.fromkeys(TurnoutFilter.choices, 0)
    total = 0
    for state, party, votes, n in rows.annotate(n=Count("pk")).order_by():
        total += n
        if state is None:  # not on the voter file
            continue
        by_state[state] = by_state.get(state, 0) + n
        by_party[party] = by_party.get(party, 0) + n
        by_turnout[votes] = by_turnout.get(votes, 0) + n
    if not (spec.reads_person or spec.voters_only):
        total = people(spec).count()
    return Breakdown(
        total=total,
        by_state=dict(sorted(by_state.items())),
        by_party=dict(sorted(by_party.items(), key=lambda kv: -kv[1])),
        by_turnout=by_turnout,
    )


# The query-string form of a spec, as the builder's form sends it.
ELECTION_PARAM = "election_"


def spec_from_params(params: QueryDict) -> dict[str, Any]:
    """A raw spec from the builder's inputs; ``parse`` then validates it like any other."""
    raw: dict[str, Any] = {}
    for key in ("state", "county", "party", "general_votes", "status", "tags_any", "tags_none"):
        values = [v.strip() for v in params.getlist(key)]
        if key != "party":  # "" is a party value: no party registration
            values = [v for v in values if v]
        if values:
            raw[key] = [_maybe_int(v) for v in values] if key == "general_votes" else values
    if _param(params, "org_unit"):
        raw["org_unit"] = _maybe_int(_param(params, "org_unit"))
    age = {b: _maybe_int(_param(params, f"age_{b}")) for b in ("min", "max")}
    age = {bound: value for bound, value in age.items() if value != ""}
    if age:
        raw["age"] = age
    for key in ("missing", "has_email", "has_phone"):
        choice = _param(params, key)
        if choice in ("yes", "no"):
            raw[key] = choice == "yes"
        elif choice:
            raw[key] = choice  # left for ``parse`` to reject, naming the field
    for name in params:
        choice = _param(params, name)
        if name.startswith(ELECTION_PARAM) and choice in ("voted", "not_voted"):
            key = "voted_in" if choice == "voted" else "not_voted_in"
            raw.setdefault(key, []).append(name.removeprefix(ELECTION_PARAM))
    return raw


def _param(params: QueryDict, name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _maybe_int(value: str) -> int | str:
    """An integer when the text is one; otherwise the text, for ``parse`` to name as wrong."""
    try:
        return int(value)
    except ValueError:
        return value


# Columns of an export, in order: (header, path from Person).
EXPORT_COLUMNS = (
    ("person_id", "pk"),
    ("first_name", "first_name"),
    ("middle_name", "middle_name"),
    ("last_name", "last_name"),
    ("suffix", "suffix"),
    ("email", "email"),
    ("phone", "phone"),
    ("birth_date", "birth_date"),
    ("street", "household__street"),
    ("unit", "household__unit"),
    ("city", "household__city"),
    ("state", "household__state"),
    ("zip5", "household__zip5"),
    ("county_fips", "household__county_fips"),
    ("voter_state", "voter_record__state"),
    ("state_voter_id", "voter_record__state_voter_id"),
    ("party", "voter_record__party"),
    ("voter_status", "voter_record__status"),
    ("general_votes", "voter_record__general_votes"),
)


def export_rows(queryset: QuerySet[Person]) -> Iterator[tuple[Any, ...]]:
    """The export's rows, read in chunks so that memory stays flat on any size."""
    paths = [path for _, path in EXPORT_COLUMNS]
    return queryset.order_by("pk").values_list(*paths).iterator(chunk_size=2000)
