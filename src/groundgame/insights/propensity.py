"""Turnout propensity: each voter's chance of voting in the next general, per state.

The model is a logistic regression (scikit-learn) of voting in a general election on the
features of ``propensity_features``. It is judged by an honest out-of-time backtest: fitted
on an earlier general (four years before the last one, the same kind of election, when the
file has it; else the general before the last) from the elections before that one, then
asked about the last general from the elections before it, which the fit never saw. The
backtest's AUC, Brier score and calibration (predicted against observed turnout in ten bins
of the prediction) are kept with the model. The model that scores is then fitted on the
last general and applied to the features as they stand before the next one: its level is the
last general's, its ranking what the backtest measured.

Scoring is set-based: the fitted coefficients go into one ``INSERT ... SELECT`` over the
features query, so the database scores a state's millions of voters without a row reaching
Python. Fits read a fixed sample of at most ``FIT_ROWS`` voters.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from django.db import connection, transaction
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from groundgame.audit.services import Actor, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.insights import errors
from groundgame.insights.models import PropensityModel, PropensityScore
from groundgame.insights.propensity_features import (
    AGE_BANDS,
    FEATURES,
    features,
    is_general,
    next_general,
    sampled,
    years_before,
)
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors

FIT_ROWS = 400_000
CALIBRATION_BINS = 10
# Age bands of the backtest's check against observed turnout by age (and the survey's).
REPORT_AGE_BANDS = (
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-49", 35, 49),
    ("50-64", 50, 64),
    ("65+", 65, 200),
)


def _matrix(rows: list[tuple[Any, ...]], *, label: bool) -> tuple[Any, Any]:
    data = np.array(rows, dtype=float) if rows else np.zeros((0, len(FEATURES) + 2))
    x = data[:, 1 : 1 + len(FEATURES)]
    y = data[:, 1 + len(FEATURES)] if label else None
    return x, (y > 0).astype(int) if y is not None else None


def _sample_every(state: str) -> int:
    voters = people_selectors.voters_of_state(state).count()
    return max(1, math.ceil(voters / FIT_ROWS))


def _fit(x: Any, y: Any) -> LogisticRegression:
    model = LogisticRegression(max_iter=1_000)
    model.fit(x, y)
    return model


def calibration(
    predicted: Any, observed: Any, bins: int = CALIBRATION_BINS
) -> list[dict[str, Any]]:
    """Mean predicted against observed turnout in equal-width bins of the prediction."""
    out = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append(
                {
                    "low": round(float(edges[b]), 2),
                    "high": round(float(edges[b + 1]), 2),
                    "predicted": round(float(predicted[mask].mean()), 4),
                    "observed": round(float(observed[mask].mean()), 4),
                    "voters": int(mask.sum()),
                }
            )
    return out


def _age_band_index(x: Any) -> Any:
    """Each row's band in ``REPORT_AGE_BANDS`` (35-49 where no band flag is set), -1 unknown."""
    cols = {name: FEATURES.index(name) for name, _, _ in AGE_BANDS}
    band = np.full(len(x), 2)
    band[x[:, cols["age_18_24"]] == 1] = 0
    band[x[:, cols["age_25_34"]] == 1] = 1
    band[x[:, cols["age_50_64"]] == 1] = 3
    band[x[:, cols["age_65_plus"]] == 1] = 4
    band[x[:, FEATURES.index("age_unknown")] == 1] = -1
    return band


def by_age(x: Any, predicted: Any, observed: Any) -> list[dict[str, Any]]:
    """Observed and predicted turnout per age band."""
    band = _age_band_index(x)
    out = []
    for i, (name, _, _) in enumerate(REPORT_AGE_BANDS):
        mask = band == i
        if mask.any():
            out.append(
                {
                    "band": name,
                    "voters": int(mask.sum()),
                    "observed": round(float(observed[mask].mean()), 4),
                    "predicted": round(float(predicted[mask].mean()), 4),
                }
            )
    return out


def _generals(state: str) -> tuple[list[dt.date], list[dt.date]]:
    elections = people_selectors.election_dates(state)
    return elections, [d for d in elections if is_general(d)]


def backtest(state: str, *, elections: list[dt.date], generals: list[dt.date]) -> dict[str, Any]:
    """Fit on an earlier general, read on the last: the figures the model is judged by."""
    last = generals[-1]
    same_cycle = years_before(last, 4)
    earlier = [g for g in generals if g < last]
    trained_on = next((g for g in earlier if abs((g - same_cycle).days) < 14), earlier[-1])
    every = _sample_every(state)
    train = list(
        sampled(features(state, target=trained_on, elections=elections, label=True), every=every)
    )
    test = list(sampled(features(state, target=last, elections=elections, label=True), every=every))
    x_train, y_train = _matrix(train, label=True)
    x_test, y_test = _matrix(test, label=True)
    if len(set(y_train)) < 2 or len(set(y_test)) < 2:
        raise ValidationFailed(
            f"{state}'s file has too few voters, or all vote alike, to fit a model.",
            code=errors.PROPENSITY_HISTORY_SHORT,
            field="state",
        )
    model = _fit(x_train, y_train)
    predicted = model.predict_proba(x_test)[:, 1]
    return {
        "trained_on": trained_on.isoformat(),
        "tested_on": last.isoformat(),
        "train_rows": len(train),
        "test_rows": len(test),
        "sample_every": every,
        "auc": round(float(roc_auc_score(y_test, predicted)), 4),
        "brier": round(float(brier_score_loss(y_test, predicted)), 4),
        # The Brier score of always predicting the last general's turnout: the skill baseline.
        "brier_base_rate": round(float(np.mean(y_test) * (1 - np.mean(y_test))), 4),
        "base_rate": round(float(np.mean(y_test)), 4),
        "calibration": calibration(predicted, y_test),
        "by_age": by_age(x_test, predicted, y_test),
    }


def score_state(model: PropensityModel, *, elections: list[dt.date]) -> int:
    """Score every eligible voter of the model's state in one ``INSERT ... SELECT``."""
    query = features(model.state, target=model.scores_for, elections=elections, label=False)
    sql, params = query.query.sql_with_params()
    coefficients = model.coefficients["coefficients"]
    logit = " + ".join(f"%s * f.{name}" for name in FEATURES)
    table = PropensityScore._meta.db_table
    PropensityScore.objects.filter(voter__state=model.state).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (voter_id, model_id, score) "  # noqa: S608 (own table, bound values)
            f"SELECT f.pk, %s, 1.0 / (1.0 + EXP(-(%s + {logit}))) FROM ({sql}) f",
            [
                model.pk,
                model.coefficients["intercept"],
                *(coefficients[n] for n in FEATURES),
                *params,
            ],
        )
        return int(cursor.rowcount)


def propensity_fit(*, actor: Actor, state: str) -> PropensityModel:
    """Fit the state's turnout model with its backtest, and score its voters."""
    scope = organizing_selectors.staff_scope(actor)
    if not scope.is_admin:
        raise PermissionDenied(
            "Turnout models are fitted for the whole campaign by national admins.",
            code=errors.PROPENSITY_DENIED,
        )
    code = state.strip().upper()
    if code not in people_selectors.voter_states():
        raise ValidationFailed(
            f"There is no voter file of {state!r} to fit.",
            code=errors.PROPENSITY_STATE_INVALID,
            field="state",
        )
    elections, generals = _generals(code)
    if len(generals) < 3:
        raise ValidationFailed(
            f"{code}'s vote history has {len(generals)} general elections; the model and its "
            "backtest need at least three.",
            code=errors.PROPENSITY_HISTORY_SHORT,
            field="state",
        )
    figures = backtest(code, elections=elections, generals=generals)
    last = generals[-1]
    every = _sample_every(code)
    rows = list(sampled(features(code, target=last, elections=elections, label=True), every=every))
    x, y = _matrix(rows, label=True)
    fitted = _fit(x, y)
    with transaction.atomic():
        PropensityModel.objects.filter(state=code, current=True).update(current=False)
        model = PropensityModel.objects.create(
            state=code,
            fitted_on=last,
            scores_for=next_general(last),
            coefficients={
                "intercept": float(fitted.intercept_[0]),
                "coefficients": {
                    name: float(b) for name, b in zip(FEATURES, fitted.coef_[0], strict=True)
                },
            },
            backtest=figures,
            fitted_by_id=scope.user_id,
        )
        model.voters_scored = score_state(model, elections=elections)
        model.save(update_fields=["voters_scored"])
        audit_record(
            actor=actor,
            kind=AuditKind.CREATE,
            action="propensity_model.fit",
            entity_type="insights.propensitymodel",
            entity_id=model.pk,
            summary=f"{code}: AUC {figures['auc']}, Brier {figures['brier']} on "
            f"{figures['tested_on']}; {model.voters_scored} voters scored",
        )
    return model
