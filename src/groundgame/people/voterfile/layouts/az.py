"""Arizona: the Secretary of State's statewide voter registration list, as sold to campaigns.

Source. The Secretary of State publishes no file layout; the list comes with a legend sheet
to those who buy it (A.R.S. 16-168). This layout follows the best public description found:
Protect Democracy's VoteShield ``reggie`` ingestion code, ``reggie/configs/data/arizona2.yaml``
and ``reggie/ingestion/preprocessor/arizona2_preprocessor.py`` (github.com/Voteshield/reggie,
the layout of the lists delivered since the state's new registration system of January
2020, as read through 2025), checked against the statutes cited below.

- One comma-delimited file with a header row. The Secretary of State delivers workbooks per
  county and status (``MARICOPA - ACTIVE - DEM.xlsx`` ...); since 2024 active and cancelled
  voters come in one. Save them as CSV, one after the other under one header, with dates as
  MM/DD/YYYY. Column names are the list's, without spaces (some deliveries space them,
  "Registration Date": such a file is refused, naming the columns it lacks).
- ``RegistrantID`` is the statewide voter id. ``DOB`` holds only the year of birth in the list
  sold to campaigns (the full date is restricted), so people get no birth date from it.
- ``County`` is the county's name ("Maricopa"); La Paz (04012), carved out in 1983, breaks
  the Census's odd numbering, so counties are looked up by name.
- ``Party`` is written out ("Democratic", "Party Not Designated", "No Labels") or abbreviated
  (DEM, REP, LBT, GRN, PND, IND, OTH); not designated and independent are unaffiliated here.
- ``Status``: Active, Inactive, Suspense (a registration awaiting a document; the voter cannot
  vote a regular ballot until it is resolved, so inactive here) and Canceled (removed).
- Vote history is one column per election: ``GENERAL2024``, ``PRIMARY2024``,
  ``2024PRESIDENTIALPREFERENCE``. A cell holds how the ballot was cast: ``E`` early, ``A``
  absentee, ``P`` at the polls, ``PV`` provisional, and for a primary the party ballot after
  " - " (``E - DEM``). An early ballot is mostly mailed (the active early voting list), and an
  early ballot cast at an early-voting site is not told apart: both are recorded as mail.
  The column names do not give the day, computed from the statutes: the general election
  (2 U.S.C. 7), the primary on the first Tuesday in August (A.R.S. 16-201; the tenth Tuesday
  before the general until 2019, and July 30 in 2024), the presidential preference election
  on the third Tuesday after the first Monday in March (A.R.S. 16-241). The spring 2025
  deliveries named the columns ``EL1`` to ``EL5``, which say nothing of the election: they are
  ignored, and the import says so.
"""

from __future__ import annotations

import datetime as dt
import re

from groundgame.people.voterfile.layouts import (
    Layout,
    general_election_day,
    named_fips,
    weekday_of_month,
)

COLUMNS = (
    "RegistrantID", "RegistrationDate", "EffectiveDateofChange", "DOB", "LastName",
    "FirstName", "MiddleName", "Suffix", "Status", "StatusReason", "County", "HouseNumber",
    "StreetPrefix", "StreetName", "StreetType", "StreetSuffix", "UnitType", "UnitNumber",
    "ResidenceAddress", "ResidenceCity", "ResidenceState", "ResidenceZip", "MailingAddress",
    "MailingAddress2", "MailingCity", "MailingState", "MailingZip", "MailingCountry", "Party",
    "PEVL", "Phone", "Occupation", "PrecinctPart", "Congressional", "BoardofSupervisors",
    "Legislative", "Municipal", "Precinct", "VRAZVoterID",
)  # fmt: skip

PARTY_CODES = {
    "DEMOCRATIC": "DEM",
    "DEM": "DEM",
    "REPUBLICAN": "REP",
    "REP": "REP",
    "LIBERTARIAN": "LIB",
    "LBT": "LIB",
    "GREEN": "GRE",
    "GRN": "GRE",
    "PARTY NOT DESIGNATED": "UNA",
    "PND": "UNA",
    "INDEPENDENT": "UNA",
    "IND": "UNA",
    "NO LABELS": "OTH",
    "OTHER": "OTH",
    "OTH": "OTH",
}
STATUS_CODES = {
    "ACTIVE": "active",
    "INACTIVE": "inactive",
    "SUSPENSE": "inactive",
    "CANCELED": "removed",
    "CANCELLED": "removed",
}
METHOD_CODES = {"E": "mail", "A": "mail", "P": "election_day", "PV": "provisional"}

ELECTION_COLUMN = re.compile(
    r"^(?:(?P<kind>GENERAL|PRIMARY)(?P<year>\d{4})|(?P<ppe>\d{4})PRESIDENTIALPREFERENCE)$"
)
# Primaries not on the first Tuesday in August.
PRIMARY_DAYS = {
    2016: dt.date(2016, 8, 30),
    2018: dt.date(2018, 8, 28),
    2024: dt.date(2024, 7, 30),
}


def election(match: re.Match[str]) -> tuple[dt.date, str]:
    """The day and name of the election an election column names."""
    if match["ppe"]:
        year = int(match["ppe"])
        first_monday = weekday_of_month(year, 3, 0, 1)
        return first_monday + dt.timedelta(days=15), f"{year} Presidential Preference"
    year = int(match["year"])
    if match["kind"] == "GENERAL":
        return general_election_day(year), f"{year} General"
    return PRIMARY_DAYS.get(year) or weekday_of_month(year, 8, 1, 1), f"{year} Primary"


LAYOUT = Layout(
    name="az",
    state="AZ",
    title="Arizona statewide voter registration list",
    delimiter=",",
    columns=COLUMNS,
    fields={
        "state_voter_id": "RegistrantID",
        "first_name": "FirstName",
        "middle_name": "MiddleName",
        "last_name": "LastName",
        "suffix": "Suffix",
        "phone": "Phone",
        "street": "ResidenceAddress",
        "city": "ResidenceCity",
        "zip5": "ResidenceZip",
        "county": "County",
        "party": "Party",
        "status": "Status",
        "registered_on": "RegistrationDate",
    },
    date_format="%m/%d/%Y",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=named_fips("AZ"),
    required=("state_voter_id", "last_name", "county", "status", "party"),
    history_column=ELECTION_COLUMN,
    history_column_election=election,
    method_codes=METHOD_CODES,
)
