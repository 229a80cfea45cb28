"""A batch geocoder client in the shape of the U.S. Census Bureau's batch service.

The Census Geocoder's ``locations/addressbatch`` takes a multipart POST of a CSV file
(``addressFile``) of up to 10,000 rows ``id, street, city, state, ZIP`` without a header, and a
``benchmark`` (the version of its address data, e.g. ``Public_AR_Current``). It answers a CSV
of one row per input: the id, the address as given, the match indicator (``Match``,
``No_Match`` or ``Tie``), and for a match its type (``Exact`` or ``Non_Exact``), the matched
address, the point as ``longitude,latitude``, the TIGER line id and its side (U.S. Census
Bureau, "Census Geocoder: Geocoding Services API", the batch geocoding section). A
self-hosted geocoder that speaks the same CSV is pointed at with the same settings.

This module only speaks the protocol: one request, one parsed answer or a ``GeocoderError``
that says whether sending the same request again may help. What is written is the services'.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import NamedTuple

# The Census service's limit on the rows of one request.
MAX_BATCH = 10_000


class Address(NamedTuple):
    id: int
    street: str
    city: str
    state: str
    zip5: str

    def text(self) -> str:
        return ", ".join(p for p in (self.street, self.city, self.state, self.zip5) if p)


class Found(NamedTuple):
    """What the geocoder answered for one address: ``match``, ``no_match`` or ``tie``; a match
    carries its point and the address it matched."""

    status: str
    exact: bool = False
    matched_address: str = ""
    latitude: float | None = None
    longitude: float | None = None


class GeocoderError(Exception):
    """A request that got no usable answer. ``retry``: the same request may succeed later
    (the service was unreachable, overloaded or answered something unreadable)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


def request_body(addresses: Sequence[Address], benchmark: str) -> tuple[bytes, str]:
    """The multipart form of a batch: its body and content type."""
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    for a in addresses:
        writer.writerow((a.id, a.street, a.city, a.state, a.zip5))
    boundary = f"groundgame-{secrets.token_hex(12)}"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="benchmark"\r\n\r\n'
        f"{benchmark}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="addressFile"; filename="addresses.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        f"{rows.getvalue()}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def geocode(
    addresses: Sequence[Address], *, url: str, benchmark: str, timeout: float
) -> dict[int, Found]:
    """One request for ``addresses`` (at most ``MAX_BATCH``): what was found for each id."""
    body, content_type = request_body(addresses, benchmark)
    request = urllib.request.Request(  # noqa: S310 - the configured geocoder's address
        url, data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            text = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        # Overloaded or failing: try again later. Anything else the request itself is wrong
        # (a benchmark the service does not know, a body it refuses): sending it again won't do.
        retry = exc.code >= 500 or exc.code == 429
        raise GeocoderError(f"the geocoder answered HTTP {exc.code}", retry=retry) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GeocoderError(f"the geocoder could not be reached: {reason}", retry=True) from exc
    return parse_answer(text, {a.id for a in addresses})


_STATUSES = {"match": "match", "no_match": "no_match", "tie": "tie"}


def parse_answer(text: str, ids: set[int]) -> dict[int, Found]:
    """The answer's rows by id; ``GeocoderError`` (retry) for an answer that is not the
    service's CSV: a row of an id not asked, a match without a point, an id left out."""
    found: dict[int, Found] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        found_id = _row_id(row[0], ids, number)
        status = _STATUSES.get(row[2].strip().lower()) if len(row) >= 3 else None
        if status is None:
            raise _malformed(number, "no match indicator (Match, No_Match or Tie)")
        if status != "match":
            found[found_id] = Found(status)
            continue
        if len(row) < 6:
            raise _malformed(number, "a match without its point")
        latitude, longitude = _point(row[5], number)
        found[found_id] = Found(
            "match",
            exact=row[3].strip().lower() == "exact",
            matched_address=row[4].strip()[:300],
            latitude=latitude,
            longitude=longitude,
        )
    left_out = len(ids - set(found))
    if left_out:
        raise GeocoderError(
            f"the geocoder's answer left out {left_out} of {len(ids)} addresses", retry=True
        )
    return found


def _row_id(value: str, ids: set[int], number: int) -> int:
    try:
        found_id = int(value.strip())
    except ValueError:
        raise _malformed(number, f"{value[:40]!r} is not an id") from None
    if found_id not in ids:
        raise _malformed(number, f"id {found_id} was not asked for")
    return found_id


def _point(value: str, number: int) -> tuple[float, float]:
    """``longitude,latitude`` as the Census writes a point."""
    try:
        lon_text, lat_text = value.split(",")
        longitude, latitude = float(lon_text), float(lat_text)
    except ValueError:
        raise _malformed(number, f"{value[:40]!r} is not a point (longitude,latitude)") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or not (
        -90 <= latitude <= 90 and -180 <= longitude <= 180
    ):
        raise _malformed(number, f"{value[:40]!r} is not a point on Earth")
    return latitude, longitude


def _malformed(number: int, what: str) -> GeocoderError:
    return GeocoderError(f"the geocoder's answer is not its CSV: line {number}: {what}", retry=True)
