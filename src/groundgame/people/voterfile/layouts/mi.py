"""Michigan: the Bureau of Elections' Qualified Voter File (QVF) and its voter history.

Source: Michigan Department of State, Bureau of Elections, Qualified Voter File, the statewide
export ``EntireStateVoters`` and ``EntireStateVoterHistory`` in the delimited format used since
2021 (before it, fixed-width ``entire_state_v.lst`` / ``entire_state_h.lst``), sold under
the Freedom of Information Act (MCL 168.509q lists what the file holds). Column names as a
public QVF loader reads them (the layout kept with the project's shared data,
``formats/voterfile-layouts/mi_qvf.txt``); the history file's columns, and how the columns
changed, as another public loader (Voteshield's ``reggie``) reads them.

- Both files are comma-delimited with a header row. Dates are read as MM/DD/YYYY: the layout
  the project holds does not state the delimited export's format (the older fixed-width file
  wrote MMDDYYYY), so check a delivered file's first lines; in another format every date is
  reported, naming the format expected.
- The export's columns change between deliveries (``CANCELLATION_REASON`` became
  ``STATUS_REASON`` in 2022; ``IS_PERMANENT_ABSENTEE_VOTER`` was dropped after July 2024 and
  came back as ``IS_PERM_AV_BALLOT_VOTER``; ``STATUS_DATE``, ``STATUS_USER_CODE`` and
  ``VOTER_ID`` were added), so the layout lists the columns every delivery has, and the others
  are ignored with a note. The April 2024 history file ends each line with an empty field
  its header does not name: such lines are reported as of another width.
- History is a file of its own, one line per voter and election, joined on
  ``VOTER_IDENTIFICATION_NUMBER``. It names no election, only its date, and says only
  whether the ballot was absentee (``IS_ABSENTEE_VOTER`` Y/N): early in-person voting, new in
  2024, is not told apart, so an ``N`` is recorded as election day and a ``Y`` as absentee.
- Only the year of birth is published: people get no birth date from this file.
- ``COUNTY_CODE`` numbers the 83 counties alphabetically, Alcona 1 to Wexford 83, which the
  Census numbered with odd numbers (26001 to 26165).
- Michigan registers no party. ``VOTER_STATUS_TYPE_CODE``: A active, V verify and CH
  challenged (inactive until resolved), C cancelled and R rejected (removed).
- The street address comes as parts (number prefix, number, suffix, direction, name, type,
  direction suffix), joined here; ``EXTENSION`` is the unit.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout, odd_fips

COLUMNS = (
    "LAST_NAME", "FIRST_NAME", "MIDDLE_NAME", "NAME_SUFFIX", "YEAR_OF_BIRTH", "GENDER",
    "REGISTRATION_DATE", "STREET_NUMBER_PREFIX", "STREET_NUMBER", "STREET_NUMBER_SUFFIX",
    "DIRECTION_PREFIX", "STREET_NAME", "STREET_TYPE", "DIRECTION_SUFFIX", "EXTENSION", "CITY",
    "STATE", "ZIP_CODE", "MAILING_ADDRESS_LINE_ONE", "MAILING_ADDRESS_LINE_TWO",
    "MAILING_ADDRESS_LINE_THREE", "MAILING_ADDRESS_LINE_FOUR", "MAILING_ADDRESS_LINE_FIVE",
    "VOTER_IDENTIFICATION_NUMBER", "COUNTY_CODE", "COUNTY_NAME", "JURISDICTION_CODE",
    "JURISDICTION_NAME", "PRECINCT", "WARD", "SCHOOL_DISTRICT_CODE", "SCHOOL_DISTRICT_NAME",
    "STATE_HOUSE_DISTRICT_CODE", "STATE_HOUSE_DISTRICT_NAME", "STATE_SENATE_DISTRICT_CODE",
    "STATE_SENATE_DISTRICT_NAME", "US_CONGRESS_DISTRICT_CODE", "US_CONGRESS_DISTRICT_NAME",
    "COUNTY_COMMISSIONER_DISTRICT_CODE", "COUNTY_COMMISSIONER_DISTRICT_NAME",
    "VILLAGE_DISTRICT_CODE", "VILLAGE_DISTRICT_NAME", "VILLAGE_PRECINCT", "SCHOOL_PRECINCT",
    "VOTER_STATUS_TYPE_CODE", "UOCAVA_STATUS_CODE", "UOCAVA_STATUS_NAME",
)  # fmt: skip

HISTORY_COLUMNS = (
    "VOTER_IDENTIFICATION_NUMBER", "COUNTY_CODE", "COUNTY_NAME", "JURISDICTION_CODE",
    "JURISDICTION_NAME", "SCHOOL_DISTRICT_CODE", "SCHOOL_DISTRICT_NAME", "ELECTION_DATE",
    "IS_ABSENTEE_VOTER",
)  # fmt: skip

STREET = (
    "STREET_NUMBER_PREFIX", "STREET_NUMBER", "STREET_NUMBER_SUFFIX", "DIRECTION_PREFIX",
    "STREET_NAME", "STREET_TYPE", "DIRECTION_SUFFIX",
)  # fmt: skip
STATUS_CODES = {
    "A": "active",
    "V": "inactive",
    "CH": "inactive",
    "C": "removed",
    "R": "removed",
}
METHOD_CODES = {"N": "election_day", "Y": "mail"}

LAYOUT = Layout(
    name="mi",
    state="MI",
    title="Michigan Qualified Voter File (EntireStateVoters + EntireStateVoterHistory)",
    delimiter=",",
    columns=COLUMNS,
    fields={
        "state_voter_id": "VOTER_IDENTIFICATION_NUMBER",
        "first_name": "FIRST_NAME",
        "middle_name": "MIDDLE_NAME",
        "last_name": "LAST_NAME",
        "suffix": "NAME_SUFFIX",
        "street": STREET,
        "unit": "EXTENSION",
        "city": "CITY",
        "zip5": "ZIP_CODE",
        "county": "COUNTY_CODE",
        "status": "VOTER_STATUS_TYPE_CODE",
        "registered_on": "REGISTRATION_DATE",
    },
    date_format="%m/%d/%Y",
    party_codes={"": ""},
    status_codes=STATUS_CODES,
    county_fips=odd_fips("26", 83),
    history_columns=HISTORY_COLUMNS,
    history_fields={
        "state_voter_id": "VOTER_IDENTIFICATION_NUMBER",
        "election_date": "ELECTION_DATE",
        "method": "IS_ABSENTEE_VOTER",
    },
    method_codes=METHOD_CODES,
)
