"""Nevada: the Secretary of State's statewide VoterList and VoteHistory files.

Source. The Secretary of State's NevVoter statewide list (nvsos.gov, "NevVoter Statewide
List", ordered online; NRS 293.440 sets its price) comes as one zip of two files,
``VoterList.ElgbVtr.<request>.<timestamp>.csv`` and ``VoterList.VtHst.<request>.<timestamp>
.csv``. Its file layout is not published on the site; this layout follows the best public
description found, Protect Democracy's VoteShield ``reggie`` ingestion code,
``reggie/configs/data/nevada.yaml`` and ``reggie/ingestion/preprocessor/nevada_preprocessor
.py`` (github.com/Voteshield/reggie, as read through 2025), whose column names are used here
since the files have none of their own.

- Both files are comma-delimited, quoted, and have **no header row**: a line's fields are in
  the order below, line 1 is the first voter, and a file whose first line has another number
  of fields is refused before anything is read.
- ``VoterID`` is the statewide voter id; the history file links to it. ``County_Voter_ID`` is
  the county's own number, not unique across counties.
- ``County`` is the county's name ("Clark", "Carson City": Carson City is a consolidated city
  counted as a county, FIPS 32510).
- Dates are MM/DD/YYYY, the full birth date included.
- ``Party``: Democrat, Republican, Non-Partisan (unaffiliated), Libertarian, Independent
  American Party (other, with the smaller parties), Green, Other.
- ``County_Status``: Active, Inactive, and P-17 (preregistered at 17, who cannot vote until
  18: inactive here).
- History beside the file, one line per ballot: ``VotingHistoryID``, ``VoterID``, the
  election's date, and how the ballot was cast: PP at the polling place, EV early in person,
  MB by mail, PV provisional, FW a federal write-in absentee ballot (mail). The file does not
  name the election, so ballots are named by their date.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout, named_fips

COLUMNS = (
    "VoterID", "County", "First_Name", "Middle_Name", "Last_Name", "Suffix", "Birth_Date",
    "Registration_Date", "Address_1", "Address_2", "City", "State_addr", "Zip", "Phone",
    "Party", "Congressional_District", "Senate_District", "Assembly_District",
    "Education_District", "Regent_District", "Registered_Precinct", "County_Status",
    "County_Voter_ID", "ID_Required",
)  # fmt: skip
HISTORY_COLUMNS = ("VotingHistoryID", "VoterID", "Election_Date", "Vote_Code")

PARTY_CODES = {
    "DEMOCRAT": "DEM",
    "DEMOCRATIC": "DEM",
    "REPUBLICAN": "REP",
    "NON-PARTISAN": "UNA",
    "NONPARTISAN": "UNA",
    "LIBERTARIAN": "LIB",
    "GREEN": "GRE",
    "INDEPENDENT AMERICAN PARTY": "OTH",
    "NO LABELS": "OTH",
    "OTHER": "OTH",
}
STATUS_CODES = {"ACTIVE": "active", "INACTIVE": "inactive", "P-17": "inactive"}
METHOD_CODES = {
    "PP": "election_day",
    "EV": "early",
    "MB": "mail",
    "FW": "mail",
    "PV": "provisional",
}

LAYOUT = Layout(
    name="nv",
    state="NV",
    title="Nevada statewide VoterList + VoteHistory",
    delimiter=",",
    columns=COLUMNS,
    fields={
        "state_voter_id": "VoterID",
        "first_name": "First_Name",
        "middle_name": "Middle_Name",
        "last_name": "Last_Name",
        "suffix": "Suffix",
        "birth_date": "Birth_Date",
        "phone": "Phone",
        "street": "Address_1",
        "unit": "Address_2",
        "city": "City",
        "zip5": "Zip",
        "county": "County",
        "party": "Party",
        "status": "County_Status",
        "registered_on": "Registration_Date",
    },
    date_format="%m/%d/%Y",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=named_fips("NV"),
    required=("state_voter_id", "last_name", "county", "status", "party"),
    history_columns=HISTORY_COLUMNS,
    history_fields={
        "state_voter_id": "VoterID",
        "election_date": "Election_Date",
        "method": "Vote_Code",
    },
    method_codes=METHOD_CODES,
    header=False,
)
