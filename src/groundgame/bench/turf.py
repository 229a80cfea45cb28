"""Turf cutting and walking routes for a 1-million-household universe on PostgreSQL, and our
walking distance per door against OR-tools' routing on a sample of the same turfs.

``groundgame bench turf --households 1000000`` builds a synthetic campaign in a database of
its own (``groundgame_bench_turf_<households>``): three counties (Durham, Wake, Mecklenburg),
each a team, and in them neighbourhoods of street grids, each turned its own way, with houses
on both sides of each street about 25 m apart, house numbers rising along the street, one
voter per household. The build is SQL on the server from ``generate_series`` (each attribute
a fixed hash of the household's id, so every build is the same town).

It then cuts a universe of everyone into turfs of ``--target`` doors with
``field.services.turf_cut``, exactly as the turf page does, timing its parts (reading the
households, cutting, routing, writing the stops) around the service's own functions, and
reports peak memory. On ``--sample`` turfs drawn at random it routes the same doors with
OR-tools (an open path: a dummy depot at no distance from every door; path-cheapest-arc
start, guided local search for ``--ortools-seconds`` a turf) and scores both routes with the
same equirectangular meters. Progress goes to stderr; the figures are returned for the
command line to print as JSON. The database is dropped afterwards unless ``--keep``, and a
later run with ``--keep`` reuses a kept one of the same size (previous cuts removed).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg

_PREFIX = "groundgame_bench_turf_"
# County FIPS, team, centre, and its ZIP codes: three of North Carolina's big counties.
_COUNTIES = (
    ("37063", "Durham", (35.99, -78.90), ("27701", "27703", "27704", "27705", "27707", "27713")),
    ("37183", "Wake", (35.79, -78.64), ("27601", "27603", "27604", "27606", "27609", "27610")),
    ("37119", "Mecklenburg", (35.23, -80.84), ("28202", "28203", "28205", "28208", "28210")),
)  # fmt: skip
_HOMES_PER_NEIGHBOURHOOD = 480  # 12 streets of 40 homes, 20 a side
_STREETS = (
    "Oak", "Maple", "Cedar", "Elm", "Pine", "Walnut", "Chestnut", "Hickory", "Willow", "Birch",
    "Magnolia", "Dogwood", "Poplar", "Sycamore", "Laurel", "Holly", "Aspen", "Spruce", "Juniper",
    "Cypress", "Park", "Lake", "Hill", "Church", "Main", "Mill",
)  # fmt: skip
_WORDS = ("Ridge", "Creek", "Hill", "Park", "Glen", "Forest", "Valley", "Meadow", "Grove",
          "Spring", "Brook", "View")  # fmt: skip
_KINDS = ("St", "Ave", "Dr", "Rd", "Ln", "Ct")

_FUNCTIONS = """
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(i, salt) & 9007199254740991)::float8 / 9007199254740992 $$;
"""


def _log(message: str) -> None:
    print(f"bench turf: {message}", file=sys.stderr, flush=True)


def _households_sql(households: int, neighbourhoods: int) -> str:
    """One INSERT of every household: neighbourhood ``n`` (id mod neighbourhoods) sits in
    county ``n mod 3`` a few kilometres from its centre, a grid turned by its own angle; home
    ``k`` of it is on street ``k / 40``, side ``k mod 2``, ``k / 2 mod 20`` houses along; the
    neighbourhoods of a ZIP code name their streets in turn from 26 x 12 x 6 names."""
    counties = "ARRAY[" + ",".join(f"'{c[0]}'" for c in _COUNTIES) + "]"
    lats = "ARRAY[" + ",".join(str(c[2][0]) for c in _COUNTIES) + "]::float8[]"
    lons = "ARRAY[" + ",".join(str(c[2][1]) for c in _COUNTIES) + "]::float8[]"
    zips = "ARRAY[" + ",".join("'" + " ".join(c[3]) + "'" for c in _COUNTIES) + "]"
    names = "ARRAY[" + ",".join(f"'{s}'" for s in _STREETS) + "]"
    words = "ARRAY[" + ",".join(f"'{w}'" for w in _WORDS) + "]"
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in _KINDS) + "]"
    return f"""
    INSERT INTO people_household (id, created_at, updated_at, street, unit, city, state, zip5,
        county_fips, latitude, longitude)
    SELECT h, now(), now(),
        (100 + 2 * along + side)::text || ' ' || ({names})[1 + idx % {len(_STREETS)}] || ' '
            || ({words})[1 + (idx / {len(_STREETS)}) % {len(_WORDS)}] || ' '
            || ({kinds})[1 + (idx / {len(_STREETS) * len(_WORDS)}) % {len(_KINDS)}],
        '', 'City', 'NC',
        (string_to_array(({zips})[1 + c], ' '))[
            1 + (n / 3) % array_length(string_to_array(({zips})[1 + c], ' '), 1)],
        ({counties})[1 + c],
        round((({lats})[1 + c] + north / 111320.0)::numeric, 6)::float8,
        round((({lons})[1 + c] + east / (111320.0 * cos(radians(({lats})[1 + c]))))::numeric,
            6)::float8
    FROM generate_series(1, {households}) h,
    LATERAL (SELECT h % {neighbourhoods} AS n, (h / {neighbourhoods}) AS k) a,
    LATERAL (SELECT array_length(string_to_array(({zips})[1 + (n % 3)::int], ' '), 1) AS nz) z,
    LATERAL (SELECT (n % 3)::int AS c, (k / 40)::int AS street, (k % 2)::int AS side,
        ((k % 40) / 2)::int AS along,
        -- The street's number among its ZIP code's: every street of a ZIP has its own name.
        ((n / 3) / nz) * 16 + (k / 40)::int AS idx,
        pi() * pg_temp.u(n, 1) AS angle,
        -- Neighbourhoods spread over ~12 km around the county's centre.
        (pg_temp.u(n, 2) - 0.5) * 24000 AS cx, (pg_temp.u(n, 3) - 0.5) * 24000 AS cy) b,
    LATERAL (SELECT along * 25.0 + side * 4 + (pg_temp.u(h, 4) - 0.5) * 6 AS gx,
        street * 110.0 + side * 18 AS gy) g,
    LATERAL (SELECT cx + gx * cos(angle) - gy * sin(angle) AS east,
        cy + gx * sin(angle) + gy * cos(angle) AS north) p
    """


def _people_sql() -> str:
    return """
    INSERT INTO people_person (id, created_at, updated_at, first_name, middle_name, last_name,
        suffix, email, phone, birth_date, household_id, org_unit_id, merged_into_id)
    SELECT h.id, now(), now(), 'Voter', '', 'No' || h.id::text, '', '', '', NULL, h.id,
        NULL, NULL
    FROM people_household h
    """


def _build(url: str, households: int) -> None:
    from django.db import connection

    from groundgame import runtime
    from groundgame.organizing import services as organizing

    _log("creating the tables")
    runtime.migrate()
    national = organizing.org_unit_create(actor=None, name="National", kind="national")
    state = organizing.org_unit_create(
        actor=None, name="North Carolina", kind="state", parent=national, state="NC"
    )
    region = organizing.org_unit_create(actor=None, name="Piedmont", kind="region", parent=state)
    for fips, name, _, _ in _COUNTIES:
        organizing.org_unit_create(
            actor=None, name=name, kind="team", parent=region, counties=[fips]
        )
    connection.close()
    neighbourhoods = max(1, households // _HOMES_PER_NEIGHBOURHOOD)
    with psycopg.connect(url) as db:
        db.execute("SET session_replication_role = replica")
        db.execute(_FUNCTIONS)
        _log(f"building {households:,} households in {neighbourhoods:,} neighbourhoods")
        db.execute(_households_sql(households, neighbourhoods))
        _log("one voter in each")
        db.execute(_people_sql())
        for table in ("people_household", "people_person"):
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}) + 1, false)"
            )
        db.execute("CREATE TABLE bench_built (households bigint)")
        db.execute("INSERT INTO bench_built VALUES (%s)", [households])
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _built(admin_url: str, url: str, name: str) -> int | None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        return None
    with psycopg.connect(url) as db:
        marker = db.execute("SELECT to_regclass('bench_built')").fetchone()
        if marker is None or marker[0] is None:
            return None
        row = db.execute("SELECT households FROM bench_built").fetchone()
        return int(row[0]) if row else None


class _Parts:
    """Seconds spent in named functions of a module, wrapped for the run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, module: Any, name: str, part: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[part] = self.seconds.get(part, 0.0) + time.perf_counter() - started
                self.calls[part] = self.calls.get(part, 0) + 1

        setattr(module, name, timed)


def _cut(target: int) -> tuple[Any, dict[str, Any]]:
    from django.db import connection

    from groundgame.field import services, turf_services
    from groundgame.organizing import selectors as organizing_selectors
    from groundgame.people import services as people

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM field_turfstop")
        cursor.execute("DELETE FROM field_turf")
        cursor.execute("DELETE FROM field_turfcut")
        cursor.execute("DELETE FROM people_universe")
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    root = organizing_selectors.org_unit_root()
    assert root is not None
    parts = _Parts()
    # Reading is the household stream the cut consumes: timed as the doors are grouped.
    parts.wrap(turf_services, "doors_of", "read_households_and_group_doors")
    parts.wrap(turf_services, "_labels", "cut_into_turfs")
    parts.wrap(turf_services, "route_doors", "route_turfs")
    parts.wrap(turf_services, "_stops_create", "write_turfs_and_stops")
    _log(f"cutting {universe.last_count:,} people into turfs of {target} doors")
    started = time.perf_counter()
    cut = services.turf_cut(
        actor=None, universe_id=universe.pk, org_unit_id=root.pk, target_doors=target
    )
    seconds = time.perf_counter() - started
    _log(f"cut in {seconds:.1f} s")
    turfs = cut.turfs.count()
    doors = sum(cut.turfs.values_list("doors", flat=True))
    return cut, {
        "seconds": round(seconds, 1),
        "households": cut.households,
        "doors": doors,  # addresses: the households of a building are one door
        "turfs": turfs,
        "parts_seconds": {k: round(v, 1) for k, v in parts.seconds.items()},
        "routing_ms_per_turf": round(1000 * parts.seconds["route_turfs"] / max(turfs, 1), 2),
    }


def _ortools_path(dist: np.ndarray[Any, Any], seconds: float) -> list[int]:
    """OR-tools' open path through every door: a depot (node 0) at no distance from all."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(dist)
    # Integer costs in centimetres: the solver's arcs are integers.
    cost = np.zeros((n + 1, n + 1), dtype=np.int64)
    cost[1:, 1:] = np.rint(dist * 100).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    model = pywrapcp.RoutingModel(manager)
    table = cost.tolist()

    def arc(i: int, j: int) -> int:
        return int(table[manager.IndexToNode(i)][manager.IndexToNode(j)])

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(arc))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = model.SolveWithParameters(params)
    order: list[int] = []
    index = model.Start(0)
    while not model.IsEnd(index):
        node = manager.IndexToNode(index)
        if node:
            order.append(node - 1)
        index = solution.Value(model.NextVar(index))
    return order


def _compare(cut: Any, sample: int, seconds: float, seed: int) -> dict[str, Any]:
    from groundgame.field import turf_services, walking_routes
    from groundgame.field.models import Turf
    from groundgame.people import selectors as people_selectors

    turf_ids = list(Turf.objects.filter(cut=cut).values_list("pk", flat=True))
    picked = random.Random(seed).sample(turf_ids, min(sample, len(turf_ids)))
    rows = []
    for number, turf in enumerate(Turf.objects.filter(pk__in=picked).order_by("pk"), start=1):
        households = list(turf.stops.order_by("position").values_list("household_id", flat=True))
        doors = turf_services.doors_of(people_selectors.household_points(households))
        xy = walking_routes.project(doors.latitude, doors.longitude)
        started = time.perf_counter()
        ours = walking_routes.route(xy, doors.street)
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        theirs = _ortools_path(walking_routes.distance_matrix(xy), seconds)
        theirs_seconds = time.perf_counter() - started
        file_order = np.arange(len(doors))  # households by id: the order of the file
        rows.append(
            {
                "doors": len(doors),
                "ours_m": walking_routes.path_meters(xy, ours),
                "stored_m": turf.route_meters,
                "ortools_m": walking_routes.path_meters(xy, theirs),
                "file_order_m": walking_routes.path_meters(xy, file_order),
                "ours_s": ours_seconds,
                "ortools_s": theirs_seconds,
            }
        )
        if number % 10 == 0:
            _log(f"compared {number} of {len(picked)} turfs with OR-tools")
    total_doors = sum(r["doors"] for r in rows)
    ours_m, theirs_m = sum(r["ours_m"] for r in rows), sum(r["ortools_m"] for r in rows)
    per_turf = [r["ours_m"] / r["ortools_m"] for r in rows if r["ortools_m"]]
    return {
        "turfs": len(rows),
        "doors": total_doors,
        "ortools_seconds_per_turf_limit": seconds,
        "groundgame_m_per_door": round(ours_m / total_doors, 2),
        "ortools_m_per_door": round(theirs_m / total_doors, 2),
        "file_order_m_per_door": round(sum(r["file_order_m"] for r in rows) / total_doors, 2),
        "ratio_groundgame_to_ortools": round(ours_m / theirs_m, 4),
        "ratio_per_turf": {
            "median": round(float(np.median(per_turf)), 4),
            "worst": round(float(np.max(per_turf)), 4),
            "best": round(float(np.min(per_turf)), 4),
        },
        "stored_route_matches": all(abs(r["ours_m"] - r["stored_m"]) < 1.0 for r in rows),
        "groundgame_ms_per_turf": round(1000 * sum(r["ours_s"] for r in rows) / len(rows), 2),
        "ortools_ms_per_turf": round(1000 * sum(r["ortools_s"] for r in rows) / len(rows), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = urlsplit(args.database_url or "postgres://postgres@127.0.0.1:5432/")
    name = f"{_PREFIX}{args.households}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    url = urlunsplit(server._replace(path=f"/{name}"))
    result: dict[str, Any] = {"households": args.households, "database": name}
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-turf-") as home:
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            DATABASE_URL=url, GROUNDGAME_HOME=home, GROUNDGAME_SECRET_KEY=uuid.uuid4().hex
        )
        from groundgame import runtime

        try:
            reuse = args.keep and _built(admin_url, url, name) == args.households
            if not reuse:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.execute(f'CREATE DATABASE "{name}"')
            runtime.setup_django()
            if reuse:
                _log(f"reusing the households in {name}")
                result["build_seconds"] = None
            else:
                started = time.perf_counter()
                _build(url, args.households)
                result["build_seconds"] = round(time.perf_counter() - started, 1)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            cut, figures = _cut(args.target)
            result["cut"] = figures
            result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            result["peak_rss_mb_before_cut"] = round(rss_before)
            _log(f"routing {args.sample} turfs with OR-tools ({args.ortools_seconds} s each)")
            result["routes"] = _compare(cut, args.sample, args.ortools_seconds, args.seed)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result
