"""Coordinates from a file that carries them (NGP VAN's export): each household is placed where
the file says, a bad coordinate refuses its row naming the column, and a later file without
coordinates leaves the household where it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from groundgame.people.models import Household, Person, VoterImportRowError
from groundgame.people.services import voter_file_import
from groundgame.people.voterfile import firstload, indexes
from groundgame.people.voterfile.layouts import ngpvan_nc
from tests.people.voterfile.voter_files_helpers import voter_line, write_pair

DEFAULTS = {
    "lastName": "SMITH",
    "firstName": "ANN",
    "dateOfBirth": "1975-09-18T00:00:00Z",
    "party": "D",
    "addressLine1": "100 MAIN ST",
    "city": "DURHAM",
    "stateOrProvince": "NC",
    "zipOrPostalCode": "27701",
    "countyId": "32",  # Durham
}


def van_line(ncid: str, **fields: str) -> str:
    values = {**DEFAULTS, "stateFileId": ncid, **fields}
    return "\t".join(values.get(c, "") for c in ngpvan_nc.COLUMNS)


def at(latitude: float, longitude: float) -> dict[str, str]:
    return {"geoLocationLat": str(latitude), "geoLocationLon": str(longitude)}


def van_export(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(["\t".join(ngpvan_nc.COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


def van_import(path: Path):
    return voter_file_import(actor=None, layout="ngpvan_nc", voters=path)


def place(ncid: str) -> tuple[float | None, float | None]:
    household = Person.objects.get(external_ids__external_id=f"NC:{ncid}").household
    assert household is not None
    return household.latitude, household.longitude


@pytest.mark.django_db
def test_an_export_places_each_household(tmp_path):
    path = van_export(
        tmp_path / "export.txt",
        [
            van_line("A1", geoLocationLat="35.99403", geoLocationLon="-78.89862"),
            # Two voters of one household, the file's last line placing it.
            van_line("A2", addressLine1="7 Elm St", geoLocationLat="35.9", geoLocationLon="-78.9"),
            van_line("A3", addressLine1="7 ELM ST.", **at(35.91, -78.91)),
            van_line("A4", addressLine1="9 Oak St"),  # not placed by the vendor
            van_line("A5", addressLine1="11 Oak St", geoLocationLat="0", geoLocationLon="0"),
        ],
    )
    outcome = van_import(path)
    assert (outcome.run.rows_new, outcome.run.rows_rejected) == (5, 0)
    assert place("A1") == (35.99403, -78.89862)
    assert place("A2") == place("A3") == (35.91, -78.91)
    assert place("A4") == (None, None)
    assert place("A5") == (None, None)  # 0, 0 is an export's "no place"
    assert Household.objects.count() == 4


@pytest.mark.django_db
def test_a_bad_coordinate_refuses_its_row_naming_the_column(tmp_path):
    path = van_export(
        tmp_path / "export.txt",
        [
            van_line("B1", geoLocationLat="35.99", geoLocationLon="-78.89"),
            van_line("B2", addressLine1="2 A St", geoLocationLat="north", geoLocationLon="-78"),
            van_line("B3", addressLine1="3 A St", geoLocationLat="35.9", geoLocationLon="-181"),
            van_line("B4", addressLine1="4 A St", geoLocationLat="91", geoLocationLon="-78"),
            van_line("B5", addressLine1="5 A St", geoLocationLat="35.9"),
            van_line("B6", addressLine1="6 A St", geoLocationLat="nan", geoLocationLon="-78"),
        ],
    )
    outcome = van_import(path)
    assert (outcome.run.rows_new, outcome.run.rows_rejected) == (1, 5)
    errors = {
        e.row_number: (e.field, e.reason)
        for e in VoterImportRowError.objects.filter(run=outcome.run)
    }
    assert errors == {
        3: ("geoLocationLat", "'north' is not a latitude in degrees"),
        4: ("geoLocationLon", "'-181' is not a longitude (-180 to 180)"),
        5: ("geoLocationLat", "'91' is not a latitude (-90 to 90)"),
        6: ("geoLocationLon", "missing while the other coordinate is given"),
        7: ("geoLocationLat", "'nan' is not a latitude (-90 to 90)"),
    }
    # Nothing of a refused row was written: only B1's household exists.
    assert list(Household.objects.values_list("street", flat=True)) == ["100 Main St"]


@pytest.mark.django_db
def test_a_later_file_without_coordinates_keeps_them(tmp_path):
    van_import(
        van_export(
            tmp_path / "first.txt",
            [
                van_line("C1", geoLocationLat="35.99", geoLocationLon="-78.89"),
                van_line("C2", addressLine1="2 Pine St", **at(35.98, -78.88)),
            ],
        )
    )
    placed = Household.objects.get(street="100 Main St")
    # The state's own file has no coordinates: the same people, their households kept where
    # the export put them.
    voters, history = write_pair(tmp_path / "state", [voter_line("C1"), voter_line("C2")])
    outcome = voter_file_import(actor=None, layout="nc", voters=voters, history=history)
    assert outcome.run.rows_new == 0
    assert place("C1") == (35.99, -78.89)
    assert Household.objects.get(pk=placed.pk).updated_at == placed.updated_at
    # A newer export moves C2 to a new address and corrects C1's coordinates.
    van_import(
        van_export(
            tmp_path / "newer.txt",
            [
                van_line("C1", **at(35.995, -78.895)),
                van_line("C2", addressLine1="8 Birch St", **at(35.97, -78.87)),
            ],
        )
    )
    assert place("C1") == (35.995, -78.895)
    assert place("C2") == (35.97, -78.87)
    assert Household.objects.get(street="2 Pine St").latitude == 35.98


@pytest.mark.django_db
def test_the_same_export_twice_changes_no_household(tmp_path):
    lines = [van_line("D1", geoLocationLat="35.99", geoLocationLon="-78.89")]
    van_import(van_export(tmp_path / "a.txt", lines))
    before = list(Household.objects.values_list("pk", "latitude", "longitude", "updated_at"))
    # Another file name and a line more, so that the run is not recognised as the same file.
    van_import(van_export(tmp_path / "b.txt", [*lines, van_line("D2", addressLine1="3 B St")]))
    after = Household.objects.filter(pk__in=[b[0] for b in before])
    assert list(after.values_list("pk", "latitude", "longitude", "updated_at")) == before


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="a state's first load is read whole on PostgreSQL only",
)
@pytest.mark.django_db(transaction=True)
def test_a_first_load_with_coordinates_places_its_households(tmp_path, monkeypatch):
    # Every file counts as a state's first load; the one read whole declines an export that
    # carries coordinates, and the batch path places its households.
    monkeypatch.setattr(indexes, "DEFER_INDEXES_FROM_BYTES", 0)
    declined = []
    original = firstload.load

    def load(*args, **kwargs):
        declined.append(not original(*args, **kwargs))
        return not declined[-1]

    monkeypatch.setattr(firstload, "load", load)
    path = van_export(
        tmp_path / "first.txt", [van_line("E1", geoLocationLat="35.99", geoLocationLon="-78.89")]
    )
    outcome = van_import(path)
    assert declined == [True]
    assert connection.vendor == "postgresql"
    assert outcome.run.status == "completed"
    assert place("E1") == (35.99, -78.89)
