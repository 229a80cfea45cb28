"""A script's survey questions: written on its draft (added, edited, reordered, removed),
checked with errors naming the question and field, carried into the next version, frozen once
submitted, and shown to the approver with the text."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.content import selectors, services
from groundgame.core.errors import ApplicationError
from tests.conftest import Campaign

CHOICE = {
    "key": "vote_plan",
    "kind": "choice",
    "prompt": "How will you vote?",
    "options": [{"key": "early", "label": "Early"}, {"key": "mail", "label": "By mail"}],
}
SCALE = {
    "key": "enthusiasm",
    "kind": "scale",
    "prompt": "How excited are you to vote?",
    "min": 1,
    "max": 5,
    "min_label": "Not at all",
    "max_label": "Very",
}


def draft_script(campaign: Campaign, author: Any, **extra: Any) -> Any:
    item = services.content_item_create(
        actor=author,
        kind="script",
        title="Durham doors",
        org_unit_id=campaign.durham.pk,
        body="Hi, I'm a volunteer with the campaign.",
        **extra,
    )
    return selectors.content_versions(item.pk)[0]


def keys(version: Any) -> list[str]:
    version.refresh_from_db()
    return [q["key"] for q in version.questions]


def test_a_new_script_asks_the_campaigns_issues(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    version = draft_script(campaign, staff_users["organizer"])
    (issues,) = version.questions
    assert (issues["key"], issues["kind"]) == ("issues", "multi")
    assert [o["label"] for o in issues["options"]][:2] == [
        "Inflation and cost of living",
        "The border and immigration",
    ]
    assert len(issues["options"]) == 8


BAD_QUESTIONS = [
    # (what is wrong, the questions, the field named, words of the message)
    ("no words", [{"kind": "text", "prompt": " "}], "questions[1].prompt", "Question 1"),
    (
        "duplicate keys",
        [CHOICE, {**SCALE, "key": "vote_plan"}],
        "questions[2].key",
        "question 1 has this key",
    ),
    ("a choice with no options", [{**CHOICE, "options": []}], "questions[1].options", "two"),
    (
        "a choice with one option",
        [{**CHOICE, "options": [{"label": "Yes"}]}],
        "questions[1].options",
        "at least two",
    ),
    (
        "two options with one key",
        [{**CHOICE, "options": [{"label": "Yes"}, {"key": "yes", "label": "Yes!"}]}],
        "questions[1].options",
        "'yes'",
    ),
    ("a scale upside down", [{**SCALE, "min": 5, "max": 1}], "questions[1].max", "above"),
    ("a scale of one step", [{**SCALE, "min": 3, "max": 3}], "questions[1].max", "above"),
    ("a scale too long", [{**SCALE, "min": 0, "max": 20}], "questions[1].max", "at most"),
    ("a scale without ends", [{**SCALE, "min": None}], "questions[1].min", "both ends"),
    ("an unknown kind", [{**CHOICE, "kind": "dropdown"}], "questions[1].kind", "one of"),
    ("a key with spaces", [{**CHOICE, "key": "vote plan"}], "questions[1].key", "lower case"),
]


@pytest.mark.parametrize(
    ("questions", "field", "words"),
    [case[1:] for case in BAD_QUESTIONS],
    ids=[case[0] for case in BAD_QUESTIONS],
)
def test_bad_questions_are_refused_naming_the_question_and_field(
    campaign: Campaign, staff_users: dict[str, Any], questions: Any, field: str, words: str
) -> None:
    version = draft_script(campaign, staff_users["organizer"])
    with pytest.raises(ApplicationError) as refused:
        services.content_version_draft(
            actor=staff_users["organizer"],
            item_id=version.item_id,
            body="Hi again.",
            questions=questions,
        )
    assert (refused.value.code, refused.value.field) == ("question_invalid", field)
    assert words in refused.value.message
    version.refresh_from_db()
    assert (keys(version), version.body) == (["issues"], "Hi, I'm a volunteer with the campaign.")


def test_questions_are_added_edited_moved_and_removed_on_the_draft(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    author = staff_users["organizer"]
    version = draft_script(campaign, author)
    services.content_question_save(actor=author, version_id=version.pk, question=SCALE)
    services.content_question_save(actor=author, version_id=version.pk, question=CHOICE)
    assert keys(version) == ["issues", "enthusiasm", "vote_plan"]
    services.content_question_move(actor=author, version_id=version.pk, key="vote_plan", offset=-1)
    services.content_question_move(actor=author, version_id=version.pk, key="issues", offset=1)
    assert keys(version) == ["vote_plan", "issues", "enthusiasm"]
    reworded = {**SCALE, "prompt": "How keen are you to vote?", "max": 10}
    services.content_question_save(
        actor=author, version_id=version.pk, question=reworded, replacing="enthusiasm"
    )
    services.content_question_remove(actor=author, version_id=version.pk, key="issues")
    version.refresh_from_db()
    assert [(q["key"], q["prompt"]) for q in version.questions] == [
        ("vote_plan", "How will you vote?"),
        ("enthusiasm", "How keen are you to vote?"),
    ]
    assert version.questions[1]["max"] == 10
    # A question added twice is refused: keys are what reporting counts by.
    with pytest.raises(ApplicationError) as twice:
        services.content_question_save(actor=author, version_id=version.pk, question=CHOICE)
    assert twice.value.field == "questions[3].key"
    with pytest.raises(ApplicationError) as missing:
        services.content_question_remove(actor=author, version_id=version.pk, key="shoe_size")
    assert missing.value.code == "question_not_found"


def test_questions_freeze_on_submission_and_a_new_version_starts_from_them(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    author = staff_users["organizer"]
    version = draft_script(campaign, author)
    services.content_question_save(actor=author, version_id=version.pk, question=CHOICE)
    # Editing the text alone keeps the questions.
    services.content_version_draft(actor=author, item_id=version.item_id, body="Hello there.")
    assert keys(version) == ["issues", "vote_plan"]
    services.content_version_submit(actor=author, version_id=version.pk)
    with pytest.raises(ApplicationError) as frozen:
        services.content_question_save(actor=author, version_id=version.pk, question=SCALE)
    assert frozen.value.code == "content_wrong_status"
    assert keys(version) == ["issues", "vote_plan"]

    services.content_version_decide(actor=staff_users["chair"], version_id=version.pk, approve=True)
    second = services.content_version_draft(
        actor=author, item_id=version.item_id, body="Hello, version two."
    )
    assert second.number == 2
    assert keys(second) == ["issues", "vote_plan"]


def test_only_staff_of_the_unit_change_a_drafts_questions(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    version = draft_script(campaign, staff_users["organizer"])
    with pytest.raises(ApplicationError) as outside:
        services.content_question_remove(
            actor=staff_users["other_director"], version_id=version.pk, key="issues"
        )
    assert outside.value.code == "content_not_in_scope"
    assert keys(version) == ["issues"]


def test_literature_asks_no_questions(campaign: Campaign, staff_users: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.content_item_create(
            actor=staff_users["organizer"],
            kind="literature",
            title="Flyer",
            org_unit_id=campaign.durham.pk,
            body="Come canvass.",
            questions=[CHOICE],
        )
    assert refused.value.field == "questions"


def form(prefix: str, **fields: Any) -> dict[str, Any]:
    data = {
        "prompt": "",
        "kind": "choice",
        "key": "",
        "options": "",
        "scale_min": "1",
        "scale_max": "5",
        "min_label": "",
        "max_label": "",
    }
    data.update(fields)
    return {f"{prefix}-{name}": value for name, value in data.items() if value is not None}


def test_the_script_page_edits_the_drafts_questions_and_shows_them_to_the_approver(
    campaign: Campaign, staff_users: dict[str, Any], client_for: Any
) -> None:
    version = draft_script(campaign, staff_users["organizer"])
    url = f"/content/{version.item_id}/"
    organizer = client_for(staff_users["organizer"])

    added = organizer.post(
        url,
        {
            "action": "question_add",
            **form(
                "new",
                prompt="How excited are you to vote?",
                kind="scale",
                key="enthusiasm",
                scale_min="1",
                scale_max="5",
                min_label="Not at all",
                max_label="Very",
                required="on",
            ),
        },
    )
    assert added.status_code == 302
    organizer.post(
        url,
        {
            "action": "question_add",
            **form(
                "new",
                prompt="How will you vote?",
                options="early | Early, in person\nBy mail\n\nelection_day | On Election Day",
            ),
        },
    )
    version.refresh_from_db()
    assert [q["key"] for q in version.questions] == ["issues", "enthusiasm", "how_will_you_vote"]
    assert version.questions[1]["required"] is True
    assert [o["key"] for o in version.questions[2]["options"]] == [
        "early",
        "by_mail",
        "election_day",
    ]

    # A bad question is answered on the form, next to its field, and changes nothing.
    upside_down = organizer.post(
        url,
        {
            "action": "question_add",
            **form("new", prompt="Rate us", kind="scale", scale_min="5", scale_max="1"),
        },
    )
    assert upside_down.status_code == 422
    assert "the top of the scale must be above its bottom" in upside_down.content.decode()
    no_options = organizer.post(
        url,
        {
            "action": "question_edit",
            "replacing": "how_will_you_vote",
            **form("q-how_will_you_vote", prompt="How will you vote?", key="how_will_you_vote"),
        },
    )
    assert no_options.status_code == 422
    assert "a choice needs at least two options" in no_options.content.decode()
    assert len(keys(version)) == 3

    organizer.post(url, {"action": "question_move", "key": "how_will_you_vote", "direction": "up"})
    organizer.post(url, {"action": "question_remove", "key": "issues"})
    assert keys(version) == ["how_will_you_vote", "enthusiasm"]
    organizer.post(url, {"action": "submit", "version": version.pk})
    frozen = organizer.post(url, {"action": "question_remove", "key": "enthusiasm"})
    assert frozen.status_code == 422
    assert "questions are fixed once a version is submitted" in frozen.content.decode()
    assert keys(version) == ["how_will_you_vote", "enthusiasm"]

    page = client_for(staff_users["chair"]).get(url).content.decode()
    assert "How excited are you to vote?" in page
    assert "1 (Not at all) to 5 (Very)" in page
    assert "Early, in person" in page
    assert "Approve" in page
    assert "Add a question" not in page, "nothing to edit once submitted"
