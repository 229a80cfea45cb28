"""The places a presidential poll is about: the fifty states and the District of Columbia by
their postal codes, and the nation (an empty code). 538's files name states in full
("North Carolina"), the raw-polls file by code ("NC", "US" for the nation); both read here.

Polls of one congressional district (Maine's and Nebraska's electoral votes by district) are
refused by name: the average is by state and national.
"""

from __future__ import annotations

import re

NATIONAL = ""

STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}

_BY_NAME = {name.lower(): code for code, name in STATES.items()}
# How the files spell the nation: 538's full format leaves the state blank, the 2016 file
# writes "U.S.", the raw-polls file "US".
_NATIONAL_NAMES = frozenset({"", "u.s.", "us", "national", "united states"})
_DISTRICT = re.compile(r"(CD-?\s*\d+|-\d+$)", re.IGNORECASE)


class UnknownPlace(ValueError):
    """A place that is neither a state, the District of Columbia nor the nation."""


def state_code(place: str) -> str:
    """The postal code of a state named in full or by code, "" for the nation; raises
    ``UnknownPlace`` with the reason otherwise."""
    text = place.strip()
    if text.lower() in _NATIONAL_NAMES:
        return NATIONAL
    if text.upper() in STATES:
        return text.upper()
    code = _BY_NAME.get(text.lower())
    if code is not None:
        return code
    if _DISTRICT.search(text):
        raise UnknownPlace(
            f"{text!r} is a congressional district; the average is by state and national"
        )
    raise UnknownPlace(f"unknown state {text!r}")


def place_name(code: str) -> str:
    """A state's name, or "National" for the nation."""
    return STATES.get(code, "National") if code else "National"
