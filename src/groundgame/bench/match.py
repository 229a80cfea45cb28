"""Identity resolution: our linkage against Splink on the same synthetic files, and the p95
latency of online find-or-create against a state-size table.

``groundgame bench match`` writes two CSV files of people with a known truth (a share of the
right file are noisy copies of left rows: nicknames, typos, transposed dates, moves, missing
fields; the rest are other people, namesakes included), links them with
``groundgame people link``'s model and with Splink (DuckDB) trained on the same files, and
reports precision, recall, F1 and records per second of each. With ``--online`` it also
seeds a state-size embedded database in a temporary directory and times find-or-create.
Progress goes to stderr; the figures are returned for the command line to print as JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from groundgame.demo import names
from groundgame.people import nicknames

# Both linkers keep the pairs their model finds more likely than not to match: the decision
# that scores best when a missed pair and a wrong pair cost the same, as in F1.
THRESHOLD = 0.5
_DIGITS = "0123456789"
_CITIES = [
    ("Durham", "NC", "277"), ("Raleigh", "NC", "276"), ("Charlotte", "NC", "282"),
    ("Atlanta", "GA", "303"), ("Savannah", "GA", "314"), ("Phoenix", "AZ", "850"),
    ("Tucson", "AZ", "857"), ("Detroit", "MI", "482"), ("Milwaukee", "WI", "532"),
    ("Madison", "WI", "537"), ("Philadelphia", "PA", "191"), ("Pittsburgh", "PA", "152"),
    ("Las Vegas", "NV", "891"), ("Reno", "NV", "895"),
]  # fmt: skip
_SHORT = {g[0]: g[1:] for g in nicknames.GROUPS}


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-match-") as tmp:
        left, right = Path(tmp) / "left.csv", Path(tmp) / "right.csv"
        truth = _write_files(rng, args.records, left, right)
        rows = 2 * args.records
        _log(f"linking {args.records:,} x {args.records:,} rows")
        ours = _ours(left, right, Path(tmp) / "pairs.csv")
        _log("linking with Splink")
        splink = _splink(left, right)
        result: dict[str, Any] = {
            "records_per_file": args.records,
            "true_pairs": len(truth),
            "threshold": THRESHOLD,
            "groundgame": {**_quality(ours[0], truth), "records_per_s": round(rows / ours[1])},
            "splink": {**_quality(splink[0], truth), "records_per_s": round(rows / splink[1])},
        }
        result["ratio"] = {
            "f1": round(result["groundgame"]["f1"] / max(result["splink"]["f1"], 1e-9), 3),
            "records_per_s": round(ours[1] and splink[1] / ours[1], 2),
        }
        if args.online:
            result["online"] = _online(Path(tmp), rng, args.probes)
    return result


def _log(message: str) -> None:
    print(f"bench match: {message}", file=sys.stderr, flush=True)


def _person(rng: random.Random, number: int) -> dict[str, str]:
    female = rng.random() < 0.5
    pool = names.FEMALE if female else names.MALE
    # Frequent names much more often, as in the population: namesakes are the hard part.
    first = pool[min(int(rng.paretovariate(1.1)) - 1, len(pool) - 1)]
    last = names.SURNAMES[min(int(rng.paretovariate(0.9)) - 1, len(names.SURNAMES) - 1)]
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
    city, state, zip3 = rng.choice(_CITIES)
    return {
        "id": f"P{number}",
        "first_name": first,
        "last_name": last,
        "dob": born.isoformat(),
        "street": f"{rng.randrange(1, 9999)} {rng.choice(names.STREETS)} "
        f"{rng.choice(names.STREET_TYPES)}",
        "city": city,
        "state": state,
        "zip": f"{zip3}{rng.randrange(100):02d}",
        "email": f"{first.lower()}.{last.lower()}{rng.randrange(1000)}@example.com"
        if rng.random() < 0.6
        else "",
        "phone": f"{rng.randrange(200, 999)}555{rng.randrange(10000):04d}"
        if rng.random() < 0.6
        else "",
    }


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two letters
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:  # drop one
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]


def _noisy(rng: random.Random, p: dict[str, str], number: int) -> dict[str, str]:
    q = dict(p, id=f"R{number}")
    short = _SHORT.get(p["first_name"].lower())
    if short and rng.random() < 0.25:
        q["first_name"] = rng.choice(short).title()
    elif rng.random() < 0.12:
        q["first_name"] = _typo(rng, q["first_name"])
    if rng.random() < 0.12:
        q["last_name"] = _typo(rng, q["last_name"])
    roll = rng.random()
    if roll < 0.06:  # month and day swapped, or two digits swapped
        y, m, d = p["dob"].split("-")
        q["dob"] = (
            f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{d[::-1]}" if d[1] != "0" else p["dob"]
        )
    elif roll < 0.10:
        digits = list(p["dob"])
        i = rng.choice([2, 3, 5, 6, 8, 9])
        digits[i] = rng.choice(_DIGITS)
        q["dob"] = "".join(digits)
    elif roll < 0.20:
        q["dob"] = ""
    if rng.random() < 0.2:  # moved
        other = _person(rng, 0)
        q.update({k: other[k] for k in ("street", "city", "state", "zip")})
    elif rng.random() < 0.2:
        q["street"] = q["street"].replace(" St", " Street").replace(" Ave", " Avenue")
    for key in ("email", "phone"):
        if rng.random() < 0.4:
            q[key] = ""
    if q["phone"] and rng.random() < 0.5:
        q["phone"] = f"({q['phone'][:3]}) {q['phone'][3:6]}-{q['phone'][6:]}"
    return q


def _write_files(rng: random.Random, records: int, left: Path, right: Path) -> set[tuple[str, str]]:
    """``records`` rows each side; 60% of the right rows are copies of left ones."""
    truth: set[tuple[str, str]] = set()
    lefts = [_person(rng, n) for n in range(records)]
    rights = []
    for n in range(records):
        if rng.random() < 0.6:
            source = lefts[n]
            rights.append(_noisy(rng, source, n))
            truth.add((source["id"], f"R{n}"))
        else:
            rights.append(dict(_person(rng, records + n), id=f"R{n}"))
    rng.shuffle(rights)
    for path, rows in ((left, lefts), (right, rights)):
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return truth


def _quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _ours(left: Path, right: Path, out: Path) -> tuple[set[tuple[str, str]], float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "groundgame", "people", "link", str(left), str(right),
         "--out", str(out), "--threshold", str(THRESHOLD)],
        check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    with out.open(newline="") as handle:
        return {(r["left_id"], r["right_id"]) for r in csv.DictReader(handle)}, seconds


def _splink(left: Path, right: Path) -> tuple[set[tuple[str, str]], float]:
    """Splink on DuckDB, configured as its documentation recommends for people and given
    what ours has: the same normalized columns (read by ``linkage.load``), the same
    comparison levels (names with term frequencies and the formal-name level for
    nicknames; date of birth; address as one comparison, since ZIP, city and street are not
    independent; email and phone with term frequencies), the same blocking keys; u by random
    sampling, m by EM on two blocking passes (birth date; ZIP); and the same one-to-one
    assignment of its pairs (Splink's single best links)."""
    import logging

    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from groundgame import runtime

    runtime.setup_django()
    from groundgame.people import identity, linkage

    started = time.perf_counter()
    con = duckdb.connect()
    linkage.load(con, left, right)
    for name in ("l", "r"):
        con.execute(f"CREATE TABLE {name}_s AS SELECT *, fc[1] AS fc1, ln[1:2] AS ln2 FROM {name}")
    db = DuckDBAPI(con)
    same_street = (
        f"hn_l = hn_r AND jaro_winkler_similarity(street_l, street_r) >= {identity.STREET_CLOSE}"
        " AND (zip_l = zip_r OR (city_l = city_r AND state_l = state_r))"
    )
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[
            cl.CustomComparison(
                output_column_name="first_name",
                comparison_levels=[
                    cll.NullLevel("fn"),
                    cll.ExactMatchLevel("fn", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("fc"),
                    cll.JaroWinklerLevel("fn", 0.92),
                    cll.JaroWinklerLevel("fn", 0.8),
                    cll.ElseLevel(),
                ],
            ),
            cl.NameComparison("ln", jaro_winkler_thresholds=[0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.CustomComparison(
                output_column_name="address",
                comparison_levels=[
                    cll.CustomLevel(
                        "coalesce(zip_l, city_l) IS NULL OR coalesce(zip_r, city_r) IS NULL"
                    ).configure(is_null_level=True),
                    cll.CustomLevel(same_street, "same street"),
                    cll.ExactMatchLevel("zip"),
                    cll.CustomLevel("city_l = city_r AND state_l = state_r", "same city"),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("email").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob", "fc1"),
            block_on("dob", "ln2"),
            block_on("zip", "ln2"),
            block_on("zip", "fc"),
            block_on("email"),
            block_on("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    tables = [db.register(f"{n}_s", dataset_display_name=f"{n}_splink") for n in ("l", "r")]
    linker = Linker(tables, settings)
    # The linker turns its progress messages on; the bench's progress is its own.
    logging.getLogger("splink").setLevel(logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("fn", "ln", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("zip"))
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_using_single_best_links(
        predictions,
        duplicate_free_datasets=["l_splink", "r_splink"],
        threshold_match_probability=THRESHOLD,
    )
    rows = con.execute(
        f"""SELECT l.id, r.id FROM {clusters.physical_name} l
            JOIN {clusters.physical_name} r USING (cluster_id)
            WHERE l.source_dataset = 'l_splink' AND r.source_dataset = 'r_splink'"""
    ).fetchall()
    seconds = time.perf_counter() - started
    return {(str(a), str(b)) for a, b in rows}, seconds


def _online(tmp: Path, rng: random.Random, probes: int) -> dict[str, Any]:
    """Seed the state-size voter file into a fresh embedded database, then time
    find-or-create in a child process (Django is set up there, on that database)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GROUNDGAME_HOME"] = str(tmp / "home")
    _log("seeding the state-size voter file (about a minute and a half)")
    subprocess.run(
        [sys.executable, "-m", "groundgame", "seed", "--scale", "state"], env=env, check=True
    )
    _log(f"timing {probes} find-or-create calls")
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(probes), str(rng.randrange(1 << 30))],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    import json

    figures: dict[str, Any] = json.loads(out.stdout)
    return figures


_PROBE = """
import json, random, sys, time
from groundgame import runtime
runtime.setup_django()
from django.db import connection
from groundgame.people import services
probes, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
with connection.cursor() as c:
    c.execute("SELECT max(id) FROM people_person")
    top = c.fetchone()[0]
times, created = [], 0
for n in range(probes):
    with connection.cursor() as c:
        c.execute(
            "SELECT p.first_name, p.last_name, p.birth_date, h.street, h.city, h.state, h.zip5"
            " FROM people_person p LEFT JOIN people_household h ON h.id = p.household_id"
            " WHERE p.id >= %s ORDER BY p.id LIMIT 1", [rng.randrange(1, top)])
        first, last, born, street, city, state, zip5 = c.fetchone()
    if n % 2:  # half are new people: a name never seen, at a real address
        first, last, born = "Zebulon", f"Quackenbush{n}", None
    started = time.perf_counter()
    result = services.person_find_or_create(
        actor=None, source="bench", first_name=first, last_name=last,
        birth_date=born, street=street or "", city=city or "", state=state or "",
        zip5=zip5 or "")
    times.append(time.perf_counter() - started)
    created += result.created
times.sort()
print(json.dumps({
    "probes": probes,
    "created": created,
    "p50_ms": round(1000 * times[len(times) // 2], 2),
    "p95_ms": round(1000 * times[int(len(times) * 0.95)], 2),
}))
"""
