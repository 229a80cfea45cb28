"""The survey questions of a script version: their shape, how they are checked when staff
write them, and how an answer given at the door is checked against them.

A version's questions are stored as a JSON list on ``ContentVersion.questions``, each one
``{"key", "kind", "prompt", "required"}`` plus, by kind, ``options`` (a list of ``{"key",
"label"}``) for choice and multi-choice, or ``min``, ``max``, ``min_label`` and ``max_label``
for a scale. Keys are stable across versions (a new version starts from the previous one's
questions), so reporting counts a question's answers across the versions of a script.

The checks live here, next to the shape, so that the script editor and the canvass sync can
never disagree about what a question allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import models
from django.utils.text import slugify

from groundgame.content import errors
from groundgame.core.errors import ValidationFailed

MAX_QUESTIONS = 20
MAX_OPTIONS = 20
MAX_PROMPT = 300
MAX_LABEL = 100
MAX_SCALE_STEPS = 11  # 0 to 10 is the widest scale a phone shows on one screen
MAX_TEXT_ANSWER = 500
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Reporting reads the campaign's top issues from the answers to the question with this key.
ISSUES_KEY = "issues"


class Kind(models.TextChoices):
    CHOICE = "choice", "One choice"
    MULTI = "multi", "Several choices"
    SCALE = "scale", "Scale"
    TEXT = "text", "Free text"


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    prompt: str
    required: bool = False
    options: tuple[Option, ...] = ()
    min: int | None = None
    max: int | None = None
    min_label: str = ""
    max_label: str = ""

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def charted(self) -> bool:
        return self.kind != Kind.TEXT

    def values(self) -> list[tuple[str, str]]:
        """What an answer may be, as (value, label): the options, or each step of a scale."""
        if self.kind == Kind.SCALE and self.min is not None and self.max is not None:
            ends = {self.min: self.min_label, self.max: self.max_label}
            return [
                (str(n), f"{n} ({ends[n]})" if ends.get(n) else str(n))
                for n in range(self.min, self.max + 1)
            ]
        return [(o.key, o.label) for o in self.options]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "prompt": self.prompt,
            "required": self.required,
        }
        if self.kind in (Kind.CHOICE, Kind.MULTI):
            data["options"] = [{"key": o.key, "label": o.label} for o in self.options]
        if self.kind == Kind.SCALE:
            data.update(
                min=self.min, max=self.max, min_label=self.min_label, max_label=self.max_label
            )
        return data


# The campaign's issues, the default of every new script (AP VoteCast 2024's most named
# problems, and the campaign's own message).
DEFAULT_ISSUES = Question(
    key=ISSUES_KEY,
    kind=Kind.MULTI,
    prompt="What issues matter most to you and your family this year?",
    options=(
        Option("inflation", "Inflation and cost of living"),
        Option("immigration", "The border and immigration"),
        Option("abortion", "Abortion"),
        Option("democracy", "Democracy"),
        Option("health_care", "Health care"),
        Option("housing", "Housing"),
        Option("jobs", "Jobs"),
        Option("other", "Other"),
    ),
)


def _problem(number: int, key: str, attr: str, message: str) -> ValidationFailed:
    name = f"Question {number}" + (f" ({key})" if key else "")
    return ValidationFailed(
        f"{name}, {attr}: {message}",
        code=errors.QUESTION_INVALID,
        field=f"questions[{number}].{attr}",
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}", value.strip()):
        return int(value)
    return None


def key_from(text: str) -> str:
    """A key made from a label or prompt: lower case words joined by underscores."""
    key = slugify(text).replace("-", "_")[:40].strip("_")
    return key if key and key[0].isalpha() else f"q_{key}"[:40].strip("_")


def _options(number: int, key: str, raw: Any) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise _problem(number, key, "options", "a choice needs at least two options.")
    if len(raw) > MAX_OPTIONS:
        raise _problem(number, key, "options", f"at most {MAX_OPTIONS} options.")
    options = []
    for place, option in enumerate(raw, start=1):
        data = option if isinstance(option, Mapping) else {}
        label = _text(data.get("label"))
        if not label:
            raise _problem(number, key, "options", f"option {place} needs its words.")
        if len(label) > MAX_LABEL:
            raise _problem(
                number, key, "options", f"option {place} is longer than {MAX_LABEL} characters."
            )
        option_key = _text(data.get("key")) or key_from(label)
        if not KEY_PATTERN.match(option_key):
            raise _problem(
                number,
                key,
                "options",
                f"option {place}'s key {option_key!r} must be lower case letters, digits and "
                "underscores, starting with a letter.",
            )
        options.append(Option(option_key, label))
    seen: set[str] = set()
    for option in options:
        if option.key in seen:
            raise _problem(number, key, "options", f"two options have the key {option.key!r}.")
        seen.add(option.key)
    return tuple(options)


def _question(number: int, raw: Any) -> Question:
    data = raw if isinstance(raw, Mapping) else {}
    key = _text(data.get("key"))
    prompt = _text(data.get("prompt"))
    if not prompt:
        raise _problem(number, key, "prompt", "write the question.")
    if len(prompt) > MAX_PROMPT:
        raise _problem(number, key, "prompt", f"at most {MAX_PROMPT} characters.")
    key = key or key_from(prompt)
    if not KEY_PATTERN.match(key):
        raise _problem(
            number,
            key,
            "key",
            "lower case letters, digits and underscores, starting with a letter, at most 40.",
        )
    kind = data.get("kind")
    if kind not in Kind.values:
        raise _problem(number, key, "kind", f"one of {', '.join(Kind.values)}.")
    question = Question(key=key, kind=kind, prompt=prompt, required=data.get("required") is True)
    if kind in (Kind.CHOICE, Kind.MULTI):
        return replace(question, options=_options(number, key, data.get("options")))
    if kind == Kind.SCALE:
        low, high = _int(data.get("min")), _int(data.get("max"))
        if low is None or high is None:
            raise _problem(number, key, "min", "a scale needs whole numbers at both ends.")
        if low >= high:
            raise _problem(number, key, "max", "the top of the scale must be above its bottom.")
        if high - low + 1 > MAX_SCALE_STEPS:
            raise _problem(number, key, "max", f"at most {MAX_SCALE_STEPS} steps.")
        ends = {attr: _text(data.get(attr)) for attr in ("min_label", "max_label")}
        for attr, label in ends.items():
            if len(label) > MAX_LABEL:
                raise _problem(number, key, attr, f"at most {MAX_LABEL} characters.")
        return replace(
            question, min=low, max=high, min_label=ends["min_label"], max_label=ends["max_label"]
        )
    return question


def questions_clean(raw: Any) -> list[Question]:
    """The questions as written, checked; the first problem raises ``ValidationFailed``
    naming the question (its number and key) and the field."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(
            "Questions must be a list.", code=errors.QUESTION_INVALID, field="questions"
        )
    if len(raw) > MAX_QUESTIONS:
        raise ValidationFailed(
            f"At most {MAX_QUESTIONS} questions: a door is a short conversation.",
            code=errors.QUESTION_INVALID,
            field="questions",
        )
    questions = [_question(number, q) for number, q in enumerate(raw, start=1)]
    seen: dict[str, int] = {}
    for number, question in enumerate(questions, start=1):
        if question.key in seen:
            raise _problem(
                number,
                question.key,
                "key",
                f"question {seen[question.key]} has this key already; each needs its own.",
            )
        seen[question.key] = number
    return questions


# Answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One checked answer: the options chosen (in the order given), a scale's number, or
    the text."""

    question: str
    options: tuple[str, ...] = ()
    number: int | None = None
    text: str = ""


class AnswerProblem(Exception):
    """Why an answer is refused: ``code`` (content.errors), the question's key, a message."""

    def __init__(self, code: str, key: str, message: str) -> None:
        super().__init__(message)
        self.code, self.key, self.message = code, key, message


def _answer(question: Question, value: Any) -> Answer:
    key = question.key

    def bad(message: str) -> AnswerProblem:
        return AnswerProblem(errors.ANSWER_INVALID, key, f"{key}: {message}")

    offered = {o.key for o in question.options}
    if question.kind == Kind.CHOICE:
        if not isinstance(value, str) or value not in offered:
            raise bad(f"{value!r} is not one of the options ({', '.join(sorted(offered))}).")
        return Answer(key, options=(value,))
    if question.kind == Kind.MULTI:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of option keys.")
        if not value:
            raise bad("choose at least one option, or leave the question out.")
        unknown = [v for v in value if v not in offered]
        if unknown:
            raise bad(f"{unknown[0]!r} is not one of the options.")
        if len(set(value)) != len(value):
            raise bad("an option is chosen twice.")
        return Answer(key, options=tuple(value))
    if question.kind == Kind.SCALE:
        low, high = question.min, question.max
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or low is None
            or high is None
            or not low <= value <= high
        ):
            raise bad(f"a whole number from {low} to {high}.")
        return Answer(key, number=value)
    if not isinstance(value, str) or not value.strip():
        raise bad("text.")
    if len(value) > MAX_TEXT_ANSWER:
        raise bad(f"at most {MAX_TEXT_ANSWER} characters.")
    return Answer(key, text=value.strip())


def answers_check(questions: Sequence[Question], answers: Any) -> list[Answer]:
    """The answers given at a door (``{question key: value}``), checked against the
    questions of the version the canvasser was shown; an unanswered question is left out or
    null. Raises ``AnswerProblem`` for the first unknown key, value the question does not
    allow, or required question left unanswered."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise AnswerProblem(errors.ANSWER_INVALID, "", "answers must map question keys to answers.")
    by_key = {q.key: q for q in questions}
    unknown = [k for k in answers if k not in by_key]
    if unknown:
        raise AnswerProblem(
            errors.ANSWER_QUESTION_UNKNOWN,
            str(unknown[0])[:40],
            f"The script has no question {str(unknown[0])[:40]!r}.",
        )
    checked = []
    for question in questions:
        value = answers.get(question.key)
        if value is None:
            if question.required:
                raise AnswerProblem(
                    errors.ANSWER_REQUIRED,
                    question.key,
                    f"{question.key}: the script asks this of every conversation.",
                )
            continue
        checked.append(_answer(question, value))
    return checked
