"""The turnout model, fitted on a generated state file: its backtest, its scores, and the
scores as a universe filter and on the person's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.demo.state_files import write as write_state
from groundgame.insights import propensity, propensity_survey
from groundgame.insights.models import PropensityModel, PropensityScore
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.models import VoterRecord


@pytest.fixture
def pa_file(tmp_path: Path, db: None) -> Any:
    """Pennsylvania's layout: birth dates, five generals, primaries, mail ballots."""
    files = write_state("pa", tmp_path, rows=3_000, seed=7, dirty_rate=0.0)
    people.voter_file_import(
        actor=None, layout="pa", voters=files.voters_path, history=files.history_path
    )
    return files


@pytest.mark.slow
def test_the_model_is_backtested_out_of_time_and_scores_every_voter(
    pa_file: Any, make_staff: Any, client_for: Any, campaign: Any
) -> None:
    model = propensity.propensity_fit(actor=None, state="pa")
    figures = model.backtest
    assert figures["trained_on"] == "2020-11-03"  # the same kind of general, four years back
    assert figures["tested_on"] == "2024-11-05"
    assert figures["auc"] > 0.55  # the generated file's turnout is weakly persistent
    assert figures["brier"] < figures["brier_base_rate"]  # better than the base rate alone
    bins = figures["calibration"]
    assert sum(b["voters"] for b in bins) == figures["test_rows"]
    assert all(abs(b["predicted"] - b["observed"]) < 0.2 for b in bins if b["voters"] >= 100)
    assert str(model.scores_for) == "2026-11-03"
    eligible = VoterRecord.objects.filter(state="PA").count()
    assert model.voters_scored == PropensityScore.objects.count() == eligible
    scores = list(PropensityScore.objects.values_list("score", flat=True))
    assert all(0.0 < s < 1.0 for s in scores)
    # Older voters and those who voted in the last general score higher, as in the file.
    ages = {row["band"]: row for row in figures["by_age"]}
    assert ages["65+"]["predicted"] > ages["18-24"]["predicted"]

    # Fitting again replaces the scores: one per voter, from the current model.
    again = propensity.propensity_fit(actor=None, state="PA")
    assert PropensityScore.objects.count() == eligible
    assert set(PropensityScore.objects.values_list("model", flat=True)) == {again.pk}
    assert list(PropensityModel.objects.filter(current=True)) == [again]

    # The age check reads the file as the survey reads people: "always" voters by age.
    check = propensity_survey.file_always_by_age("PA")
    assert set(check) == {"26-34", "35-49", "50-64", "65+"}
    assert check["65+"]["always"] > check["26-34"]["always"]
    assert all(0 < band["mean_score"] < 1 for band in check.values())

    # The score on the person's page.
    voter = VoterRecord.objects.select_related("propensity").first()
    assert voter is not None
    client = client_for(make_staff(role="admin", unit=campaign.national))
    page = client.get(f"/people/{voter.person_id}/").content.decode()
    assert "Turnout score" in page
    assert f"{round(100 * voter.propensity.score)}%" in page

    # The scores as a universe filter: 30-70% is the "sporadic" universe.
    sporadic = sum(1 for s in scores if 0.3 <= s < 0.7)
    assert people_selectors.universe_count({"propensity": {"min": 30, "max": 70}}) == sporadic


def test_fitting_needs_a_national_admin_and_a_state_with_history(
    pa_file: Any, make_staff: Any, campaign: Any
) -> None:
    organizer = make_staff(role="organizer", unit=campaign.nc)
    with pytest.raises(PermissionDenied):
        propensity.propensity_fit(actor=organizer, state="PA")
    with pytest.raises(ValidationFailed) as error:
        propensity.propensity_fit(actor=None, state="NC")
    assert error.value.field == "state"
    assert not PropensityModel.objects.exists()
