"""How far the demo's turfs walk a door, with its households on streets and, in the same run
and on the same households, placed as the demo placed them before (scattered about 1.5 km
around their ZIP code's centroid) and at their ZIP code's centroid (where a household without
coordinates stands).

``groundgame bench demo-walk --scale small`` seeds the synthetic campaign (``groundgame seed``)
into a fresh embedded database. Its field program has cut each state's biggest team into
turfs of about fifty doors (``field.services.turf_cut``, as the turf page does); those turfs'
routes are the street placement's figures. Then, for each baseline, every swing-state
household is moved to that placement and the same universes are cut again with the same
settings, in a transaction rolled back afterwards. Reported for each placement: turfs, doors,
meters walked a door (all routes over all doors), and the median and longest turf's route.
Progress goes to stderr; the figures are returned for the command line to print as JSON.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# The demo's old placement: a Gaussian of this many degrees around the ZIP's centroid.
SCATTER_DEGREES = 0.015
FIVE_KM = 5_000.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-demo-walk-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["GROUNDGAME_HOME"] = str(Path(tmp) / "home")
        _log(f"seeding the demo campaign ({args.scale})")
        subprocess.run(
            [sys.executable, "-m", "groundgame", "seed", "--scale", args.scale,
             "--seed", str(args.seed)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        os.environ.pop("DATABASE_URL", None)
        os.environ["GROUNDGAME_HOME"] = env["GROUNDGAME_HOME"]
        from groundgame import runtime

        runtime.setup_django()
        return _measure(args)


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction

    from groundgame.field import services as field_services
    from groundgame.field.models import Turf, TurfCut
    from groundgame.organizing import selectors as organizing_selectors
    from groundgame.people.models import Household

    cuts = list(TurfCut.objects.order_by("pk"))
    streets = _figures(Turf.objects.filter(cut__in=cuts))
    _log(f"streets: {streets['meters_per_door']} m a door over {streets['turfs']} turfs")
    result: dict[str, Any] = {
        "scale": args.scale,
        "seed": args.seed,
        "cuts": len(cuts),
        "target_doors": sorted({c.target_doors for c in cuts}),
        "streets": streets,
    }
    households = list(
        Household.objects.exclude(county_fips="").values_list("pk", "zip5").order_by("pk")
    )
    rng = random.Random(args.seed)
    for placement in ("scattered", "zip_centroid"):
        points: list[tuple[float | None, float | None, int]] = []
        for pk, zip5 in households:
            centroid = organizing_selectors.zip_centroid(zip5)
            if centroid is None or placement == "zip_centroid":
                points.append((None, None, pk))
                continue
            lat, lon = centroid
            points.append(
                (
                    lat + rng.gauss(0.0, SCATTER_DEGREES),
                    lon + rng.gauss(0.0, SCATTER_DEGREES) / math.cos(math.radians(lat)),
                    pk,
                )
            )
        with transaction.atomic():
            table = connection.ops.quote_name(Household._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET latitude = %s, longitude = %s WHERE id = %s",  # noqa: S608
                    points,
                )
            again = [
                field_services.turf_cut(
                    actor=None,
                    universe_id=cut.universe_id,
                    org_unit_id=cut.org_unit_id,
                    target_doors=cut.target_doors,
                    boundary=cut.boundary,
                    name=f"{cut.name} ({placement})",
                )
                for cut in cuts
            ]
            result[placement] = _figures(Turf.objects.filter(cut__in=again))
            transaction.set_rollback(True)
        _log(f"{placement}: {result[placement]['meters_per_door']} m a door")
    result["ratio_streets_to_scattered"] = round(
        streets["meters_per_door"] / result["scattered"]["meters_per_door"], 4
    )
    return result


def _figures(turfs: Any) -> dict[str, Any]:
    rows = [(t.doors, t.route_meters) for t in turfs]
    doors = sum(d for d, _ in rows)
    meters = [m for _, m in rows]
    return {
        "turfs": len(rows),
        "doors": doors,
        "meters_per_door": round(sum(meters) / doors, 1) if doors else 0.0,
        "median_turf_doors": statistics.median(d for d, _ in rows) if rows else 0,
        "median_turf_km": round(statistics.median(meters) / 1000, 2) if rows else 0.0,
        "longest_turf_km": round(max(meters) / 1000, 2) if rows else 0.0,
        "turfs_over_5_km": sum(1 for m in meters if m > FIVE_KM),
    }


def _log(message: str) -> None:
    print(f"bench demo-walk: {message}", file=sys.stderr, flush=True)
