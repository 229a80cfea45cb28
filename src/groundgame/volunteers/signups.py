"""Sign-ups without the database: what a form asks, cleaning a submission, and the
signed tokens of the public pages (referral codes, donation pre-fill, form timing).

Kept apart from ``services`` so that the public views and the API can reject bad input
before a transaction opens, and so that the rules are testable without a database.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing

from groundgame.core import ratelimit
from groundgame.core.errors import ApplicationError
from groundgame.core.geo import zip_place
from groundgame.core.text import text_problem
from groundgame.volunteers import errors

# The person fields a form may show. First name, last name and email are always asked:
# identity resolution and the confirmation email need them.
STANDARD_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Mobile phone",
    "zip5": "ZIP code",
    "street": "Street address",
}
ALWAYS_REQUIRED = ("first_name", "last_name", "email")
# How a form uses each optional field: "required", "optional", or "off" (not shown).
FIELD_MODES = ("required", "optional", "off")
DEFAULT_FIELDS = {"phone": "optional", "zip5": "required", "street": "off"}

CONSENT_TOPICS: dict[str, str] = {
    "volunteering": "Volunteer opportunities near me",
    "events": "Events and trainings",
    "voting_info": "How, when and where to vote",
    "news": "Campaign news",
    "fundraising": "Fundraising appeals",
}
QUESTION_KINDS = ("text", "choice", "yesno")

MAX_TEXT = 500
SOURCE_RE = re.compile(r"[a-z0-9_.:-]{1,40}")

# The salts keep the word the codes were first signed with: links already sent still work.
_REFERRAL_SALT = "groundgame.intake.referral"
_PREFILL_SALT = "groundgame.intake.prefill"
_STARTED_SALT = "groundgame.intake.started"
# Pre-filled donation links stay valid long enough for a thank-you email read days later.
PREFILL_MAX_AGE = 30 * 24 * 3600
PREFILL_FIELDS = ("first_name", "last_name", "email", "phone", "zip5", "street")


def form_fields(config: dict[str, str]) -> dict[str, str]:
    """Every standard field with its mode on a form configured with ``config``."""
    modes = dict.fromkeys(ALWAYS_REQUIRED, "required")
    for name in STANDARD_FIELDS:
        if name not in modes:
            mode = config.get(name, DEFAULT_FIELDS.get(name, "off"))
            modes[name] = mode if mode in FIELD_MODES else "off"
    return modes


@dataclass(frozen=True)
class CleanSubmission:
    person: dict[str, str]
    answers: dict[str, str]
    consents: list[str]
    source: str
    errors: dict[str, str] = field(default_factory=dict)


def clean_submission(
    *,
    fields_config: dict[str, str],
    questions: list[dict[str, Any]],
    consent_topics: list[str],
    fields: dict[str, Any],
    answers: dict[str, Any],
    consents: list[Any],
    source: str,
    default_source: str,
) -> CleanSubmission:
    """Check a submission against its form; every problem is reported under its field name.

    Identity-level checks (email syntax, phone numbers) are left to identity resolution,
    which reports them under the same field names.
    """
    problems: dict[str, str] = {}
    person: dict[str, str] = {}
    for name, mode in form_fields(fields_config).items():
        raw = fields.get(name)
        value = raw.strip() if isinstance(raw, str) else ("" if raw is None else None)
        if value is None:
            problems[name] = "Expected text."
            continue
        if mode == "off":
            continue
        if len(value) > MAX_TEXT:
            problems[name] = f"At most {MAX_TEXT} characters."
        elif problem := text_problem(value):
            problems[name] = problem
        elif mode == "required" and not value:
            problems[name] = f"{STANDARD_FIELDS[name]} is required."
        elif name == "zip5" and value and not re.fullmatch(r"\d{5}", value):
            problems[name] = "Enter a 5-digit ZIP code."
        elif name == "email" and value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            problems[name] = "Enter an email address like name@example.com."
        person[name] = value
    clean_answers: dict[str, str] = {}
    for question in questions:
        key = f"q_{question['key']}"
        raw = answers.get(question["key"], answers.get(key, ""))
        value = raw.strip() if isinstance(raw, str) else ""
        if len(value) > MAX_TEXT:
            problems[key] = f"At most {MAX_TEXT} characters."
        elif problem := text_problem(value):
            problems[key] = problem
        elif question.get("required") and not value:
            problems[key] = "Please answer this question."
        elif value and question["kind"] == "choice" and value not in question.get("choices", []):
            problems[key] = "Pick one of the choices."
        elif value and question["kind"] == "yesno" and value not in ("yes", "no"):
            problems[key] = "Answer yes or no."
        if value:
            clean_answers[question["key"]] = value
    if not isinstance(consents, list) or not all(isinstance(c, str) for c in consents):
        problems["consents"] = "Expected a list of topics."
        consents = []
    unknown = sorted(set(consents) - set(consent_topics))
    if unknown:
        problems["consents"] = f"Not a topic of this form: {', '.join(unknown)}."
    source = (source or "").strip().lower() or default_source
    if source and not SOURCE_RE.fullmatch(source):
        problems["source"] = "A source is 1-40 lowercase letters, digits or ._:-"
    return CleanSubmission(
        person=person,
        answers=clean_answers,
        consents=sorted(set(consents) & set(consent_topics)),
        source=source,
        errors=problems,
    )


def first_problem(problems: dict[str, str]) -> errors.ValidationFailed:
    name, message = next(iter(problems.items()))
    return errors.ValidationFailed(message, code=errors.SIGNUP_INVALID, field=name)


IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_.:-]{8,64}")


def check_idempotency_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise ApplicationError(
            "Send an Idempotency-Key header: a unique id for this sign-up, reused on retries.",
            code=errors.IDEMPOTENCY_KEY_REQUIRED,
            field="idempotency_key",
        )
    if not IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise ApplicationError(
            "An idempotency key is 8-64 letters, digits or ._:-",
            code=errors.IDEMPOTENCY_KEY_INVALID,
            field="idempotency_key",
        )
    return key


# ZIP code -> county -------------------------------------------------------------------------


def county_for_zip(zip5: str) -> str:
    """The county FIPS of a ZIP code's main county, or "" if unknown (``zip_place``
    caches the lookups: a surge asks for the same few hundred codes over and over)."""
    place = zip_place(zip5 or "")
    return place.county_fips if place else ""


# Signed tokens ------------------------------------------------------------------------------


# What a signed code can hold; anything else is ignored like a tampered code.
REFERRAL_CODE_RE = re.compile(r"[A-Za-z0-9_:.-]{1,100}")


def referral_code(pk: int, *, kind: str = "person") -> str:
    """The code in a volunteer's share link; signed so nobody can credit a stranger. It names
    a person, or a submission not yet resolved to one (``kind="submission"``)."""
    value = signing.b62_encode(pk)
    return signing.Signer(salt=_REFERRAL_SALT).sign(f"s-{value}" if kind == "submission" else value)


def referral_target(code: str) -> tuple[str, int] | None:
    """``("person", id)`` or ``("submission", id)`` for a genuine code, else None."""
    try:
        value = signing.Signer(salt=_REFERRAL_SALT).unsign(code)
        # "-" is not a base-62 digit, so no person's code starts like this.
        if value.startswith("s-"):
            return "submission", int(signing.b62_decode(value[2:]))
        return "person", int(signing.b62_decode(value))
    except (signing.BadSignature, ValueError):
        return None


# Beside the details, the token names the donation it follows, which the sign-up records
# as its source ("donation:<line item>").
PREFILL_DONATION = "donation"


def prefill_token(values: dict[str, str]) -> str:
    """A link token carrying a donor's details to the volunteer ask, signed and dated."""
    data = {k: str(v) for k, v in values.items() if k in (*PREFILL_FIELDS, PREFILL_DONATION) and v}
    return signing.dumps(data, salt=_PREFILL_SALT, compress=True)


def prefill_values(token: str) -> dict[str, str] | None:
    """The details of a pre-fill token; None if it was altered or is too old."""
    try:
        data = signing.loads(token, salt=_PREFILL_SALT, max_age=PREFILL_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return {
        k: str(v)[:MAX_TEXT] for k, v in data.items() if k in (*PREFILL_FIELDS, PREFILL_DONATION)
    }


def started_token() -> str:
    """When the page was served, signed, so a bot cannot claim it took its time."""
    return signing.dumps(time.time(), salt=_STARTED_SALT)


def seconds_since_started(token: str, *, max_age: int = 86400) -> float | None:
    try:
        started = float(signing.loads(token, salt=_STARTED_SALT, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - started


def signup_wait(*, client: str, form_slug: str) -> float:
    """Seconds a sign-up from ``client`` to ``form_slug`` must wait; 0.0 to go ahead.

    Per client address, so one script cannot flood a form; per form, so a surge the machine
    cannot absorb is turned away with a Retry-After instead of slowing every sign-up down.
    """
    per_client = ratelimit.Limit(
        rate=settings.GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE / 60.0,
        burst=settings.GROUNDGAME_SIGNUP_CLIENT_BURST,
    )
    per_form = ratelimit.Limit(
        rate=settings.GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND,
        burst=settings.GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND,
    )
    return ratelimit.take(
        {f"signups:client:{client}": per_client, f"signups:form:{form_slug}": per_form}
    )
