"""Events were all created in New York time: each takes the zone of its unit's area (the
counties its team covers, else its state, else the nearest unit above with either), as new
events do. Only events still in New York time are looked at, so it can run again; a unit
whose area is in New York time leaves its events as they are. Shifts keep their moments:
volunteers were told those times."""

from django.db import migrations

from groundgame.core.geo import area_timezone

OLD_DEFAULT = "America/New_York"


def zones_from_units(apps, schema_editor):  # type: ignore[no-untyped-def]
    Event = apps.get_model("events", "Event")
    OrgUnit = apps.get_model("organizing", "OrgUnit")
    Coverage = apps.get_model("organizing", "Coverage")
    units = {u.pk: u for u in OrgUnit.objects.all()}
    counties: dict[int, list[str]] = {}
    for unit_id, fips in Coverage.objects.values_list("org_unit_id", "county_fips"):
        counties.setdefault(unit_id, []).append(fips)
    zones: dict[int, str | None] = {}
    for unit_id in Event.objects.filter(timezone=OLD_DEFAULT).values_list("org_unit_id", flat=True):
        if unit_id in zones:
            continue
        chain = [int(p) for p in units[unit_id].path.strip("/").split("/") if p] or [unit_id]
        zones[unit_id] = area_timezone(
            (counties.get(pk, []), units[pk].state) for pk in reversed(chain) if pk in units
        )
    for unit_id, zone in zones.items():
        if zone and zone != OLD_DEFAULT:
            Event.objects.filter(org_unit_id=unit_id, timezone=OLD_DEFAULT).update(timezone=zone)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_mobilize_ids_to_links"),
        ("organizing", "0007_features_move_out"),
    ]

    operations = [migrations.RunPython(zones_from_units, migrations.RunPython.noop)]
