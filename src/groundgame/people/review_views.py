"""Staff pages of identity resolution: the review queue, the compare page and undoing merges."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from groundgame.audit.services import audit_read_list
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError, NotFound
from groundgame.people import errors, selectors
from groundgame.people.forms import MergeUndoForm, ReviewDecisionForm
from groundgame.people.models import MatchReview, Person
from groundgame.people.services import merges, persons

REVIEWS_PER_PAGE = 25

# The compared fields in the order a person reads a record, with their labels.
FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("birth_date", "Date of birth"),
    ("address", "Address"),
    ("email", "Email"),
    ("phone", "Phone"),
)

# What a comparison level means, for staff who do not know the model's vocabulary.
NOTES = {
    ("first_name", "nickname"): "{left} and {right} are forms of one name",
    ("first_name", "typo"): "{left} and {right}: likely a typo of one name",
    ("first_name", "similar"): "Similar, but not obviously the same name",
    ("last_name", "typo"): "{left} and {right}: likely a typo of one name",
    ("last_name", "similar"): "Similar, but not obviously the same name",
    ("birth_date", "transposed"): "Digits transposed, or day and month swapped",
    ("birth_date", "same year"): "Same year, different day",
    ("address", "same zip"): "Same ZIP code, different street",
    ("address", "same city"): "Same city, different street",
}


@dataclass(frozen=True)
class FieldRow:
    """One line of the compare page: the two records' values and what the model made of them."""

    name: str
    label: str
    left: str
    right: str
    # "agree", "near" (nickname, typo, same ZIP...), "differ", or "missing" on either side.
    verdict: str
    note: str
    weight: float | None


def _value(person: Person, field: str) -> str:
    if field == "birth_date":
        return person.birth_date.strftime("%b %-d, %Y") if person.birth_date else ""
    if field == "address":
        return str(person.household) if person.household else ""
    return str(getattr(person, field))


def _rows(review: MatchReview, left: Person, right: Person) -> list[FieldRow]:
    """The fields side by side with the evidence stored when the review was opened.

    The values shown are the records as they are now; the verdict is the one the score was
    computed from, so the two explain each other even if a record was edited since.
    """
    rows = []
    for name, label in FIELDS:
        found = review.evidence.get(name)
        if not isinstance(found, dict):
            rows.append(
                FieldRow(
                    name,
                    label,
                    _value(left, name),
                    _value(right, name),
                    "missing",
                    "Missing on one record, so it counts neither way",
                    None,
                )
            )
            continue
        level = str(found.get("level", ""))
        verdict = {"same": "agree", "different": "differ"}.get(level, "near")
        note = NOTES.get((name, level), {"agree": "The same", "differ": "Different"}.get(verdict))
        weight = found.get("weight")
        shown = (_value(left, name), _value(right, name))
        rows.append(
            FieldRow(
                name,
                label,
                *shown,
                verdict,
                note.format(left=f"“{shown[0]}”", right=f"“{shown[1]}”") if note else level,
                float(weight) if isinstance(weight, int | float) else None,
            )
        )
    return rows


def _suggested_survivor(left: Person, right: Person) -> Person:
    """The record a merge most likely keeps: the one on the voter file, else the older one."""
    on_file = [p for p in (left, right) if getattr(p, "voter_record", None) is not None]
    if len(on_file) == 1:
        return on_file[0]
    return min(left, right, key=lambda p: (p.created_at, p.pk))


def _compare(
    request: HttpRequest, review: MatchReview, form: ReviewDecisionForm, *, status: int = 200
) -> HttpResponse:
    # Opening both records through the service logs the reads, as the person page does.
    try:
        left = persons.person_open(actor=request.user, person_id=review.person_id)
        right = persons.person_open(actor=request.user, person_id=review.candidate_id)
    except NotFound:
        raise Http404("No such review in your units.") from None
    rows = _rows(review, left, right)
    return render(
        request,
        "people/review_compare.html",
        {
            "review": review,
            "left": left,
            "right": right,
            "records": (left, right),
            "suggested": _suggested_survivor(left, right),
            "rows": rows,
            "agreed": sum(r.verdict == "agree" for r in rows),
            "near": sum(r.verdict == "near" for r in rows),
            "differed": sum(r.verdict == "differ" for r in rows),
            "percent": round(review.score * 100),
            "form": form,
        },
        status=status,
    )


@staff_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    reviews = selectors.match_review_list(scope=scope)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    audit_read_list(
        actor=request.user, entity_type="people.matchreview", count=len(page.object_list)
    )
    return render(
        request,
        "people/review_list.html",
        {"page": page, "can_see_people": scope.everywhere or bool(scope.person_paths)},
    )


@staff_required
@require_GET
def review_compare(request: HttpRequest, review_id: int) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    review = selectors.match_review_get(scope=scope, review_id=review_id)
    if review is None:
        raise Http404("No such review in your units.")
    return _compare(request, review, ReviewDecisionForm())


@staff_required
@require_POST
def review_decide(request: HttpRequest, review_id: int) -> HttpResponse:
    form = ReviewDecisionForm(request.POST)
    if form.is_valid():
        try:
            review = merges.match_review_decide(
                actor=request.user,
                review_id=review_id,
                decision=form.service_decision,
                survivor_id=form.cleaned_data["survivor_id"],
            )
        except NotFound:
            raise Http404("No such review in your units.") from None
        except ApplicationError as exc:
            if exc.code == errors.REVIEW_DECIDED:
                # Someone else answered first (or the form was sent twice): nothing to redo.
                messages.info(request, exc.message)
                return redirect("people:reviews")
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _decided(request, review, form.cleaned_data["survivor_id"])
    scope = request.staff_scope  # type: ignore[attr-defined]
    shown = selectors.match_review_get(scope=scope, review_id=review_id)
    if shown is None:
        raise Http404("No such review in your units.")
    return _compare(request, shown, form, status=422)


def _decided(request: HttpRequest, review: MatchReview, survivor_id: int | None) -> HttpResponse:
    if review.status == MatchReview.Status.MERGED and survivor_id is not None:
        absorbed = review.candidate if survivor_id == review.person_id else review.person
        survivor = review.person if survivor_id == review.person_id else review.candidate
        messages.success(
            request,
            f"Merged {absorbed.full_name} into {survivor.full_name}. "
            "Undo it from this page if that was a mistake.",
        )
        return redirect("people:detail", person_id=survivor_id)
    messages.success(
        request,
        f"Kept {review.person.full_name} and {review.candidate.full_name} as two people.",
    )
    return redirect("people:reviews")


@staff_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    form = MergeUndoForm(request.POST)
    if not form.is_valid():
        # The button's own form always carries it: only a hand-made request lacks it.
        raise SuspiciousOperation("An undo names the record it was asked from.")
    try:
        merge = merges.person_unmerge(actor=request.user, merge_id=merge_id)
    except NotFound:
        raise Http404("No such merge in your units.") from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("people:detail", person_id=form.cleaned_data["person_id"])
    messages.success(
        request,
        f"Undid the merge: {merge.absorbed.full_name} is a record of their own again.",
    )
    return redirect("people:detail", person_id=merge.absorbed_id)
