"""North Carolina: the State Board of Elections' ``ncvoter`` and ``ncvhis`` files.

Both are tab-delimited with a header row (the statewide files quote every field); a voter's
statewide id is ``ncid``, which links the history to the registration. ``county_id`` numbers
the 100 counties alphabetically, Alamance 1 to Yancey 100. Only the birth year is published,
so people get no birth date from this file.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout, odd_fips

COLUMNS = (
    "county_id", "county_desc", "voter_reg_num", "ncid", "last_name", "first_name",
    "middle_name", "name_suffix_lbl", "status_cd", "voter_status_desc", "reason_cd",
    "voter_status_reason_desc", "res_street_address", "res_city_desc", "state_cd", "zip_code",
    "mail_addr1", "mail_addr2", "mail_addr3", "mail_addr4", "mail_city", "mail_state",
    "mail_zipcode", "full_phone_number", "confidential_ind", "registr_dt", "race_code",
    "ethnic_code", "party_cd", "gender_code", "birth_year", "age_at_year_end", "birth_state",
    "drivers_lic", "precinct_abbrv", "precinct_desc", "municipality_abbrv", "municipality_desc",
    "ward_abbrv", "ward_desc", "cong_dist_abbrv", "super_court_abbrv", "judic_dist_abbrv",
    "nc_senate_abbrv", "nc_house_abbrv", "county_commiss_abbrv", "county_commiss_desc",
    "township_abbrv", "township_desc", "school_dist_abbrv", "school_dist_desc",
    "fire_dist_abbrv", "fire_dist_desc", "water_dist_abbrv", "water_dist_desc",
    "sewer_dist_abbrv", "sewer_dist_desc", "sanit_dist_abbrv", "sanit_dist_desc",
    "rescue_dist_abbrv", "rescue_dist_desc", "munic_dist_abbrv", "munic_dist_desc",
    "dist_1_abbrv", "dist_1_desc", "vtd_abbrv", "vtd_desc",
)  # fmt: skip

HISTORY_COLUMNS = (
    "county_id", "county_desc", "voter_reg_num", "election_lbl", "election_desc",
    "voting_method", "voted_party_cd", "voted_party_desc", "pct_label", "pct_description",
    "ncid", "voted_county_id", "voted_county_desc", "vtd_label", "vtd_description",
)  # fmt: skip

PARTY_CODES = {
    "DEM": "DEM",
    "REP": "REP",
    "UNA": "UNA",
    "LIB": "LIB",
    "GRE": "GRE",
    # Constitution, No Labels, Justice For All: recognised parties too small to list apart.
    "CST": "OTH",
    "NLB": "OTH",
    "JFA": "OTH",
}
# A active, I inactive, S temporary (military and overseas: they vote), D denied, R removed.
STATUS_CODES = {"A": "active", "S": "active", "I": "inactive", "D": "removed", "R": "removed"}
METHOD_CODES = {
    "IN-PERSON": "election_day",
    "CURBSIDE": "election_day",
    "TRANSFER": "election_day",
    "ABSENTEE ONESTOP": "early",
    "ABSENTEE CURBSIDE": "early",
    "ABSENTEE BY MAIL": "mail",
    "ABSENTEE": "mail",
    "PROVISIONAL": "provisional",
}

LAYOUT = Layout(
    name="nc",
    state="NC",
    title="North Carolina ncvoter + ncvhis",
    delimiter="\t",
    columns=COLUMNS,
    fields={
        "state_voter_id": "ncid",
        "first_name": "first_name",
        "middle_name": "middle_name",
        "last_name": "last_name",
        "suffix": "name_suffix_lbl",
        "phone": "full_phone_number",
        "street": "res_street_address",
        "city": "res_city_desc",
        "zip5": "zip_code",
        "county": "county_id",
        "party": "party_cd",
        "status": "status_cd",
        "registered_on": "registr_dt",
    },
    date_format="%m/%d/%Y",
    party_codes=PARTY_CODES,
    status_codes=STATUS_CODES,
    county_fips=odd_fips("37", 100),
    required=("state_voter_id", "last_name", "county", "status", "party"),
    history_columns=HISTORY_COLUMNS,
    history_fields={
        "state_voter_id": "ncid",
        "election_date": "election_lbl",
        "election_name": "election_desc",
        "method": "voting_method",
    },
    method_codes=METHOD_CODES,
)
