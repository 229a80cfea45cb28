"""Ohio: the Secretary of State's statewide voter file (``SWVF_n_m.txt``).

Comma-delimited, quoted, with a header row. Vote history is not a file of its own: after the
fixed columns comes one column per past election, named like ``GENERAL-11/05/2024`` or
``PRIMARY-03/19/2024``, holding ``X`` (or, for primaries, the party ballot taken) when the
voter cast a ballot. The file does not say how, so those ballots are recorded as cast on
election day. ``COUNTY_NUMBER`` numbers the 88 counties alphabetically, Adams 1 to Wyandot 88.
Ohio registers no party; ``PARTY_AFFILIATION`` is the party of the last primary ballot taken.
"""

from __future__ import annotations

import re

from groundgame.people.voterfile.layouts import Layout, odd_fips

COLUMNS = (
    "SOS_VOTERID", "COUNTY_NUMBER", "COUNTY_ID", "LAST_NAME", "FIRST_NAME", "MIDDLE_NAME",
    "SUFFIX", "DATE_OF_BIRTH", "REGISTRATION_DATE", "VOTER_STATUS", "PARTY_AFFILIATION",
    "RESIDENTIAL_ADDRESS1", "RESIDENTIAL_SECONDARY_ADDR", "RESIDENTIAL_CITY",
    "RESIDENTIAL_STATE", "RESIDENTIAL_ZIP", "RESIDENTIAL_ZIP_PLUS4", "RESIDENTIAL_COUNTRY",
    "RESIDENTIAL_POSTALCODE", "MAILING_ADDRESS1", "MAILING_SECONDARY_ADDRESS", "MAILING_CITY",
    "MAILING_STATE", "MAILING_ZIP", "MAILING_ZIP_PLUS4", "MAILING_COUNTRY",
    "MAILING_POSTAL_CODE", "CAREER_CENTER", "CITY", "CITY_SCHOOL_DISTRICT",
    "COUNTY_COURT_DISTRICT", "CONGRESSIONAL_DISTRICT", "COURT_OF_APPEALS",
    "EDU_SERVICE_CENTER_DISTRICT", "EXEMPTED_VILL_SCHOOL_DISTRICT", "LIBRARY",
    "LOCAL_SCHOOL_DISTRICT", "MUNICIPAL_COURT_DISTRICT", "PRECINCT_NAME", "PRECINCT_CODE",
    "STATE_BOARD_OF_EDUCATION", "STATE_REPRESENTATIVE_DISTRICT", "STATE_SENATE_DISTRICT",
    "TOWNSHIP", "VILLAGE", "WARD",
)  # fmt: skip

# The party letter of the last primary ballot; an empty value is no primary ballot taken.
PARTY_CODES = {
    "": "",
    "D": "DEM",
    "R": "REP",
    "L": "LIB",
    "G": "GRE",
    "C": "OTH",
    "N": "OTH",
    "S": "OTH",
    "E": "OTH",
    "X": "",
}
STATUS_CODES = {"ACTIVE": "active", "CONFIRMATION": "inactive"}

LAYOUT = Layout(
    name="oh",
    state="OH",
    title="Ohio statewide voter file (SWVF)",
    delimiter=",",
    columns=COLUMNS,
    fields={
        "state_voter_id": "SOS_VOTERID",
        "first_name": "FIRST_NAME",
        "middle_name": "MIDDLE_NAME",
        "last_name": "LAST_NAME",
        "suffix": "SUFFIX",
        "birth_date": "DATE_OF_BIRTH",
        "street": "RESIDENTIAL_ADDRESS1",
        "unit": "RESIDENTIAL_SECONDARY_ADDR",
        "city": "RESIDENTIAL_CITY",
        "zip5": "RESIDENTIAL_ZIP",
        "county": "COUNTY_NUMBER",
        "party": "PARTY_AFFILIATION",
        "status": "VOTER_STATUS",
        "registered_on": "REGISTRATION_DATE",
    },
    date_format="%Y-%m-%d",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=odd_fips("39", 88),
    history_column=re.compile(r"^(?P<kind>PRIMARY|GENERAL|SPECIAL)-(?P<date>\d\d/\d\d/\d{4})$"),
    history_column_date_format="%m/%d/%Y",
    inline_method="election_day",
)
