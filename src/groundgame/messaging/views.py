"""Staff pages of messaging: the mailings list, compose with a live preview per recipient,
the mailing page (test send, schedule, cancel, progress while sending) and the contact caps.

Every staff role sees mailings and their figures; composing, previewing (real names and
addresses) and sending need a role that may see personal data, so analysts read only.
"""

from __future__ import annotations

from typing import Any

from csp import constants as csp
from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.audit.services import audit_read
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.core.decorators import csp_update, staff_required
from groundgame.core.errors import ApplicationError, NotFound
from groundgame.messaging import selectors, templating
from groundgame.messaging.forms import (
    ContactCapForm,
    MailingForm,
    ScheduleForm,
    TestSendForm,
    VariantsForm,
)
from groundgame.messaging.models import DeliveryEvent, Mailing, Send
from groundgame.messaging.services import mailings
from groundgame.organizing.selectors import StaffScope

# Sends and delivery events in the order the mailing page lists them.
SEND_STATUSES = [
    Send.Status.QUEUED,
    Send.Status.CLAIMED,
    Send.Status.SENDING,
    Send.Status.SENT,
    Send.Status.SUPPRESSED,
    Send.Status.FAILED,
    Send.Status.UNKNOWN,
    Send.Status.CANCELLED,
]
# While a mailing is in one of these its page refreshes itself.
LIVE_STATUSES = (Mailing.Status.SCHEDULED, Mailing.Status.FANNING_OUT, Mailing.Status.SENDING)
EDITABLE_STATUSES = (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


def _may_send(scope: StaffScope) -> bool:
    """Composing shows real recipients, so it needs a role that may see personal data."""
    return scope.everywhere or bool(scope.person_paths)


def _require_sender(request: HttpRequest) -> None:
    if not _may_send(_scope(request)):
        raise PermissionDenied


def _mailing_or_404(mailing_id: int) -> Mailing:
    mailing = selectors.mailing_get(mailing_id)
    if mailing is None:
        raise Http404("No such mailing.")
    return mailing


def _add_error(form: django_forms.Form, exc: ApplicationError, *, alias: str = "") -> None:
    """The service's message under the field it names (``alias`` when the form calls that
    field otherwise), or above the form."""
    field = alias or exc.field
    form.add_error(field if field in form.fields else None, exc.message)


def _status(exc: ApplicationError) -> int:
    return exc.status if 400 <= exc.status < 500 else 400


# The list ------------------------------------------------------------------------------


@staff_required
@require_GET
def mailing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.mailing_list(), 25).get_page(request.GET.get("page"))
    counts = selectors.send_counts(m.pk for m in page)
    rows = []
    for mailing in page:
        by_status = counts.get(mailing.pk, {})
        rows.append(
            {
                "mailing": mailing,
                "sent": by_status.get(Send.Status.SENT, 0),
                "failed": by_status.get(Send.Status.FAILED, 0),
                "unknown": by_status.get(Send.Status.UNKNOWN, 0),
                # Left out by the rule at fan-out, and by the rule asked again at send time.
                "suppressed": (mailing.suppressed_count or 0)
                + by_status.get(Send.Status.SUPPRESSED, 0),
            }
        )
    return render(
        request,
        "messaging/mailing_list.html",
        {
            "page": page,
            "rows": rows,
            "may_send": _may_send(_scope(request)),
            "outboxes": selectors.local_outboxes(),
        },
    )


# Compose -------------------------------------------------------------------------------


def _preview_context(request: HttpRequest, values: dict[str, Any], index: int) -> dict[str, Any]:
    """The preview panel's context: the message for one recipient, or what is wrong."""
    try:
        preview = selectors.mailing_preview(scope=_scope(request), index=index, **values)
    except ApplicationError as exc:
        return {"preview": None, "preview_error": exc}
    if preview.person_id:
        # A real recipient's name and address are on the screen: a read of their record.
        audit_read(
            actor=request.user,
            entity_type="people.person",
            entity_id=preview.person_id,
            summary=f"Mailing preview: {preview.name}",
        )
    return {"preview": preview, "preview_error": None}


def _index(request: HttpRequest) -> int:
    raw = request.POST.get("recipient") or request.GET.get("recipient") or "0"
    return int(raw) if raw.isdigit() else 0


def _compose(request: HttpRequest, mailing: Mailing | None) -> HttpResponse:
    _require_sender(request)
    # Any other button (the preview's, without JavaScript) shows the page again unsaved.
    saving = request.method == "POST" and request.POST.get("action") == "save"
    form = MailingForm(
        request.POST if request.method == "POST" else None,
        scope=request.staff_scope,  # type: ignore[attr-defined]
        mailing=mailing,
    )
    status = 200
    if saving:
        status = 422
        if form.is_valid():
            try:
                if mailing is None:
                    saved = mailings.mailing_create(
                        actor=request.user,
                        channel=form.cleaned_data["channel"],
                        **form.service_kwargs(),
                    )
                else:
                    saved = mailings.mailing_update(
                        actor=request.user, mailing_id=mailing.pk, **form.service_kwargs()
                    )
            except NotFound:
                raise Http404("No such mailing.") from None
            except ApplicationError as exc:
                _add_error(form, exc)
                status = _status(exc)
            else:
                messages.success(
                    request,
                    f"Saved “{saved.name}”. Send yourself a test, then schedule it."
                    if saved.status == Mailing.Status.DRAFT
                    else f"Saved “{saved.name}”.",
                )
                return redirect("messaging:mailing", mailing_id=saved.pk)
    values = form.preview_values()
    if mailing is not None:
        values["channel"] = mailing.channel
    return render(
        request,
        "messaging/mailing_form.html",
        {
            "form": form,
            "mailing": mailing,
            "fields": templating.FIELDS,
            **_preview_context(request, values, _index(request)),
        },
        status=status,
    )


# These pages show an email as mail apps will, in a frame of its own: its styles are inline
# (mail apps ignore style sheets), and the frame's document keeps the page's policy, so
# inline styles are allowed here. Scripts stay as strict as everywhere.
email_preview = csp_update({"style-src": [csp.UNSAFE_INLINE]})


@staff_required
@email_preview
@require_http_methods(["GET", "POST"])
def mailing_new(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@staff_required
@email_preview
@require_http_methods(["GET", "POST"])
def mailing_edit(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing_or_404(mailing_id)
    if mailing.status not in EDITABLE_STATUSES:
        messages.error(
            request, f"A mailing that is {mailing.get_status_display().lower()} cannot be changed."
        )
        return redirect("messaging:mailing", mailing_id=mailing.pk)
    return _compose(request, mailing)


@staff_required
@require_POST
def mailing_preview(request: HttpRequest) -> JsonResponse:
    """The compose page's live preview: the panel for one recipient as HTML, or the problem
    (a 422 naming the field and line)."""
    _require_sender(request)
    form = MailingForm(request.POST, scope=request.staff_scope)  # type: ignore[attr-defined]
    context = _preview_context(request, form.preview_values(), _index(request))
    html = render_to_string("messaging/_preview.html", context, request=request)
    error = context["preview_error"]
    if error is not None:
        return JsonResponse({**error.as_dict(), "html": html}, status=_status(error))
    preview = context["preview"]
    return JsonResponse(
        {
            "html": html,
            "recipient": preview.index,
            "recipients": preview.total,
            "segments": preview.segments,
        }
    )


# The mailing page ----------------------------------------------------------------------


def _progress_context(mailing: Mailing) -> dict[str, Any]:
    progress = selectors.mailing_progress(mailing.pk)
    return {
        "mailing": mailing,
        "progress": progress,
        "send_rows": [
            (status.value, status.label, progress.by_status.get(status, 0))
            for status in SEND_STATUSES
        ],
        "event_rows": [
            (kind.value, kind.label, progress.events.get(kind, 0)) for kind in DeliveryEvent.Kind
        ],
        "fanned": selectors.fan_out_progress(mailing.pk)
        if mailing.status in (Mailing.Status.SCHEDULED, Mailing.Status.FANNING_OUT)
        else None,
        "live": mailing.status in LIVE_STATUSES,
        # When the texts waiting for their recipients' sending hours will go, told in the
        # campaign's zone.
        "campaign_zone": settings.GROUNDGAME_TIME_ZONE,
        "sending_hours": settings.GROUNDGAME_SMS_SENDING_HOURS,
    }


def _detail_context(
    request: HttpRequest,
    mailing: Mailing,
    *,
    schedule_form: ScheduleForm | None = None,
    test_form: TestSendForm | None = None,
) -> dict[str, Any]:
    context = _progress_context(mailing)
    may_send = _may_send(_scope(request))
    if may_send:
        values = {
            "channel": mailing.channel,
            "topic_key": mailing.topic.key,
            "universe_id": mailing.universe_id,
            "subject": mailing.subject,
            "body": mailing.body,
        }
        context.update(_preview_context(request, values, _index(request)))
    own_address = getattr(request.user, "email", "") if mailing.channel == "email" else ""
    context.update(
        {
            "may_send": may_send,
            "editable": mailing.status in EDITABLE_STATUSES,
            "cancellable": mailing.status not in (Mailing.Status.SENT, Mailing.Status.CANCELLED),
            "schedule_form": schedule_form or ScheduleForm(),
            "test_form": test_form
            or TestSendForm(initial={"address": own_address}, channel=mailing.channel),
            "variants": selectors.mailing_variants(mailing.pk),
        }
    )
    return context


@staff_required
@email_preview
@require_GET
def mailing_detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing_or_404(mailing_id)
    return render(request, "messaging/mailing_detail.html", _detail_context(request, mailing))


@staff_required
@require_GET
def mailing_progress(request: HttpRequest, mailing_id: int) -> JsonResponse:
    """The mailing page's figures, polled while it sends."""
    mailing = _mailing_or_404(mailing_id)
    context = _progress_context(mailing)
    html = render_to_string("messaging/_progress.html", context, request=request)
    return JsonResponse(
        {
            "status": mailing.status,
            "label": mailing.get_status_display(),
            "live": context["live"],
            "html": html,
        }
    )


def _detail_with_errors(
    request: HttpRequest, mailing: Mailing, status: int, **forms_: Any
) -> HttpResponse:
    """The mailing page again with a form's errors, where the form was."""
    context = _detail_context(request, mailing, **forms_)
    return render(request, "messaging/mailing_detail.html", context, status=status)


@staff_required
@require_POST
def mailing_test_send(request: HttpRequest, mailing_id: int) -> HttpResponse:
    _require_sender(request)
    mailing = _mailing_or_404(mailing_id)
    form = TestSendForm(request.POST, channel=mailing.channel)
    if not form.is_valid():
        return _detail_with_errors(request, mailing, 422, test_form=form)
    try:
        mailings.mailing_test_send(
            actor=request.user, mailing_id=mailing.pk, address=form.cleaned_data["address"]
        )
    except ApplicationError as exc:
        _add_error(form, exc)
        return _detail_with_errors(request, mailing, _status(exc), test_form=form)
    messages.success(request, f"Test sent to {form.cleaned_data['address']}.")
    return redirect("messaging:mailing", mailing_id=mailing.pk)


@staff_required
@require_POST
def mailing_schedule(request: HttpRequest, mailing_id: int) -> HttpResponse:
    _require_sender(request)
    mailing = _mailing_or_404(mailing_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _detail_with_errors(request, mailing, 422, schedule_form=form)
    try:
        scheduled = mailings.mailing_schedule(
            actor=request.user, mailing_id=mailing.pk, at=form.send_at()
        )
    except ApplicationError as exc:
        _add_error(form, exc, alias="at" if exc.field == "scheduled_at" else "")
        return _detail_with_errors(request, mailing, _status(exc), schedule_form=form)
    if form.send_at() is None:
        messages.success(request, "Sending now: recipients are being prepared.")
    else:
        messages.success(request, f"Scheduled for {scheduled.scheduled_at:%b %-d, %Y %H:%M} UTC.")
    return redirect("messaging:mailing", mailing_id=mailing.pk)


@staff_required
@require_POST
def mailing_cancel(request: HttpRequest, mailing_id: int) -> HttpResponse:
    _require_sender(request)
    mailing = _mailing_or_404(mailing_id)
    try:
        stopped = mailings.mailing_cancel(actor=request.user, mailing_id=mailing.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Cancelled; {stopped:,} queued message{'s' if stopped != 1 else ''} will not go.",
        )
    return redirect("messaging:mailing", mailing_id=mailing.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def mailing_variants(request: HttpRequest, mailing_id: int) -> HttpResponse:
    """Make a mailing a test of two to four variants, each with its share of recipients."""
    _require_sender(request)
    mailing = _mailing_or_404(mailing_id)
    if request.method == "POST":
        form = VariantsForm(request.POST, channel=mailing.channel)
        if form.is_valid():
            try:
                mailings.mailing_variants_set(
                    actor=request.user, mailing_id=mailing.pk, specs=form.specs()
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
                status = _status(exc)
            else:
                messages.success(request, "Variants saved; each recipient gets one at random.")
                return redirect("messaging:mailing", mailing_id=mailing.pk)
        else:
            status = 422
    else:
        status = 200
        form = VariantsForm(
            initial=VariantsForm.initial_for(selectors.mailing_variants(mailing.pk)),
            channel=mailing.channel,
        )
    return render(
        request,
        "messaging/mailing_variants.html",
        {"mailing": mailing, "form": form, "editable": mailing.status in EDITABLE_STATUSES},
        status=status,
    )


# Contact caps --------------------------------------------------------------------------


def _cap_form(channel: str, cap: Any, data: Any = None) -> ContactCapForm:
    initial = (
        {
            "per_person": cap.per_person,
            "per_household": cap.per_household,
            "window_hours": cap.window_hours,
        }
        if cap
        else {}
    )
    return ContactCapForm(data, initial=initial, prefix=channel)


@staff_required
@require_http_methods(["GET", "POST"])
def frequency_caps(request: HttpRequest) -> HttpResponse:
    """How often each channel may reach a person and a household within a window: one form
    per channel, each saved on its own, by national admins (a campaign-wide setting)."""
    may_edit = _scope(request).is_admin
    channels = consent_selectors.contact_caps()
    forms_ = {c.channel: _cap_form(c.channel, c.cap) for c in channels}
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        channel = request.POST.get("channel", "")
        if channel not in forms_:
            return HttpResponse("Choose one of the channels on the page.", status=400)
        cap = next(c.cap for c in channels if c.channel == channel)
        form = forms_[channel] = _cap_form(channel, cap, request.POST)
        status = 422
        if form.is_valid():
            try:
                consent_services.contact_cap_set(
                    actor=request.user, channel=channel, **form.cleaned_data
                )
            except ApplicationError as exc:
                _add_error(form, exc)
                status = _status(exc)
            else:
                label = next(c.label for c in channels if c.channel == channel)
                messages.success(request, f"Saved the caps on {label.lower()}.")
                return redirect("messaging:frequency_caps")
    cards = [
        {"channel": c.channel, "label": c.label, "cap": c.cap, "form": forms_[c.channel]}
        for c in channels
    ]
    return render(
        request,
        "messaging/frequency_caps.html",
        {"cards": cards, "may_edit": may_edit},
        status=status,
    )
