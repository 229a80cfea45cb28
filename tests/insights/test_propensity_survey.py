"""The age check's reading of FiveThirtyEight's validated-turnout survey."""

from __future__ import annotations

from groundgame.insights import propensity_survey
from tests.helpers import shared_data


def test_the_survey_reads_always_voters_by_age() -> None:
    survey = propensity_survey.survey_always_by_age(shared_data("surveys", "nonvoters_538.csv"))
    assert list(survey) == ["26-34", "35-49", "50-64", "65+"]
    assert sum(band["respondents"] for band in survey.values()) > 5_000
    shares = {name: band["always"] for name, band in survey.items()}
    # The oldest vote most reliably; the youngest clear "all but one" of fewer elections,
    # so their share is above the 35-49s' (the survey's own definition, not a reading error).
    assert max(shares, key=shares.__getitem__) == "65+"
    assert shares["35-49"] < shares["26-34"] < shares["50-64"] < shares["65+"]
    assert all(0.05 < share < 0.9 for share in shares.values())


def test_the_comparison_is_in_points_per_band() -> None:
    rows = propensity_survey.compare(
        {"35-49": {"always": 0.5, "voters": 10, "mean_score": 0.6}},
        {"35-49": {"always": 0.3, "respondents": 5}, "65+": {"always": 0.6, "respondents": 3}},
    )
    assert rows == [
        {
            "band": "35-49",
            "file_always": 0.5,
            "survey_always": 0.3,
            "difference_points": 20.0,
            "file_mean_score": 0.6,
            "voters": 10,
            "respondents": 5,
        }
    ]
