"""Georgia: the Secretary of State's voter registration list and voter history files.

Sources: Georgia Secretary of State, Elections Division, "Voter History Files" with the
"Voter History File Layout" (https://elections.sos.ga.gov/Elections/voterhistory.do, 2012
edition: party two characters, election types 001 to 010); the statewide voter list
(``Georgia_Daily_VoterBase.txt``), sold under O.C.G.A. 21-2-225 ("Order Voter Registration
Lists and Files", https://sos.ga.gov/index.php/elections/order_voter_registration_lists_and_files),
its 63 columns as its header row names them and public loaders read it (Voteshield's
``reggie``; a data set's statistics in zestai's ``zrp``).

- The voter list is pipe-delimited with a header row and no quoting; its dates are YYYYMMDD,
  and ``BIRTHDATE`` is the year of birth only (people get no birth date from it).
- History is a file of its own, one per election year, and **fixed width** with no header:
  county number (3), registration number (8), election date (8, YYYYMMDD), election type
  (3: 001 general primary, 002 its runoff, 003 general, 004 its runoff, 005 special, 006 its
  runoff, 007 nonpartisan, 008 special/nonpartisan, 009 recall, 010 presidential preference
  primary), party (2: D, R, NP: the primary ballot's, not kept), absentee (1), provisional
  (1), supplemental (1). Concatenate the years' files into one to import them together.
- The voting method is two flags, read together: absentee Y is "absentee / mail", which in
  Georgia includes advance (early) in-person voting, cast on an absentee ballot and not told
  apart in the file; provisional Y is provisional; neither is election day.
- ``COUNTY_CODE`` and the history's county number number the 159 counties alphabetically,
  Appling 1 to Worth 159; the Census's numbers have gaps (Fulton is 60, FIPS 13121), so the
  FIPS is looked up by position in the alphabetical list.
- Georgia registers no party. ``VOTER_STATUS``: A active, I inactive.
- The registration number links both files: the history pads it with zeros to 8 digits, the
  list does not, so both are read padded.
- The street address comes as house number, street name and suffix, joined here.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout, Shape, alphabetical_fips

COLUMNS = (
    "COUNTY_CODE", "REGISTRATION_NUMBER", "VOTER_STATUS", "LAST_NAME", "FIRST_NAME",
    "MIDDLE_MAIDEN_NAME", "NAME_SUFFIX", "NAME_TITLE", "RESIDENCE_HOUSE_NUMBER",
    "RESIDENCE_STREET_NAME", "RESIDENCE_STREET_SUFFIX", "RESIDENCE_APT_UNIT_NBR",
    "RESIDENCE_CITY", "RESIDENCE_ZIPCODE", "BIRTHDATE", "REGISTRATION_DATE", "RACE", "GENDER",
    "LAND_DISTRICT", "LAND_LOT", "STATUS_REASON", "COUNTY_PRECINCT_ID", "CITY_PRECINCT_ID",
    "CONGRESSIONAL_DISTRICT", "SENATE_DISTRICT", "HOUSE_DISTRICT", "JUDICIAL_DISTRICT",
    "COMMISSION_DISTRICT", "SCHOOL_DISTRICT", "COUNTY_DISTRICTA_NAME",
    "COUNTY_DISTRICTA_VALUE", "COUNTY_DISTRICTB_NAME", "COUNTY_DISTRICTB_VALUE",
    "MUNICIPAL_NAME", "MUNICIPAL_CODE", "WARD_CITY_COUNCIL_NAME", "WARD_CITY_COUNCIL_CODE",
    "CITY_SCHOOL_DISTRICT_NAME", "CITY_SCHOOL_DISTRICT_VALUE", "CITY_DISTA_NAME",
    "CITY_DISTA_VALUE", "CITY_DISTB_NAME", "CITY_DISTB_VALUE", "CITY_DISTC_NAME",
    "CITY_DISTC_VALUE", "CITY_DISTD_NAME", "CITY_DISTD_VALUE", "DATE_LAST_VOTED",
    "PARTY_LAST_VOTED", "DATE_ADDED", "DATE_CHANGED", "DISTRICT_COMBO", "RACE_DESC",
    "LAST_CONTACT_DATE", "MAIL_HOUSE_NBR", "MAIL_STREET_NAME", "MAIL_APT_UNIT_NBR",
    "MAIL_CITY", "MAIL_STATE", "MAIL_ZIPCODE", "MAIL_ADDRESS_2", "MAIL_ADDRESS_3",
    "MAIL_COUNTRY",
)  # fmt: skip

HISTORY_COLUMNS = (
    "County Number", "Registration Number", "Election Date", "Election Type", "Party",
    "Absentee", "Provisional", "Supplemental",
)  # fmt: skip
HISTORY_WIDTHS = (3, 8, 8, 3, 2, 1, 1, 1)

STATUS_CODES = {"A": "active", "I": "inactive"}
# Absentee/Provisional flags.
METHOD_CODES = {
    "N/N": "election_day",
    "Y/N": "mail",
    "N/Y": "provisional",
    "Y/Y": "provisional",
}
ELECTION_KINDS = {
    "001": "General Primary",
    "002": "General Primary Runoff",
    "003": "General",
    "004": "General Runoff",
    "005": "Special",
    "006": "Special Runoff",
    "007": "Nonpartisan",
    "008": "Special Nonpartisan",
    "009": "Recall",
    "010": "Presidential Preference Primary",
}

LAYOUT = Layout(
    name="ga",
    state="GA",
    title="Georgia voter registration list + voter history",
    delimiter="|",
    columns=COLUMNS,
    fields={
        "state_voter_id": "REGISTRATION_NUMBER",
        "first_name": "FIRST_NAME",
        "middle_name": "MIDDLE_MAIDEN_NAME",
        "last_name": "LAST_NAME",
        "suffix": "NAME_SUFFIX",
        "street": ("RESIDENCE_HOUSE_NUMBER", "RESIDENCE_STREET_NAME", "RESIDENCE_STREET_SUFFIX"),
        "unit": "RESIDENCE_APT_UNIT_NBR",
        "city": "RESIDENCE_CITY",
        "zip5": "RESIDENCE_ZIPCODE",
        "county": "COUNTY_CODE",
        "status": "VOTER_STATUS",
        "registered_on": "REGISTRATION_DATE",
    },
    date_format="%Y%m%d",
    party_codes={"": ""},
    status_codes=STATUS_CODES,
    county_fips=alphabetical_fips("GA"),
    history_columns=HISTORY_COLUMNS,
    history_shape=Shape("", header=False, widths=HISTORY_WIDTHS),
    history_fields={
        "state_voter_id": "Registration Number",
        "election_date": "Election Date",
        "election_name": "Election Type",
        "method": ("Absentee", "Provisional"),
    },
    method_codes=METHOD_CODES,
    election_kinds=ELECTION_KINDS,
    id_width=8,
)
