"""Wisconsin: the Elections Commission's WisVote voter list export, with its participation.

Source. The Wisconsin Elections Commission sells extracts of WisVote, the statewide voter
registration system, through its BADGER Voters site (Wis. Stat. 6.36(6), EL 3.50; WEC,
"Statement on Data Availability and Data Quality", elections.wi.gov); it publishes no file
layout. This layout follows the best public description found, Protect Democracy's VoteShield
``reggie`` ingestion code, ``reggie/configs/data/wisconsin.yaml`` and
``reggie/ingestion/preprocessor/wisconsin_preprocessor.py`` (github.com/Voteshield/reggie, as
read through 2025).

- Tab-delimited text (``.txt``) with a header row. (Some extracts come comma-delimited in
  Latin-1 instead: save those as tab-delimited text.)
- ``Voter Reg Number`` is the statewide voter id.
- Wisconsin registers no party, and the extract has no birth date: people get neither.
- ``County`` is the county's name ("Dane County", "St. Croix County", sometimes "LaCrosse
  County"); Menominee (55078) breaks the Census's odd numbering, so counties are looked up by
  name.
- ``Voter Status``: Active or Inactive.
- The residence is ``Address1`` (the street line) and ``Address2`` ("MADISON WI 53703": the
  city is what comes before the state), with ``ZipCode`` apart. ``ApplicationDate`` is the
  registration date, MM/DD/YYYY.
- Vote history is one column per election after the fixed columns, named by month and year
  (``November2024``, ``April2024``), holding how the voter took part: ``At Polls`` or
  ``Absentee`` (by mail or in person before election day, not told apart: recorded as mail),
  or ``Provisional``. The names do not give the day, computed from the statutes: the spring
  primary on the third Tuesday in February and the spring election on the first Tuesday in
  April (Wis. Stat. 5.02(21), (22); the presidential preference vote is held with it), the
  partisan primary on the second Tuesday in August (5.02(12s)), the general election
  (5.02(5)). Any other month is a special election, whose day the column does not say: it is
  recorded on that month's first Tuesday.
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
    "Voter Reg Number", "LastName", "FirstName", "MiddleName", "Suffix", "PhoneNumber",
    "EmailAddress", "Address1", "Address2", "MailingAddress1", "MailingAddress2",
    "MailingCityStateZip", "HouseNumber", "StreetName", "UnitType", "UnitNumber", "ZipCode",
    "Jurisdiction", "DistrictCombo", "Ward", "Congressional", "State Senate", "State Assembly",
    "Court of Appeals", "Multi-Jurisdictional Judge", "County", "County Supervisory",
    "Municipality", "Aldermanic", "School", "High School", "Sanitary", "Technical College",
    "Representational School", "State", "District Attorney", "Circuit Court",
    "First Class School", "Incorporation", "Voter Status", "Voter Status Reason",
    "ApplicationDate", "ApplicationSource", "IsPermanentAbsentee", "Voter Type",
)  # fmt: skip

STATUS_CODES = {"ACTIVE": "active", "INACTIVE": "inactive"}
METHOD_CODES = {"AT POLLS": "election_day", "ABSENTEE": "mail", "PROVISIONAL": "provisional"}

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
ELECTION_COLUMN = re.compile(rf"^(?P<month>{'|'.join(MONTHS)})(?P<year>\d{{4}})$")


def election(match: re.Match[str]) -> tuple[dt.date, str]:
    """The day and name of the election a participation column names."""
    month, year = MONTHS.index(match["month"]) + 1, int(match["year"])
    if month == 2:
        return weekday_of_month(year, 2, 1, 3), f"{year} Spring Primary"
    if month == 4:
        return weekday_of_month(year, 4, 1, 1), f"{year} Spring Election"
    if month == 8:
        return weekday_of_month(year, 8, 1, 2), f"{year} Partisan Primary"
    if month == 11:
        return general_election_day(year), f"{year} General"
    return weekday_of_month(year, month, 1, 1), f"{year} Special"


_STATE_AND_ZIP = re.compile(r"[\s,]+WI[\s,]+\d{5}(?:-?\d{4})?\s*$", re.IGNORECASE)


def city(line: str) -> str:
    """The city of a "MADISON WI 53703" line: what comes before the state and ZIP."""
    return _STATE_AND_ZIP.sub("", line)


LAYOUT = Layout(
    name="wi",
    state="WI",
    title="Wisconsin WisVote voter list export",
    delimiter="\t",
    columns=COLUMNS,
    fields={
        "state_voter_id": "Voter Reg Number",
        "first_name": "FirstName",
        "middle_name": "MiddleName",
        "last_name": "LastName",
        "suffix": "Suffix",
        "phone": "PhoneNumber",
        "email": "EmailAddress",
        "street": "Address1",
        "city": "Address2",
        "zip5": "ZipCode",
        "county": "County",
        "status": "Voter Status",
        "registered_on": "ApplicationDate",
    },
    date_format="%m/%d/%Y",
    party_codes={"": ""},
    status_codes=STATUS_CODES,
    county_fips=named_fips("WI"),
    history_column=ELECTION_COLUMN,
    history_column_election=election,
    method_codes=METHOD_CODES,
    field_values={"city": city},
)
