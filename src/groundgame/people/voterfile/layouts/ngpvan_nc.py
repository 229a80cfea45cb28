"""NGP VAN: a North Carolina committee's export of its voters, with their coordinates.

A vendor's export rather than a state's file: tab-delimited with a header row, one voter a
line, its columns named after the keys of NGP VAN's person record (API v4: ``vanId``, the
``StateFileID`` identifier, names, ``dateOfBirth``, ``party`` and the voting address with its
``geoLocation``), flattened. The state file id is the voter's ``ncid``, so an export and the
state's own file update the same people. Vendors geocode every address, so the coordinates
(``geoLocation``'s ``lat`` and ``lon``) put each household on the map; an address the vendor
could not place has them empty. The county is the number of North Carolina's file (Alamance 1
to Yancey 100). The export lists registered voters only and carries no status.
"""

from __future__ import annotations

from groundgame.people.voterfile.layouts import Layout, odd_fips

COLUMNS = (
    "vanId", "stateFileId", "lastName", "firstName", "middleName", "suffix", "dateOfBirth",
    "party", "addressLine1", "addressLine2", "city", "stateOrProvince", "zipOrPostalCode",
    "countyId", "geoLocationLat", "geoLocationLon", "phoneNumber", "email",
)  # fmt: skip

# VAN's one-letter party codes.
PARTY_CODES = {"D": "DEM", "R": "REP", "U": "UNA", "L": "LIB", "G": "GRE", "O": "OTH", "": ""}

LAYOUT = Layout(
    name="ngpvan_nc",
    state="NC",
    title="NGP VAN export of North Carolina voters, with coordinates",
    delimiter="\t",
    columns=COLUMNS,
    fields={
        "state_voter_id": "stateFileId",
        "first_name": "firstName",
        "middle_name": "middleName",
        "last_name": "lastName",
        "suffix": "suffix",
        "birth_date": "dateOfBirth",
        "phone": "phoneNumber",
        "email": "email",
        "street": "addressLine1",
        "unit": "addressLine2",
        "city": "city",
        "zip5": "zipOrPostalCode",
        "county": "countyId",
        "party": "party",
        "latitude": "geoLocationLat",
        "longitude": "geoLocationLon",
    },
    date_format="%Y-%m-%dT%H:%M:%SZ",
    party_codes=PARTY_CODES,
    status_codes={"": "active"},
    county_fips=odd_fips("37", 100),
    required=("state_voter_id", "last_name", "county"),
)
