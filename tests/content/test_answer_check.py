"""The answer checker the canvass sync applies: any answer a script's questions allow is
accepted as given, and anything else (an unknown question, an option not offered, a number
off the scale, text too long, a required question left out) is refused naming the question."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.content.questions import MAX_TEXT_ANSWER, Option, questions_clean
from groundgame.content.selectors import AnswerProblem, Question, answers_check

KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@st.composite
def question(draw: Any, key: str) -> Question:
    kind = draw(st.sampled_from(["choice", "multi", "scale", "text"]))
    raw: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "prompt": f"Question {key}?",
        "required": draw(st.booleans()),
    }
    if kind in ("choice", "multi"):
        option_keys = draw(st.lists(KEYS, min_size=2, max_size=6, unique=True))
        raw["options"] = [{"key": k, "label": k.title()} for k in option_keys]
    if kind == "scale":
        low = draw(st.integers(-5, 5))
        raw.update(min=low, max=draw(st.integers(low + 1, low + 10)))
    (checked,) = questions_clean([raw])
    return checked


@st.composite
def script(draw: Any) -> list[Question]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=5, unique=True))
    return [draw(question(key)) for key in keys]


@st.composite
def allowed(draw: Any, q: Question) -> Any:
    offered = [o.key for o in q.options]
    if q.kind == "choice":
        return draw(st.sampled_from(offered))
    if q.kind == "multi":
        return draw(st.lists(st.sampled_from(offered), min_size=1, unique=True))
    if q.kind == "scale":
        assert q.min is not None
        assert q.max is not None
        return draw(st.integers(q.min, q.max))
    return draw(st.text(min_size=1, max_size=MAX_TEXT_ANSWER).filter(str.strip))


@st.composite
def script_and_answers(draw: Any) -> tuple[list[Question], dict[str, Any]]:
    questions = draw(script())
    answers = {q.key: draw(allowed(q)) for q in questions if q.required or draw(st.booleans())}
    return questions, answers


# A shared, busy machine: no deadline, and generating long texts may be slow.
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=150, **SETTINGS)
@given(script_and_answers())
def test_any_answer_the_questions_allow_is_accepted_as_given(
    case: tuple[list[Question], dict[str, Any]],
) -> None:
    questions, answers = case
    checked = {a.question: a for a in answers_check(questions, answers)}
    assert set(checked) == set(answers)
    for q in questions:
        if q.key not in answers:
            continue
        given_ = answers[q.key]
        answer = checked[q.key]
        if q.kind == "choice":
            assert answer.options == (given_,)
        elif q.kind == "multi":
            assert answer.options == tuple(given_)
        elif q.kind == "scale":
            assert answer.number == given_
        else:
            assert answer.text == given_.strip()


def _not_allowed(draw: Any, q: Question) -> Any:
    """A value the question does not allow."""
    offered = [o.key for o in q.options]
    if q.kind == "choice":
        return draw(
            st.one_of(
                KEYS.filter(lambda k: k not in offered),
                st.just(offered),  # a list for one choice
                st.integers(),
                st.just(""),
            )
        )
    if q.kind == "multi":
        return draw(
            st.one_of(
                st.just([]),
                st.just([offered[0], offered[0]]),
                st.lists(KEYS.filter(lambda k: k not in offered), min_size=1, max_size=2),
                st.just(offered[0]),  # not a list
            )
        )
    if q.kind == "scale":
        assert q.min is not None
        assert q.max is not None
        return draw(
            st.one_of(
                st.integers(max_value=q.min - 1),
                st.integers(min_value=q.max + 1),
                st.just(str(q.min)),
                st.just(float(q.min) + 0.5),
                st.just(True),
            )
        )
    return draw(
        st.one_of(
            st.text(min_size=MAX_TEXT_ANSWER + 1, max_size=MAX_TEXT_ANSWER + 20).filter(
                lambda t: len(t.strip()) > MAX_TEXT_ANSWER
            ),
            st.just("   "),
            st.integers(),
            st.just(["a list"]),
        )
    )


@st.composite
def script_and_bad_answers(draw: Any) -> tuple[list[Question], dict[str, Any], str]:
    questions, answers = draw(script_and_answers())
    how = draw(st.sampled_from(["unknown question", "value", "required left out"]))
    required = [q for q in questions if q.required and q.key in answers]
    if how == "required left out" and required:
        victim = draw(st.sampled_from(required))
        return questions, {k: v for k, v in answers.items() if k != victim.key}, victim.key
    if how == "value":
        victim = draw(st.sampled_from(questions))
        return questions, {**answers, victim.key: _not_allowed(draw, victim)}, victim.key
    unknown = draw(KEYS.filter(lambda k: k not in {q.key for q in questions}))
    return questions, {**answers, unknown: "yes"}, unknown


@settings(max_examples=200, **SETTINGS)
@given(script_and_bad_answers())
def test_anything_else_is_refused_naming_the_question(
    case: tuple[list[Question], dict[str, Any], str],
) -> None:
    questions, answers, key = case
    with pytest.raises(AnswerProblem) as refused:
        answers_check(questions, answers)
    assert refused.value.key == key
    assert refused.value.code in ("answer_question_unknown", "answer_invalid", "answer_required")
    assert refused.value.message


def test_answers_must_be_a_mapping() -> None:
    questions = [Question("vote_plan", "choice", "How?", options=(Option("a", "A"),))]
    for bad in (["a"], "a", 3):
        with pytest.raises(AnswerProblem) as refused:
            answers_check(questions, bad)
        assert refused.value.code == "answer_invalid"
