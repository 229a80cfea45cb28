"""Florida: the Division of Elections' Voter Extract Disk File and its voter history files.

Sources: Florida Department of State, Division of Elections, "Voter Extract Disk File Layout"
(the 38 fields in order, as kept with the project's shared data,
``formats/voterfile-layouts/fl_voter_extract.txt``, where several public loaders agree on the
order); the voting-history codes from Florida Administrative Code Rule 1S-2.053 (Table 3,
"Voter's Voting History Record", vote history code), https://www.flrules.org (Rule 1S-2.053,
Form DS-DE 145); the extract is governed by section 98.0981, Florida Statutes.

- Both files are tab-delimited and have no header row: the columns are the layout's. The
  Division ships one file per county (``ALA_20240102.txt``); concatenate a statewide set
  into one voters file and one history file before importing (without headers, ``cat`` does).
- Dates are MM/DD/YYYY. The birth date is published in full.
- History is a file of its own: county code, voter id, election date, election type (GEN,
  PRI, PPP, RUN, OTH: named here "2024 General") and the history code: Y voted at the polls,
  A voted by mail, E voted early, B vote-by-mail ballot not counted, P provisional ballot not
  counted, F provisional counted at an early voting site, Z provisional counted at the polls,
  N did not vote (some counties send such lines: they record no ballot and are passed over).
  A ballot not counted is kept: the voter turned out, which is what history is used for.
- ``county_code`` is the three-letter code of the Florida Voter Registration System (ALA
  Alachua ... WAS Washington; DAD is Miami-Dade, whose FIPS 12086 breaks the Census's odd
  alphabetical numbering).
- Party codes: DEM, REP, NPA (no party affiliation), LPF (Libertarian), GRE (Green) and the
  minor parties, counted as other. Status: ACT active, INA inactive, PRE pre-registered (16
  and 17 year olds, who cannot vote yet: inactive).
- The daytime phone is split into area code and number, joined here. For voters who asked
  for the public-records exemption (``requested_public_records_exemption`` Y) the withheld
  fields are blank; a row missing a required one is reported like any other.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout

COLUMNS = (
    "county_code", "voter_id", "name_last", "name_suffix", "name_first", "name_middle",
    "requested_public_records_exemption", "residence_address_line_1",
    "residence_address_line_2", "residence_city", "residence_state", "residence_zipcode",
    "mailing_address_line_1", "mailing_address_line_2", "mailing_address_line_3",
    "mailing_city", "mailing_state", "mailing_zipcode", "mailing_country", "gender", "race",
    "birth_date", "registration_date", "party_affiliation", "precinct", "precinct_group",
    "precinct_split", "precinct_suffix", "voter_status", "congressional_district",
    "house_district", "senate_district", "county_commission_district", "school_board_district",
    "daytime_area_code", "daytime_phone_number", "daytime_phone_extension", "email_address",
)  # fmt: skip

HISTORY_COLUMNS = ("county_code", "voter_id", "election_date", "election_type", "history_code")

# FVRS county code -> FIPS.
COUNTIES = {
    "ALA": "12001", "BAK": "12003", "BAY": "12005", "BRA": "12007", "BRE": "12009",
    "BRO": "12011", "CAL": "12013", "CHA": "12015", "CIT": "12017", "CLA": "12019",
    "CLL": "12021", "CLM": "12023", "DAD": "12086", "DES": "12027", "DIX": "12029",
    "DUV": "12031", "ESC": "12033", "FLA": "12035", "FRA": "12037", "GAD": "12039",
    "GIL": "12041", "GLA": "12043", "GUL": "12045", "HAM": "12047", "HAR": "12049",
    "HEN": "12051", "HER": "12053", "HIG": "12055", "HIL": "12057", "HOL": "12059",
    "IND": "12061", "JAC": "12063", "JEF": "12065", "LAF": "12067", "LAK": "12069",
    "LEE": "12071", "LEO": "12073", "LEV": "12075", "LIB": "12077", "MAD": "12079",
    "MAN": "12081", "MRN": "12083", "MRT": "12085", "MON": "12087", "NAS": "12089",
    "OKA": "12091", "OKE": "12093", "ORA": "12095", "OSC": "12097", "PAL": "12099",
    "PAS": "12101", "PIN": "12103", "POL": "12105", "PUT": "12107", "STJ": "12109",
    "STL": "12111", "SAN": "12113", "SAR": "12115", "SEM": "12117", "SUM": "12119",
    "SUW": "12121", "TAY": "12123", "UNI": "12125", "VOL": "12127", "WAK": "12129",
    "WAL": "12131", "WAS": "12133",
}  # fmt: skip

PARTY_CODES = {
    "DEM": "DEM",
    "REP": "REP",
    "NPA": "UNA",
    "LPF": "LIB",
    "GRE": "GRE",
    # Constitution, Ecology, Independent, Independent Party, Party for Socialism and
    # Liberation, Reform, America's Independent: recognised minor parties.
    "CPF": "OTH",
    "ECO": "OTH",
    "IND": "OTH",
    "INT": "OTH",
    "IDP": "OTH",
    "PSL": "OTH",
    "REF": "OTH",
    "AIP": "OTH",
}
STATUS_CODES = {"ACT": "active", "INA": "inactive", "PRE": "inactive"}
METHOD_CODES = {
    "Y": "election_day",
    "Z": "election_day",
    "E": "early",
    "F": "early",
    "A": "mail",
    "B": "mail",
    "P": "provisional",
    "N": "",
}
ELECTION_KINDS = {
    "GEN": "General",
    "PRI": "Primary",
    "PPP": "Presidential Preference Primary",
    "RUN": "Runoff",
    "OTH": "Election",
}

LAYOUT = Layout(
    name="fl",
    state="FL",
    title="Florida Voter Extract Disk File + voter history",
    delimiter="\t",
    header=False,
    columns=COLUMNS,
    fields={
        "state_voter_id": "voter_id",
        "first_name": "name_first",
        "middle_name": "name_middle",
        "last_name": "name_last",
        "suffix": "name_suffix",
        "birth_date": "birth_date",
        "phone": ("daytime_area_code", "daytime_phone_number"),
        "email": "email_address",
        "street": "residence_address_line_1",
        "unit": "residence_address_line_2",
        "city": "residence_city",
        "zip5": "residence_zipcode",
        "county": "county_code",
        "party": "party_affiliation",
        "status": "voter_status",
        "registered_on": "registration_date",
    },
    date_format="%m/%d/%Y",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=lambda value: COUNTIES.get(value.upper()),
    required=("state_voter_id", "last_name", "county", "status", "party"),
    history_columns=HISTORY_COLUMNS,
    history_fields={
        "state_voter_id": "voter_id",
        "election_date": "election_date",
        "election_name": "election_type",
        "method": "history_code",
    },
    method_codes=METHOD_CODES,
    election_kinds=ELECTION_KINDS,
)
