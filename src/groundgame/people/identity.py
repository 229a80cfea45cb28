"""The matching model of identity resolution: how two descriptions of a person compare.

A Fellegi-Sunter model. Each field (first name, last name, date of birth, address, email,
phone) compares at one of a few levels, from "the same" to "different"; each level has an
``m`` (how often two records of one person compare so) and a ``u`` (how often two records
of two different people do). Their log-ratio is the level's weight in bits of evidence, the
sum of the weights is the evidence for the pair, and with the prior odds it gives a match
probability. A field missing on either side says nothing (weight 0).

The online find-or-create scores its few candidates with the priors below; the batch
linker (``linkage``) uses the same levels and re-estimates ``m`` and ``u`` on its files.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from django.db.models.functions import Lower
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from groundgame.core import locks
from groundgame.people import nicknames
from groundgame.people.models import Household, Person

# Above AUTO_LINK the record is the existing person; between REVIEW and AUTO_LINK a new
# person is created and staff are asked (a wrong merge hides a person, which costs more
# than a duplicate); below REVIEW they are two people.
AUTO_LINK = 0.95
REVIEW = 0.30
# Bits of prior evidence against a match: about one chance in a million that a record
# describes a given person of a state-size file before any field is compared.
PRIOR_BITS = -20.0
# Jaro-Winkler similarities above which names count as a typo of one another.
NAME_CLOSE = 0.92
NAME_NEAR = 0.80
STREET_CLOSE = 0.90


@dataclass(frozen=True)
class Level:
    label: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


# For each field, its levels from the strongest agreement to disagreement. The priors are
# typical of US voter and contact lists (u from name and birth-date frequencies; m from how
# often the same person's records differ by a nickname, typo or move).
LEVELS: dict[str, tuple[Level, ...]] = {
    "first_name": (
        Level("same", 0.85, 0.01),
        Level("nickname", 0.06, 0.002),
        Level("typo", 0.05, 0.005),
        Level("similar", 0.02, 0.03),
        Level("different", 0.02, 0.953),
    ),
    "last_name": (
        Level("same", 0.90, 0.003),
        Level("typo", 0.06, 0.003),
        Level("similar", 0.02, 0.02),
        Level("different", 0.02, 0.974),
    ),
    "birth_date": (
        Level("same", 0.90, 0.0001),
        Level("transposed", 0.06, 0.002),
        Level("same year", 0.02, 0.0125),
        Level("different", 0.02, 0.9854),
    ),
    "address": (
        Level("same", 0.70, 0.00002),
        Level("same zip", 0.10, 0.001),
        Level("same city", 0.04, 0.01),
        Level("different", 0.16, 0.98898),
    ),
    "email": (Level("same", 0.70, 0.000001), Level("different", 0.30, 0.999999)),
    "phone": (Level("same", 0.70, 0.000001), Level("different", 0.30, 0.999999)),
}
FIELDS = tuple(LEVELS)

STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "circle": "cir",
    "parkway": "pkwy",
    "highway": "hwy",
    "terrace": "ter",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "apt",
}


@dataclass(frozen=True)
class Record:
    """One description of a person, normalized for comparison (see ``record``)."""

    first_name: str
    last_name: str
    birth_date: dt.date | None
    street: str
    city: str
    state: str
    zip5: str
    email: str
    phone: str


@dataclass(frozen=True)
class Evidence:
    """What one field's comparison said: the two values, the level and its weight."""

    left: str
    right: str
    level: str
    weight: float

    def as_dict(self) -> dict[str, object]:
        return {
            "left": self.left,
            "right": self.right,
            "level": self.level,
            "weight": round(self.weight, 2),
        }


def normalize_name(value: str) -> str:
    """Lower case, accents and punctuation dropped: "O'Brien-Smith" -> "obriensmith"."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", text.lower())


def normalize_street(value: str) -> str:
    """Lower case, one space, the USPS abbreviations: "12 North Oak Street." -> "12 n oak st"."""
    words = re.sub(r"[^a-z0-9 ]", " ", value.lower()).split()
    return " ".join(STREET_WORDS.get(w, w) for w in words)


def record(
    *,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None = None,
    street: str = "",
    city: str = "",
    state: str = "",
    zip5: str = "",
    email: str = "",
    phone: str = "",
) -> Record:
    """A ``Record`` from raw values (email and phone already normalized by the caller)."""
    return Record(
        first_name=normalize_name(first_name),
        last_name=normalize_name(last_name),
        birth_date=birth_date,
        street=normalize_street(street),
        city=normalize_name(city),
        state=state.strip().upper(),
        zip5=re.sub(r"\D", "", zip5)[:5],
        email=email.strip().lower(),
        phone=phone,
    )


def _level(field: str, label: str) -> Level:
    return next(level for level in LEVELS[field] if level.label == label)


def _first_name(a: str, b: str) -> str:
    if a == b:
        return "same"
    if nicknames.same_name(a, b):
        return "nickname"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= NAME_CLOSE:
        return "typo"
    return "similar" if similarity >= NAME_NEAR else "different"


def _last_name(a: str, b: str) -> str:
    if a == b:
        return "same"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= NAME_CLOSE:
        return "typo"
    return "similar" if similarity >= NAME_NEAR else "different"


def _birth_date(a: dt.date, b: dt.date) -> str:
    if a == b:
        return "same"
    # Day and month swapped (a European-style entry), or one digit mistyped or two adjacent
    # digits swapped: the usual ways one date of birth is written down wrong.
    swapped = a.year == b.year and a.month == b.day and a.day == b.month
    if swapped or DamerauLevenshtein.distance(a.isoformat(), b.isoformat()) <= 1:
        return "transposed"
    return "same year" if a.year == b.year else "different"


def _address(a: Record, b: Record) -> str:
    same_zip = bool(a.zip5) and a.zip5 == b.zip5
    same_city = bool(a.city) and a.city == b.city and a.state == b.state
    close_street = (
        bool(a.street)
        and bool(b.street)
        and JaroWinkler.similarity(a.street, b.street) >= STREET_CLOSE
    )
    if close_street and (same_zip or same_city):
        return "same"
    if same_zip:
        return "same zip"
    return "same city" if same_city else "different"


def _address_text(r: Record) -> str:
    return ", ".join(p for p in (r.street, r.city, f"{r.state} {r.zip5}".strip()) if p)


def compare(a: Record, b: Record) -> dict[str, Evidence]:
    """Every field both records have, compared."""
    out: dict[str, Evidence] = {}

    def put(field: str, left: str, right: str, label: str) -> None:
        out[field] = Evidence(left, right, label, _level(field, label).weight)

    if a.first_name and b.first_name:
        put("first_name", a.first_name, b.first_name, _first_name(a.first_name, b.first_name))
    if a.last_name and b.last_name:
        put("last_name", a.last_name, b.last_name, _last_name(a.last_name, b.last_name))
    if a.birth_date and b.birth_date:
        put(
            "birth_date",
            a.birth_date.isoformat(),
            b.birth_date.isoformat(),
            _birth_date(a.birth_date, b.birth_date),
        )
    if (a.zip5 or a.city) and (b.zip5 or b.city):
        put("address", _address_text(a), _address_text(b), _address(a, b))
    for field in ("email", "phone"):
        left, right = getattr(a, field), getattr(b, field)
        if left and right:
            put(field, left, right, "same" if left == right else "different")
    return out


def probability(evidence: dict[str, Evidence]) -> float:
    """The match probability the evidence gives, from the prior."""
    bits = PRIOR_BITS + sum(e.weight for e in evidence.values())
    # 2**bits / (1 + 2**bits), without overflow at either end.
    if bits >= 0:
        return 1.0 / (1.0 + math.pow(2.0, -bits))
    odds = math.pow(2.0, bits)
    return odds / (1.0 + odds)


def names_agree(evidence: dict[str, Evidence]) -> bool:
    """Neither name contradicts: what a shared email or phone must come with to link."""
    return all(
        evidence[f].level != "different" for f in ("first_name", "last_name") if f in evidence
    )


def person_record(person: Person) -> Record:
    """A stored person as a ``Record`` (its household's address, if any)."""
    household = person.household
    return record(
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        street=household.street if household else "",
        city=household.city if household else "",
        state=household.state if household else "",
        zip5=household.zip5 if household else "",
        email=person.email,
        phone=person.phone,
    )


def candidates(query: Record, *, limit: int = 500) -> list[Person]:
    """The people a record may describe: a few indexed lookups, never a scan.

    Blocks (each an index): the same email; the same phone; the same ZIP and the first two
    letters of the last name (typos in the first name, nicknames); the same date of birth
    (moves, and typos in the last name); the same whole name, for records with neither ZIP nor
    birth date.
    Merged-away people are never candidates: intake goes to the survivor.
    """
    # Merged-away people are dropped here rather than in SQL: "merged_into IS NULL" holds for
    # almost every row, yet SQLite's planner picks its index over the block's and reads the
    # whole table.
    people = Person.objects.select_related("household")
    found: dict[int, Person] = {}
    blocks = []
    if query.email:
        blocks.append(people.filter(email=query.email))
    if query.phone:
        blocks.append(people.filter(phone=query.phone))
    if query.zip5 and query.last_name:
        prefix = query.last_name[:2]
        households = Household.objects.filter(zip5=query.zip5)
        if query.state:
            households = households.filter(state=query.state)
        blocks.append(
            people.alias(last_lower=Lower("last_name")).filter(
                household__in=households.values("pk"),
                last_lower__gte=prefix,
                last_lower__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1),
            )
        )
    if query.birth_date:
        blocks.append(people.filter(birth_date=query.birth_date))
    # A state's file holds thousands of "Mary Smith"s: with a ZIP or a birth date the blocks
    # above already hold every namesake that could link, and reading the rest would cost more
    # than the whole lookup.
    if query.last_name and query.first_name and not (query.zip5 or query.birth_date):
        blocks.append(
            people.alias(last_lower=Lower("last_name")).filter(
                last_lower=query.last_name, first_name__iexact=query.first_name
            )
        )
    for block in blocks:
        for person in block[:limit]:
            if person.merged_into_id is None:
                found.setdefault(person.pk, person)
    return list(found.values())


def lock(query: Record, external: tuple[str, str] | None = None) -> None:
    """Serialize the find-or-creates of one identity until the transaction ends.

    Two identical intakes at the same moment would otherwise both find no one and both
    create the person. This holds a lock (``core.locks``) on each key of the record (its
    external id, email, phone, and formal name with the ZIP or else the birth date), so the
    second call finds the first call's person. Must be called inside ``atomic()``.
    """
    keys = []
    if external is not None:
        keys.append(f"external:{external[0]}:{external[1]}")
    if query.email:
        keys.append(f"email:{query.email}")
    if query.phone:
        keys.append(f"phone:{query.phone}")
    if query.first_name and query.last_name:
        name = f"{nicknames.canonical(query.first_name)}:{query.last_name}"
        keys.append(f"name:{name}:{query.zip5 or query.birth_date or ''}")
    locks.hold(f"groundgame.person:{key}" for key in keys)
