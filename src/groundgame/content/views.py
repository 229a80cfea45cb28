"""Staff pages of the content library: the library, an item with its versions, the approval
queue and the delegations of approval."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from groundgame.content import forms, metrics, selectors, services
from groundgame.content.models import ContentItem, ContentVersion
from groundgame.content.questions import questions_clean
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing import selectors as organizing


def _units(request: HttpRequest) -> list[tuple[int, str]]:
    return organizing.org_unit_choices(request.staff_scope)  # type: ignore[attr-defined]


def _show_error(request: HttpRequest, form: object, exc: ApplicationError) -> None:
    fields = getattr(form, "fields", {})
    if exc.field and exc.field in fields:
        form.add_error(exc.field, exc.message)  # type: ignore[attr-defined]
    else:
        messages.error(request, exc.message)


@staff_required
@require_http_methods(["GET", "POST"])
def library(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    kind = request.GET.get("kind", "")
    if kind not in ContentItem.Kind.values:
        kind = ""
    form = forms.ItemForm(request.POST or None, units=_units(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.content_item_create(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    org_unit_id=form.cleaned_data["org_unit"],
                    body=form.cleaned_data["body"],
                )
            except ApplicationError as exc:
                _show_error(request, form, exc)
                status = exc.status if exc.status != 404 else 400
            else:
                messages.success(request, "Draft saved. Submit it for approval when it is ready.")
                return redirect("content:item", item.pk)
        else:
            status = 400
    rows = selectors.content_library(scope=scope, kind=kind)
    return render(
        request,
        "content/library.html",
        {"rows": rows, "form": form, "kind": kind, "kinds": ContentItem.Kind.choices},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    item = selectors.content_item_visible(scope=scope, item_id=item_id)
    if item is None:
        raise Http404("No such item.")
    versions = selectors.content_versions(item.pk)
    draft = next((v for v in versions if v.status == ContentVersion.Status.DRAFT), None)
    latest = versions[0] if versions else None
    draft_form = forms.DraftForm(
        request.POST if request.POST.get("action") == "draft" else None,
        initial={"body": base.body if (base := draft or latest) is not None else ""},
    )
    decide_form = forms.DecideForm(request.POST if request.POST.get("action") == "decide" else None)
    status = 200
    editing = _QuestionEditing(request, draft)
    if request.method == "POST" and editing.action:
        if editing.handle():
            return redirect(f"{reverse('content:item', args=[item.pk])}#questions-heading")
        status = editing.status
    elif request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "draft" and draft_form.is_valid():
                services.content_version_draft(
                    actor=request.user, item_id=item.pk, body=draft_form.cleaned_data["body"]
                )
                messages.success(request, "Draft saved.")
                return redirect("content:item", item.pk)
            if action == "submit":
                services.content_version_submit(
                    actor=request.user, version_id=int(request.POST.get("version", 0))
                )
                messages.success(request, "Submitted. It is in the approval queue.")
                return redirect("content:item", item.pk)
            if action == "decide" and decide_form.is_valid():
                approve = request.POST.get("decision") == "approve"
                services.content_version_decide(
                    actor=request.user,
                    version_id=int(request.POST.get("version", 0)),
                    approve=approve,
                    note=decide_form.cleaned_data["note"],
                )
                messages.success(request, "Approved." if approve else "Sent back with your note.")
                return redirect("content:item", item.pk)
            status = 400
        except ApplicationError as exc:
            _show_error(request, decide_form if action == "decide" else draft_form, exc)
            status = exc.status if exc.status != 404 else 400
        except ValueError:
            status = 400
    now = timezone.now()
    return render(
        request,
        "content/item.html",
        {
            "item": item,
            "versions": [(v, questions_clean(v.questions)) for v in versions],
            "editing": editing,
            "draft": draft,
            "current": selectors.current_approved_version(item.pk),
            "draft_form": draft_form,
            "decide_form": decide_form,
            "may_approve": selectors.may_approve_path(request.user, item.org_unit.path, now=now),
            "now": now,
        },
        status=status,
    )


class _QuestionEditing:
    """The question editor of a draft script: a form to add a question, one to edit each,
    and the moves and removals, each a POST with its ``action``."""

    ACTIONS = ("question_add", "question_edit", "question_move", "question_remove")

    def __init__(self, request: HttpRequest, draft: ContentVersion | None) -> None:
        self.request, self.draft, self.status = request, draft, 200
        action = request.POST.get("action", "") if request.method == "POST" else ""
        self.action = action if action in self.ACTIONS else ""
        self.editing = request.POST.get("replacing", "") if action == "question_edit" else ""
        posted = request.POST if action == "question_add" else None
        self.add_form = forms.QuestionForm(posted, prefix="new")
        asked = questions_clean(draft.questions) if draft is not None else []
        self.edit_forms = [
            (
                question,
                forms.QuestionForm(
                    request.POST if question.key == self.editing else None,
                    prefix=f"q-{question.key}",
                    initial=forms.QuestionForm.initial_for(question),
                ),
            )
            for question in asked
        ]

    def handle(self) -> bool:
        """Apply the posted change; True when it was saved."""
        if self.draft is None:
            messages.error(
                self.request,
                "No draft to change: questions are fixed once a version is submitted. Start a "
                "new version to change them.",
            )
            self.status = 422
            return False
        request, version_id = self.request, self.draft.pk
        form = self.add_form
        if self.editing:
            form = next(f for q, f in self.edit_forms if q.key == self.editing)
        try:
            if self.action == "question_move":
                services.content_question_move(
                    actor=request.user,
                    version_id=version_id,
                    key=request.POST.get("key", ""),
                    offset=-1 if request.POST.get("direction") == "up" else 1,
                )
            elif self.action == "question_remove":
                services.content_question_remove(
                    actor=request.user, version_id=version_id, key=request.POST.get("key", "")
                )
            elif not form.is_valid():
                self.status = 400
                return False
            else:
                services.content_question_save(
                    actor=request.user,
                    version_id=version_id,
                    question=form.question(),
                    replacing=self.editing,
                )
        except ApplicationError as exc:
            name = form.field_for(exc.field) if exc.field else None
            if name is not None and self.action in ("question_add", "question_edit"):
                form.add_error(name, exc.message)
            else:
                messages.error(request, exc.message)
            self.status = exc.status if exc.status != 404 else 400
            return False
        messages.success(request, "Questions saved.")
        return True


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    entries = selectors.approval_queue(request.user, now=now)
    return render(
        request,
        "content/queue.html",
        {
            "mine": [e for e in entries if e.mine],
            "others": [e for e in entries if not e.mine],
            "overdue": sum(e.overdue for e in entries),
            "latency": metrics.approval_latency(since=now - dt.timedelta(days=30)),
            "now": now,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = forms.DelegateForm(
        request.POST if request.POST.get("action") == "delegate" else None, units=_units(request)
    )
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                services.approval_delegation_revoke(
                    actor=request.user, delegation_id=int(request.POST.get("delegation", 0))
                )
                messages.success(request, "Delegation revoked.")
                return redirect("content:delegations")
            if form.is_valid():
                approver = organizing.staff_user_by_username(form.cleaned_data["approver"])
                if approver is None:
                    form.add_error("approver", "No staff account with that username.")
                    status = 400
                else:
                    services.approval_delegate(
                        actor=request.user,
                        org_unit_id=form.cleaned_data["org_unit"],
                        approver=approver,
                        expires_at=form.cleaned_data["expires_at"],
                        kinds=form.cleaned_data["kinds"],
                    )
                    messages.success(request, f"{approver.get_username()} may now approve.")
                    return redirect("content:delegations")
            else:
                status = 400
        except ApplicationError as exc:
            _show_error(request, form, exc)
            status = exc.status if exc.status != 404 else 400
        except ValueError:
            status = 400
    return render(
        request,
        "content/delegations.html",
        {"form": form, "delegations": selectors.delegation_list(now=now), "now": now},
        status=status,
    )
