"""The demo's polls, so that the election desk tells a story on its first run.

With the public data set beside the checkout, 538's 2024 poll file (as it stood on March 6,
2024) is imported as is. Without it, synthetic polls in the same format are made up for the
demo's states and the nation: twelve weeks of them from a handful of invented pollsters, each
with its own lean (a house effect for the average to find), around a race that tightens.
Nothing in them is real.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from django.conf import settings

from groundgame.insights import services

REAL_FILE = Path("polls") / "president_polls_2024_cycle_to_2024-03-06_538.csv"
WEEKS = 12
# Invented pollsters: name, grade, lean on the margin (points), population.
POLLSTERS = (
    ("Lakeside Research", "A-", 0.0, "lv"),
    ("Granite Polling", "B+", 2.0, "lv"),
    ("Keystone Survey Co.", "B", -2.5, "rv"),
    ("Prairie Online Panel", "C+", 1.0, "a"),
)
# Where each demo state's race starts and ends over the twelve weeks (Democratic margin).
START_END = {
    "": (3.0, 1.5),
    "AZ": (-1.0, -2.0),
    "GA": (0.5, -0.5),
    "MI": (3.0, 1.0),
    "NV": (1.0, 0.0),
    "NC": (-1.5, -1.0),
    "PA": (2.0, 0.5),
    "WI": (2.5, 0.5),
}
COLUMNS = (
    "question_id", "poll_id", "cycle", "state", "pollster", "fte_grade", "sample_size",
    "population", "start_date", "end_date", "answer", "candidate_party", "pct",
)  # fmt: skip


def polls_seed(*, seed: int, states: dict[str, str], today: dt.date | None = None) -> int:
    """Import the demo's polls; returns how many there are."""
    real = Path(settings.GROUNDGAME_PUBLIC_DATA) / REAL_FILE
    if real.exists():
        return services.poll_file_import(actor=None, path=str(real)).polls
    content = synthetic_polls(seed=seed, states=states, today=today or dt.date.today())
    run = services.poll_import_start(
        actor=None, filename="synthetic_polls.csv", content=content.encode(), enqueue=False
    )
    return services.poll_import_execute(import_id=run.pk).polls


def synthetic_polls(*, seed: int, states: dict[str, str], today: dt.date) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    number = 0
    places = {code: states.get(code, "") for code in START_END if code == "" or code in states}
    for code, name in places.items():
        start, end = START_END[code]
        for week in range(WEEKS):
            for pollster, grade, lean, population in rng.sample(POLLSTERS, k=2):
                number += 1
                ended = today - dt.timedelta(days=7 * (WEEKS - 1 - week) + rng.randrange(7))
                size = rng.choice((500, 600, 800, 1000, 1500))
                truth = start + (end - start) * week / (WEEKS - 1)
                margin = truth + lean + rng.gauss(0, 100 / size**0.5)
                undecided = rng.uniform(3, 8)
                dem = round((100 - undecided + margin) / 2, 1)
                rep = round(100 - undecided - dem, 1)
                base = [
                    number, number, today.year + (-today.year) % 4, name, pollster, grade,
                    size, population, f"{ended - dt.timedelta(days=3):%m/%d/%y}",
                    f"{ended:%m/%d/%y}",
                ]  # fmt: skip
                writer.writerow([*base, "Rivera", "DEM", dem])
                writer.writerow([*base, "Hale", "REP", rep])
    return out.getvalue()
