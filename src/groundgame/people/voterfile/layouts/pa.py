"""Pennsylvania: the Department of State's Full Voter Export (FVE) and its election map.

Source: Pennsylvania Department of State, SURE system, "Full Voter Export" and "Election Map"
files with their data dictionary (PA Voter Export Data Dictionary, 2019-12-06), sold at
https://www.pavoterservices.pa.gov/pages/PurchasePAFULLVoterExport.aspx; the file may not be
republished (4 Pa. Code 183.13(g), 183.14(k)).

- Both files are tab-delimited and have no header row: the columns are the layout's (the
  dictionary's 153 for the FVE; an export that appends a column is refused line by line,
  each line reported with its count of fields). The Department ships one pair per county
  (``ADAMS FVE 20240101.txt`` and ``ADAMS Election Map 20240101.txt``); concatenate the
  counties' FVEs into one voters file and their maps into one history file to import a
  state's, since each line names its county.
- Dates are MM/DD/YYYY; the birth date is published in full.
- History is inside the voters file: 40 pairs of columns, ``Election n Vote Method`` (AP at
  the polls, AB absentee, MB mail-in, P provisional) and ``Election n Party`` (the party of a
  primary ballot, not kept: a ballot is recorded as cast, not which party's). Which election
  ``n`` is differs by county: the election map dates it, one line per county and number
  (county name, election number, description, date). The map is given as the import's
  history file and read whole first; a voter whose column names an election the map lacks is
  reported.
- ``County`` holds the county's name (ADAMS ... YORK), numbered alphabetically and odd by the
  Census (42001 to 42133).
- ``Party Code``: D, R, NF (no affiliation), and the minor parties' codes, counted as other;
  a code not listed here is reported, naming it. ``Voter Status``: A active, I inactive.
- The street address comes as house number, suffix and street name, joined here.
"""

from __future__ import annotations

import re

from groundgame.people.voterfile.layouts import Layout, named_fips

_ELECTIONS = 40
COLUMNS = (
    "ID Number", "Title", "Last Name", "First Name", "Middle Name", "Suffix", "Gender", "DOB",
    "Registration Date", "Voter Status", "Status Change Date", "Party Code", "House Number",
    "House Number Suffix", "Street Name", "Apartment Number", "Address Line 2", "City",
    "State", "Zip", "Mail Address 1", "Mail Address 2", "Mail City", "Mail State", "Mail Zip",
    "Last Vote Date", "Precinct Code", "Precinct Split ID", "Date Last Changed",
    "Custom Data 1",
    *(f"District {n}" for n in range(1, _ELECTIONS + 1)),
    *(c for n in range(1, _ELECTIONS + 1)
      for c in (f"Election {n} Vote Method", f"Election {n} Party")),
    "Home Phone", "County", "Mail Country",
)  # fmt: skip

HISTORY_COLUMNS = ("County Name", "Election Number", "Election Description", "Election Date")

PARTY_CODES = {
    "D": "DEM",
    "R": "REP",
    "NF": "UNA",
    "NOP": "UNA",
    "L": "LIB",
    "LN": "LIB",
    "GR": "GRE",
    "GRN": "GRE",
    # Independent, Constitution, Working Families, Forward, Socialist, Reform and the other
    # minor parties a county records.
    "I": "OTH",
    "IND": "OTH",
    "CN": "OTH",
    "CON": "OTH",
    "WF": "OTH",
    "FWD": "OTH",
    "SOC": "OTH",
    "REF": "OTH",
    "OTH": "OTH",
}
STATUS_CODES = {"A": "active", "I": "inactive"}
METHOD_CODES = {"AP": "election_day", "AB": "mail", "MB": "mail", "P": "provisional"}

LAYOUT = Layout(
    name="pa",
    state="PA",
    title="Pennsylvania Full Voter Export + Election Map",
    delimiter="\t",
    header=False,
    columns=COLUMNS,
    fields={
        "state_voter_id": "ID Number",
        "first_name": "First Name",
        "middle_name": "Middle Name",
        "last_name": "Last Name",
        "suffix": "Suffix",
        "birth_date": "DOB",
        "phone": "Home Phone",
        "street": ("House Number", "House Number Suffix", "Street Name"),
        "unit": "Apartment Number",
        "city": "City",
        "zip5": "Zip",
        "county": "County",
        "party": "Party Code",
        "status": "Voter Status",
        "registered_on": "Registration Date",
    },
    date_format="%m/%d/%Y",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=named_fips("PA"),
    required=("state_voter_id", "last_name", "county", "status", "party"),
    history_columns=HISTORY_COLUMNS,
    history_fields={
        "county": "County Name",
        "slot": "Election Number",
        "election_name": "Election Description",
        "election_date": "Election Date",
    },
    method_codes=METHOD_CODES,
    history_column=re.compile(r"^Election (?P<slot>\d+) Vote Method$"),
)
