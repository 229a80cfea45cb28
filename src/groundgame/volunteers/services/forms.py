"""Sign-up forms: staff create, edit, copy, publish and close them."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.organizing.selectors import OrgUnit, staff_scope
from groundgame.volunteers import errors, signups
from groundgame.volunteers.models import SignupForm
from groundgame.volunteers.selectors import signup_form_forget


def _signup_form_values(
    *,
    title: str,
    slug: str,
    org_unit: OrgUnit,
    intro: str,
    fields: dict[str, str],
    questions: list[dict[str, Any]],
    consent_topics: list[str],
    thank_you: str,
    source: str,
) -> dict[str, Any]:
    title = title.strip()
    if not title:
        raise errors.ValidationFailed("A form needs a title.", field="title")
    slug = slugify(slug or title)[:80]
    if not slug:
        raise errors.ValidationFailed("Use letters or digits in the address.", field="slug")
    bad_modes = [
        k
        for k, v in fields.items()
        if k not in signups.STANDARD_FIELDS or (v not in signups.FIELD_MODES)
    ]
    if bad_modes:
        raise errors.ValidationFailed(f"Unknown field setting {bad_modes[0]!r}.", field="fields")
    keys = set()
    for question in questions:
        if question.get("kind") not in signups.QUESTION_KINDS or not question.get("label"):
            raise errors.ValidationFailed(
                "Each question needs a label and a kind.", field="questions"
            )
        if question["kind"] == "choice" and not question.get("choices"):
            raise errors.ValidationFailed(
                f"The question {question['label']!r} needs choices.", field="questions"
            )
        if question["key"] in keys:
            raise errors.ValidationFailed(
                f"Two questions share the key {question['key']!r}.", field="questions"
            )
        keys.add(question["key"])
    unknown = sorted(set(consent_topics) - set(signups.CONSENT_TOPICS))
    if unknown:
        raise errors.ValidationFailed(f"Unknown topic {unknown[0]!r}.", field="consent_topics")
    source = source.strip().lower()
    if source and not signups.SOURCE_RE.fullmatch(source):
        raise errors.ValidationFailed(
            "A source is 1-40 lowercase letters, digits or ._:-", field="source"
        )
    return {
        "title": title,
        "slug": slug,
        "org_unit": org_unit,
        "intro": intro.strip(),
        "fields": {k: v for k, v in fields.items() if k not in signups.ALWAYS_REQUIRED},
        "questions": questions,
        "consent_topics": [t for t in signups.CONSENT_TOPICS if t in consent_topics],
        "thank_you": thank_you.strip(),
        "source": source,
    }


def _require_unit_manager(actor: Actor, unit: OrgUnit) -> None:
    """Staff who manage a unit (admins, directors, organizers) run its forms."""
    scope = staff_scope(actor)
    if not (scope.everywhere or scope.covers(unit.path)):
        raise errors.PermissionDenied(
            f"You do not organize {unit.name}.", code=errors.NOT_MANAGER, field="org_unit"
        )


def signup_form_create(
    *,
    actor: Actor,
    title: str,
    org_unit: OrgUnit,
    slug: str = "",
    intro: str = "",
    fields: dict[str, str] | None = None,
    questions: list[dict[str, Any]] | None = None,
    consent_topics: list[str] | None = None,
    thank_you: str = "",
    source: str = "",
) -> SignupForm:
    """A draft form; nothing is public until ``signup_form_publish``."""
    _require_unit_manager(actor, org_unit)
    values = _signup_form_values(
        title=title,
        slug=slug,
        org_unit=org_unit,
        intro=intro,
        fields=dict(signups.DEFAULT_FIELDS) if fields is None else fields,
        questions=questions or [],
        consent_topics=["volunteering", "events"] if consent_topics is None else consent_topics,
        thank_you=thank_you,
        source=source,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                form = SignupForm.objects.create(
                    created_by=actor if isinstance(actor, User) else None, **values
                )
        except IntegrityError:
            raise errors.Conflict(
                f"The address /f/{values['slug']}/ is taken; choose another.",
                code=errors.SIGNUP_FORM_SLUG_TAKEN,
                field="slug",
            ) from None
        audit.audit_create(actor=actor, action="signup_form.create", instance=form)
    return form


def signup_form_update(*, actor: Actor, form_id: int, **changes: Any) -> SignupForm:
    """Change a form's title, fields, questions, topics or texts; its address stays."""
    with transaction.atomic():
        form = SignupForm.objects.select_for_update().select_related("org_unit").get(pk=form_id)
        _require_unit_manager(actor, form.org_unit)
        unit = changes.pop("org_unit", form.org_unit)
        _require_unit_manager(actor, unit)
        current = {
            name: getattr(form, name)
            for name in (
                "title",
                "intro",
                "fields",
                "questions",
                "consent_topics",
                "thank_you",
                "source",
            )
        }
        unknown = set(changes) - set(current)
        if unknown:
            raise errors.ValidationFailed(f"{sorted(unknown)[0]!r} cannot be changed.")
        values = _signup_form_values(slug=form.slug, org_unit=unit, **{**current, **changes})
        before = audit.snapshot(form)
        for name, value in values.items():
            setattr(form, name, value)
        form.save()
        audit.audit_update(actor=actor, action="signup_form.update", instance=form, before=before)
        _forget_public_form(form.slug)
    return form


def signup_form_clone(*, actor: Actor, form_id: int, title: str = "", slug: str = "") -> SignupForm:
    """A draft copy of a form (fields, questions, topics, texts), for a new moment or unit."""
    source = SignupForm.objects.select_related("org_unit").get(pk=form_id)
    title = title.strip() or f"{source.title} (copy)"
    slug = slug or _free_slug(slugify(title)[:70] or source.slug)
    return signup_form_create(
        actor=actor,
        title=title,
        slug=slug,
        org_unit=source.org_unit,
        intro=source.intro,
        fields=dict(source.fields),
        questions=[dict(q) for q in source.questions],
        consent_topics=list(source.consent_topics),
        thank_you=source.thank_you,
        source=source.source,
    )


def _free_slug(base: str) -> str:
    taken = set(SignupForm.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _signup_form_status(actor: Actor, form_id: int, status: str, action: str) -> SignupForm:
    with transaction.atomic():
        form = SignupForm.objects.select_for_update().select_related("org_unit").get(pk=form_id)
        _require_unit_manager(actor, form.org_unit)
        before = audit.snapshot(form)
        form.status = status
        if status == SignupForm.Status.PUBLISHED and form.published_at is None:
            form.published_at = timezone.now()
        form.save(update_fields=["status", "published_at", "updated_at"])
        audit.audit_update(actor=actor, action=action, instance=form, before=before)
        _forget_public_form(form.slug)
    return form


def _forget_public_form(slug: str) -> None:
    """Public pages read forms from the cache; once this change commits they must not."""
    transaction.on_commit(functools.partial(signup_form_forget, slug), robust=True)


def signup_form_publish(*, actor: Actor, form_id: int) -> SignupForm:
    """Open the form at /f/<slug>/ (and reopen a closed one)."""
    return _signup_form_status(actor, form_id, SignupForm.Status.PUBLISHED, "signup_form.publish")


def signup_form_close(*, actor: Actor, form_id: int) -> SignupForm:
    """Stop taking sign-ups; the page says so instead of showing the form."""
    return _signup_form_status(actor, form_id, SignupForm.Status.CLOSED, "signup_form.close")
