"""The turnout model on a generated state file: its backtest and its scoring time.

``groundgame bench propensity`` writes a synthetic file in a state's layout (Pennsylvania's
by default: birth dates, five generals, primaries, mail ballots) of ``--rows`` voters,
imports it into the database of ``GROUNDGAME_HOME`` or ``DATABASE_URL`` (skipped when the
state is loaded already), fits the model and scores the state, and prints the backtest's
AUC, Brier score and calibration. Scoring is timed against a baseline measured in the same
run on the same database: the features query alone, read to the end, which any scoring must
at least run. With ``--survey`` (the public data set's ``nonvoters_538.csv``), the file's
share of "always" voters by age is set beside the survey's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_SURVEY = Path("..") / "shared" / "data" / "surveys" / "nonvoters_538.csv"


def _log(message: str) -> None:
    print(f"bench propensity: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    vendor = runtime.check_database()
    runtime.migrate()
    from groundgame.demo.state_files import write
    from groundgame.insights import propensity, propensity_features, propensity_survey
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people

    state = args.layout.upper()
    if not people_selectors.voters_of_state(state).exists():
        with tempfile.TemporaryDirectory() as tmp:
            _log(f"writing {args.rows} synthetic voters in {state}'s layout")
            files = write(args.layout, Path(tmp), rows=args.rows, seed=args.seed, dirty_rate=0.0)
            _log("importing")
            people.voter_file_import(
                actor=None, layout=args.layout, voters=files.voters_path, history=files.history_path
            )
    voters = people_selectors.voters_of_state(state).count()
    _log(f"fitting and scoring {voters} voters")
    started = time.perf_counter()
    model = propensity.propensity_fit(actor=None, state=state)
    fit_and_score = time.perf_counter() - started
    elections = people_selectors.election_dates(state)
    started = time.perf_counter()
    propensity.score_state(model, elections=elections)
    scoring = time.perf_counter() - started
    started = time.perf_counter()
    for _ in propensity_features.features(
        state, target=model.scores_for, elections=elections, label=False
    ).iterator(chunk_size=10_000):
        pass
    baseline = time.perf_counter() - started
    result: dict[str, Any] = {
        "database": vendor,
        "state": state,
        "voters": voters,
        "backtest": model.backtest,
        "fit_and_score_seconds": round(fit_and_score, 2),
        "scoring_seconds": round(scoring, 2),
        "features_read_seconds": round(baseline, 2),
        "scoring_to_features_read": round(scoring / baseline, 2) if baseline else None,
        "voters_scored": model.voters_scored,
    }
    survey = Path(args.survey) if args.survey else DEFAULT_SURVEY
    if survey.exists():
        every = max(1, voters // 400_000)
        result["age_check"] = propensity_survey.compare(
            propensity_survey.file_always_by_age(state, every=every),
            propensity_survey.survey_always_by_age(survey),
        )
    else:
        result["age_check"] = f"no survey at {survey}"
    return result
