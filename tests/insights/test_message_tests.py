"""Message tests read honestly: each variant's rates with their intervals from the outcomes
imported for it, unsubscribes counted against the variant that lost them, a winner recorded
only when the registered rule allows it, and bad input answered row by row with nothing
written; pages, exports and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from groundgame.consent import services as consent
from groundgame.core.errors import ApplicationError
from groundgame.insights import selectors, services
from groundgame.insights.models import MessageOutcome
from groundgame.messaging import selectors as messaging_selectors
from groundgame.messaging.models import Send
from groundgame.people import services as people_services
from tests.conftest import Campaign
from tests.messaging.variant_builders import VariantMailing, variant_mailing


@pytest.fixture
def sent(campaign: Campaign, settings: Any, make_staff: Any) -> VariantMailing:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    writer = make_staff("writer", role="organizer", unit=campaign.triangle)
    return variant_mailing(actor=writer, unit=campaign.durham, count=40)


def _by_variant(tested: VariantMailing) -> dict[str, list[int]]:
    labels = {v.pk: v.label for v in messaging_selectors.mailing_variants(tested.mailing.pk)}
    out: dict[str, list[int]] = {"A": [], "B": []}
    for person_id, variant_id in Send.objects.filter(mailing=tested.mailing).values_list(
        "person_id", "variant_id"
    ):
        out[labels[variant_id]].append(person_id)
    return out


def _csv(rows: list[str]) -> str:
    return "person_id,event,amount,variant\n" + "\n".join(rows) + "\n"


def test_outcomes_are_read_per_variant_with_intervals(sent: VariantMailing) -> None:
    writer = sent.mailing.created_by
    groups = _by_variant(sent)
    a, b = groups["A"], groups["B"]
    rows = [f"{p},open,," for p in a[:6]] + [f"{p},click,,A" for p in a[:3]]
    rows += [f"{p},open,," for p in b[:2]] + [f"{a[0]},donation,25.00,A"]
    report = services.message_outcomes_import(
        actor=writer, mailing_id=sent.mailing.pk, text=_csv(rows)
    )
    assert (report.added, report.unchanged, report.problems) == (12, 0, [])
    # The same file again changes nothing.
    again = services.message_outcomes_import(
        actor=writer, mailing_id=sent.mailing.pk, text=_csv(rows)
    )
    assert (again.added, again.unchanged) == (0, 12)
    reading = selectors.message_test_reading(sent.mailing.pk)
    assert reading is not None
    rows_by_label = {v.label: v for v in reading.variants}
    va, vb = rows_by_label["A"], rows_by_label["B"]
    assert (va.sent, vb.sent) == (len(a), len(b))
    assert (va.opens.count, va.clicks.count, va.donors.count) == (6, 3, 1)
    assert va.donated_cents == 2500
    assert vb.opens.count == 2
    assert va.opens.low < va.opens.value < va.opens.high
    assert [(c.first, c.second) for c in reading.comparisons] == [("A", "B")]
    # Forty people cannot tell net value apart: no winner, and the page says why.
    assert reading.winner is None
    assert reading.awaiting_decision
    assert selectors.tests_awaiting_decision() == 1
    # A person's export of their data holds what they did after the mailing.
    document = json.loads(json.dumps(people_services.person_export(actor=None, person_id=a[0])))
    kinds = {o["kind"] for o in document["insights"]["message_test_outcomes"]}
    assert kinds == {"open", "click", "donation"}


def test_unsubscribes_are_counted_against_the_variant_that_lost_them(
    sent: VariantMailing, settings: Any
) -> None:
    groups = _by_variant(sent)
    for person_id in groups["B"][:2]:
        consent.subscription_leave(
            person_id=person_id, channel="email", topic_keys=["fundraising"], source="one_click"
        )
    reading = selectors.message_test_reading(sent.mailing.pk)
    assert reading is not None
    rows = {v.label: v for v in reading.variants}
    assert (rows["A"].unsubscribes.count, rows["B"].unsubscribes.count) == (0, 2)
    assert rows["B"].unsubscribe_cost_cents == 2 * settings.GROUNDGAME_SUBSCRIBER_VALUE_CENTS
    assert rows["B"].net_cents == -rows["B"].unsubscribe_cost_cents


def test_bad_outcome_rows_are_reported_row_by_row_and_nothing_is_written(
    sent: VariantMailing, campaign: Campaign
) -> None:
    writer = sent.mailing.created_by
    groups = _by_variant(sent)
    a = groups["A"]
    rows = [
        f"{a[0]},open,,",  # line 2: fine
        "999999,open,,",  # line 3: nobody sent this mailing has that id
        f"{campaign.alice.pk},click,,",  # line 4: a real person, but not sent it
        f"{a[1]},open,,Z",  # line 5: unknown variant
        f"{a[1]},open,,B",  # line 6: not the variant they got
        f"{a[2]},opened,,",  # line 7: unknown event
        f"{a[2]},donation,,",  # line 8: a donation without an amount
        f"{a[0]},open,,",  # line 9: repeats line 2
        "abc,open,,",  # line 10: not an id
    ]
    report = services.message_outcomes_import(
        actor=writer, mailing_id=sent.mailing.pk, text=_csv(rows)
    )
    assert report.added == 0
    assert [(p.row, p.field) for p in report.problems] == [
        (3, "person_id"),
        (4, "person_id"),
        (5, "variant"),
        (6, "variant"),
        (7, "event"),
        (8, "amount"),
        (9, "person_id"),
        (10, "person_id"),
    ]
    assert "Unknown variant 'Z'" in report.problems[2].message
    assert "Repeats line 2" in report.problems[6].message
    assert not MessageOutcome.objects.exists()


def test_a_file_without_the_columns_is_refused(sent: VariantMailing) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.message_outcomes_import(
            actor=sent.mailing.created_by, mailing_id=sent.mailing.pk, text="id,what\n1,open\n"
        )
    assert (raised.value.code, raised.value.field) == ("outcomes_invalid", "file")
    # A cell longer than any CSV reader takes is a message, not a server error.
    huge = 'person_id,event\n"' + "x" * 200_000 + '",open\n'
    with pytest.raises(ApplicationError) as raised:
        services.message_outcomes_import(
            actor=sent.mailing.created_by, mailing_id=sent.mailing.pk, text=huge
        )
    assert raised.value.code == "outcomes_invalid"


def test_outsiders_may_not_import_register_or_decide(
    sent: VariantMailing, campaign: Campaign, make_staff: Any
) -> None:
    outsider = make_staff("outsider", role="organizer", unit=campaign.piedmont)
    a = _by_variant(sent)["A"]
    for call in (
        lambda: services.message_outcomes_import(
            actor=outsider, mailing_id=sent.mailing.pk, text=_csv([f"{a[0]},open,,"])
        ),
        lambda: services.message_test_decide(
            actor=outsider, mailing_id=sent.mailing.pk, variant_label="A"
        ),
        lambda: services.message_test_register(actor=outsider, mailing_id=sent.mailing.pk),
    ):
        with pytest.raises(ApplicationError) as raised:
            call()
        assert raised.value.code == "mailing_denied"
    assert not MessageOutcome.objects.exists()


def test_a_winner_is_recorded_only_when_the_rule_allows_it(sent: VariantMailing) -> None:
    writer = sent.mailing.created_by
    with pytest.raises(ApplicationError) as raised:
        services.message_test_decide(actor=writer, mailing_id=sent.mailing.pk, variant_label="C")
    assert (raised.value.code, raised.value.field) == ("variant_unknown", "variant")
    # Half of A's recipients gave and none of B's: a big difference, but forty people are
    # too few for the always-valid rule to name a winner, so it is not recorded.
    a = _by_variant(sent)["A"]
    rows = [f"{p},donation,50,A" for p in a[: len(a) // 2]]
    services.message_outcomes_import(actor=writer, mailing_id=sent.mailing.pk, text=_csv(rows))
    reading = selectors.message_test_reading(sent.mailing.pk)
    assert reading is not None
    assert reading.winner is None
    assert reading.comparisons[0].interval.low < 0 < reading.comparisons[0].interval.high
    with pytest.raises(ApplicationError) as raised:
        services.message_test_decide(actor=writer, mailing_id=sent.mailing.pk, variant_label="A")
    assert (raised.value.code, raised.value.field) == ("decision_not_allowed", "variant")
    assert selectors.tests_awaiting_decision() == 1


def test_the_rule_is_registered_before_the_mailing_goes_out(
    campaign: Campaign, make_staff: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    writer = make_staff("writer", role="organizer", unit=campaign.triangle)
    draft = variant_mailing(actor=writer, unit=campaign.durham, count=2, send=False)
    with pytest.raises(ApplicationError) as raised:
        services.message_test_register(
            actor=writer, mailing_id=draft.mailing.pk, rule="fixed", planned_per_variant=None
        )
    assert (raised.value.code, raised.value.field) == ("test_invalid", "planned_per_variant")
    services.message_test_register(
        actor=writer,
        mailing_id=draft.mailing.pk,
        metric="click",
        rule="fixed",
        planned_per_variant=5000,
    )
    reading = selectors.message_test_reading(draft.mailing.pk)
    assert reading is not None
    assert (reading.rule, reading.planned) == ("fixed", 5000)
    sent = variant_mailing(actor=writer, unit=campaign.durham, count=2, prefix="later")
    with pytest.raises(ApplicationError) as raised:
        services.message_test_register(actor=writer, mailing_id=sent.mailing.pk, metric="open")
    assert raised.value.code == "test_not_editable"


def test_survey_tests_read_waves_and_refuse_bad_ones(campaign: Campaign, make_staff: Any) -> None:
    director = make_staff("director", role="director", unit=campaign.nc)
    outsider = make_staff("outsider", role="organizer", unit=campaign.piedmont)
    with pytest.raises(ApplicationError) as raised:
        services.survey_test_create(
            actor=outsider,
            name="Costs ad",
            kind="ad",
            measure="would vote for us",
            org_unit_id=campaign.durham.pk,
        )
    assert raised.value.code == "not_in_scope"
    test = services.survey_test_create(
        actor=director,
        name="Costs ad",
        kind="ad",
        measure="would vote for us",
        org_unit_id=campaign.durham.pk,
    )
    with pytest.raises(ApplicationError) as raised:
        services.survey_wave_add(
            actor=director,
            test_id=test.pk,
            treatment_n=800,
            treatment_share=120,
            control_n=800,
            control_share=40,
        )
    assert (raised.value.code, raised.value.field) == ("survey_wave_invalid", "treatment_share")
    services.survey_wave_add(
        actor=director,
        test_id=test.pk,
        treatment_n=500,
        treatment_share=52.4,
        control_n=500,
        control_share=47.0,
    )
    reading = selectors.survey_test_reading(test.pk)
    assert reading is not None
    assert [a.rate.count for a in reading.arms] == [262, 235]
    comparison = reading.comparisons[0]
    assert comparison.interval.estimate == pytest.approx(5.4)
    assert comparison.interval.low < 0 < comparison.interval.high
    with pytest.raises(ApplicationError) as raised:
        services.survey_test_decide(actor=director, test_id=test.pk, arm="placebo")
    assert raised.value.code == "variant_unknown"
    # 5.4 points on 500 a side is not enough for the always-valid rule.
    assert reading.winner is None
    with pytest.raises(ApplicationError) as raised:
        services.survey_test_decide(actor=director, test_id=test.pk, arm="treatment")
    assert raised.value.code == "decision_not_allowed"
    assert selectors.tests_awaiting_decision() == 1
    # A second wave of 6,000 a side with the same lead settles it.
    services.survey_wave_add(
        actor=director,
        test_id=test.pk,
        treatment_n=6000,
        treatment_share=52.4,
        control_n=6000,
        control_share=47.0,
    )
    reading = selectors.survey_test_reading(test.pk)
    assert reading is not None
    assert reading.winner == "treatment", reading.reason
    decided = services.survey_test_decide(actor=director, test_id=test.pk, arm="treatment")
    assert decided.winner == "treatment"
    assert decided.decided_at is not None
    assert selectors.tests_awaiting_decision() == 0


def test_pages_show_the_reading_and_list_bad_rows(
    sent: VariantMailing, client_for: Any, make_staff: Any, campaign: Campaign
) -> None:
    writer = sent.mailing.created_by
    client = client_for(writer)
    listing = client.get("/insights/tests/")
    assert listing.status_code == 200
    assert sent.mailing.name in listing.content.decode()
    url = f"/insights/tests/mailings/{sent.mailing.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "data-variant-rates" in page.content.decode()
    upload = SimpleUploadedFile("outcomes.csv", b"person_id,event\n999999,open\n")
    response = client.post(url + "outcomes", {"file": upload})
    assert response.status_code == 422
    assert "Line 2, person_id: Person 999999 was not sent this mailing." in (
        response.content.decode()
    )
    export = client.get(url + "export.csv")
    assert export.status_code == 200
    assert export.content.decode().splitlines()[0].startswith("variant,share_percent,sent")
    # The health page counts the test as awaiting a decision.
    assert "Tests awaiting a decision" in client.get("/").content.decode()
    # An analyst reads it too: aggregates are for every staff member.
    analyst = client_for(make_staff("analyst", role="analyst", unit=campaign.national))
    assert analyst.get(url).status_code == 200


def test_the_api_reads_the_test_and_answers_bad_rows_one_by_one(
    sent: VariantMailing, client_for: Any
) -> None:
    client = client_for(sent.mailing.created_by)
    reading = client.get(f"/api/insights/tests/mailings/{sent.mailing.pk}").json()
    assert [v["label"] for v in reading["variants"]] == ["A", "B"]
    assert {"rate", "low", "high"} <= set(reading["variants"][0]["opens"])
    response = client.post(
        f"/api/insights/tests/mailings/{sent.mailing.pk}/outcomes",
        json.dumps({"csv": "person_id,event\n1,open\nx,open\n"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "outcomes_invalid"
    assert [p["row"] for p in body["problems"]] == [2, 3]
    assert client.get("/api/insights/tests/mailings/999999").status_code == 404
