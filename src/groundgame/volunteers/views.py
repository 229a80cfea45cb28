"""Sign-up pages: the public form (and its embeddable variant), the post-donation ask, and
for staff the forms, the follow-up queue and the live sign-up dashboard."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.core import client_address
from groundgame.core.decorators import csp_replace, staff_required
from groundgame.core.errors import ApplicationError
from groundgame.core.templatetags.charts import chart, line_chart
from groundgame.events import selectors as events_selectors
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import StaffScope
from groundgame.volunteers import errors, selectors, services, signups
from groundgame.volunteers.forms import FollowUpAttemptForm, PublicSignupForm, SignupFormEditor
from groundgame.volunteers.models import SignupForm

_THANKS_SALT = "groundgame.intake.thanks"
HONEYPOT = "website"


# The public form --------------------------------------------------------------------------


def _public_context(
    request: HttpRequest,
    signup: SignupForm,
    form: PublicSignupForm,
    *,
    embed: bool,
    idempotency_key: str = "",
    referral: str = "",
    source: str = "",
) -> dict[str, Any]:
    return {
        "signup": signup,
        "form": form,
        "embed": embed,
        "idempotency_key": idempotency_key or uuid.uuid4().hex,
        "started": signups.started_token(),
        "referral": referral,
        "source": source,
        "honeypot": HONEYPOT,
        "action": reverse("signup_embed" if embed else "signup_public", args=[signup.slug]),
        "problems": [
            (field.id_for_label, field.label, " ".join(str(e) for e in field.errors))
            for field in form
            if field.errors
        ],
    }


def _public(request: HttpRequest, slug: str, *, embed: bool) -> HttpResponse:
    signup = selectors.signup_form_public(slug)
    if signup is None:
        raise Http404("No such sign-up form.")
    template = "volunteers/signups/public.html"
    if signup.status != SignupForm.Status.PUBLISHED:
        return render(request, template, {"signup": signup, "closed": True, "embed": embed})
    if request.method == "GET":
        form = PublicSignupForm(signup, initial=_prefill(request))
        context = _public_context(
            request,
            signup,
            form,
            embed=embed,
            referral=request.GET.get("ref", "")[:100],
            source=request.GET.get("source", "")[:40],
        )
        return render(request, template, context)
    return _public_post(request, signup, embed=embed)


def _prefill(request: HttpRequest) -> dict[str, str]:
    return {
        name: request.GET[name][: signups.MAX_TEXT]
        for name in signups.PREFILL_FIELDS
        if request.GET.get(name)
    }


def _public_post(request: HttpRequest, signup: SignupForm, *, embed: bool) -> HttpResponse:
    template = "volunteers/signups/public.html"
    if _too_large(request):
        return render(
            request, template, {"signup": signup, "too_large": True, "embed": embed}, status=413
        )
    form = PublicSignupForm(signup, request.POST)
    thanks = reverse("signup_thanks", args=[signup.slug]) + ("?embed=1" if embed else "")
    # Bots fill the hidden field, which people never see: they are shown the thank-you page,
    # so they learn nothing, and nothing is written.
    if request.POST.get(HONEYPOT):
        return redirect(thanks)
    key = request.POST.get("idempotency_key", "")
    referral = request.POST.get("ref", "")[:100]
    source = request.POST.get("source", "")[:40]
    # A post faster than a person types, or with a start time that is missing or stale, may
    # still be a person (a browser's autofill, a page left open for a week): they are asked to
    # send it again, on a page with a fresh start time, and never thanked for nothing.
    elapsed = signups.seconds_since_started(request.POST.get("started", ""), max_age=7 * 86400)
    wait = signups.signup_wait(client=client_address.of(request), form_slug=signup.slug)
    status = 400
    if elapsed is None or elapsed < settings.GROUNDGAME_SIGNUP_MIN_FILL_SECONDS:
        form.is_valid()  # so that the page shows what they typed, checked
        form.add_error(None, "Please check your details and press the button again to send them.")
    elif wait:
        form.add_error(
            None, "Too many sign-ups from your network just now. Wait a minute and send it again."
        )
        status = 429
    else:
        person, answers, consents = form.payload()
        clean = signups.clean_submission(
            fields_config=signup.fields,
            questions=signup.questions,
            consent_topics=signup.consent_topics,
            fields=person,
            answers=answers,
            consents=consents,
            source=source,
            default_source=signup.source,
        )
        for name, message in clean.errors.items():
            form.add_error(name if name in form.fields else None, message)
        if not clean.errors:
            try:
                submission, _ = services.signup_submit(
                    form=signup,
                    idempotency_key=key,
                    fields=person,
                    answers=answers,
                    consents=consents,
                    source=source,
                    referral_code=referral,
                    client=client_address.of(request),
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status if exc.status in (409, 429) else 400
            else:
                token = signing.dumps(submission.pk, salt=_THANKS_SALT)
                return redirect(f"{thanks}{'&' if embed else '?'}s={token}")
    context = _public_context(
        request, signup, form, embed=embed, idempotency_key=key, referral=referral, source=source
    )
    response = render(request, template, context, status=status)
    if wait:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.GROUNDGAME_SIGNUP_MAX_BODY_BYTES


# Sign-up pages are posted by visitors without a session (and from other sites' frames,
# where a CSRF cookie may be blocked); they act on no account, so there is nothing for a
# forged request to abuse. The signed start time and the idempotency key do the guarding.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signup_public(request: HttpRequest, slug: str) -> HttpResponse:
    return _public(request, slug, embed=False)


# The embeddable form and its thank-you page may be framed by any site: that is what the
# embed code is for. They hold no staff data and take no action beyond the sign-up itself.
embeddable = csp_replace({"frame-ancestors": ["*"]})


@csrf_exempt
@xframe_options_exempt
@embeddable
@require_http_methods(["GET", "POST"])
def signup_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The same form without the page around it, for an iframe on another site."""
    return _public(request, slug, embed=True)


@xframe_options_exempt
@embeddable
@require_GET
def signup_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    signup = selectors.signup_form_public(slug)
    if signup is None:
        raise Http404("No such sign-up form.")
    embed = request.GET.get("embed") == "1"
    share = ""
    try:
        submission_id = signing.loads(request.GET.get("s", ""), salt=_THANKS_SALT)
        submission = selectors.signup_submission_get(int(submission_id))
    except (signing.BadSignature, TypeError, ValueError):
        submission = None
    first_name = ""
    if submission is not None and submission.form_id == signup.pk:
        share = request.build_absolute_uri(
            services.signup_share_path(signup, submission_id=submission.pk)
        )
        first_name = submission.payload.get("person", {}).get("first_name", "")
    return render(
        request,
        "volunteers/signups/thanks.html",
        {"signup": signup, "share": share, "embed": embed, "first_name": first_name},
    )


@require_GET
def donation_thanks(request: HttpRequest) -> HttpResponse:
    """After a donation: thanks, and the ask to volunteer with the donor's details filled in."""
    slug = request.GET.get("form", "")
    signup = selectors.signup_form_public(slug) if slug else None
    signup = signup or selectors.signup_form_latest_published()
    initial: dict[str, str] = {}
    token = request.GET.get("t", "")
    if token:
        values = signups.prefill_values(token)
        if values is None:
            messages.warning(
                request,
                "We could not read your details from this link (it was changed or is too old). "
                "Please fill them in below.",
            )
        else:
            initial = values
    # The donation the link follows becomes the sign-up's source (the field keeps 40).
    donation = initial.pop(signups.PREFILL_DONATION, "")
    source = f"donation:{donation}"[:40] if donation else "donation"
    context: dict[str, Any] = {"signup": signup, "donation": True, "prefilled": bool(initial)}
    if signup is not None and signup.status == SignupForm.Status.PUBLISHED:
        form = PublicSignupForm(signup, initial=initial)
        context.update(_public_context(request, signup, form, embed=False, source=source))
    else:
        context["closed"] = True
    return render(request, "volunteers/signups/public.html", context)


# Staff: forms ------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


def _units(request: HttpRequest) -> Any:
    return organizing_selectors.org_unit_list().filter(_scope(request).person_filter("path"))


@staff_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    forms = selectors.signup_form_list(scope=_scope(request))
    return render(request, "volunteers/forms/list.html", {"forms": forms})


@staff_required
@require_http_methods(["GET", "POST"])
def form_new(request: HttpRequest) -> HttpResponse:
    editor = SignupFormEditor(request.POST or None, units=_units(request))
    status = 200
    if request.method == "POST":
        status = 400
        if editor.is_valid():
            try:
                signup = services.signup_form_create(actor=request.user, **editor.service_kwargs())
            except ApplicationError as exc:
                editor.add_error(exc.field if exc.field in editor.fields else None, exc.message)
                status = exc.status if exc.status in (403, 409) else 400
            else:
                messages.success(
                    request, f"Created the draft “{signup.title}”. Publish it when ready."
                )
                return redirect("volunteers:form", form_id=signup.pk)
    return render(
        request,
        "volunteers/forms/edit.html",
        {"editor": editor, "signup": None},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    signup = selectors.signup_form_get(scope=_scope(request), form_id=form_id)
    if signup is None:
        raise Http404("No such form.")
    editor = SignupFormEditor(
        request.POST if request.POST.get("action") == "save" else None,
        initial=SignupFormEditor.initial_for(signup),
        units=_units(request),
        editing=True,
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.signup_form_publish(actor=request.user, form_id=signup.pk)
                messages.success(request, f"Published: sign-ups are open at /f/{signup.slug}/.")
                return redirect("volunteers:form", form_id=signup.pk)
            if action == "close":
                services.signup_form_close(actor=request.user, form_id=signup.pk)
                messages.success(request, "Closed: the page now says sign-ups have ended.")
                return redirect("volunteers:form", form_id=signup.pk)
            if action == "clone":
                copy = services.signup_form_clone(actor=request.user, form_id=signup.pk)
                messages.success(request, f"Copied to the draft “{copy.title}”.")
                return redirect("volunteers:form", form_id=copy.pk)
            if action == "save" and editor.is_valid():
                kwargs = editor.service_kwargs()
                services.signup_form_update(actor=request.user, form_id=signup.pk, **kwargs)
                messages.success(request, "Saved.")
                return redirect("volunteers:form", form_id=signup.pk)
            status = 400
        except ApplicationError as exc:
            if action == "save":
                editor.add_error(exc.field if exc.field in editor.fields else None, exc.message)
            else:
                messages.error(request, exc.message)
            status = exc.status if exc.status in (403, 409) else 400
    public_url = request.build_absolute_uri(reverse("signup_public", args=[signup.slug]))
    embed_url = request.build_absolute_uri(reverse("signup_embed", args=[signup.slug]))
    return render(
        request,
        "volunteers/forms/edit.html",
        {
            "editor": editor,
            "signup": signup,
            "public_url": public_url,
            "embed_code": f'<iframe src="{embed_url}" title="{signup.title}" '
            'style="width:100%;min-height:760px;border:0" loading="lazy"></iframe>',
        },
        status=status,
    )


# Staff: the follow-up queue and the live dashboard -----------------------------------------


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue(request)


def _queue(
    request: HttpRequest,
    *,
    failed: tuple[int, FollowUpAttemptForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The queue page; ``failed`` is a call that could not be recorded, shown with its
    problems in place of that entry's blank form."""
    scope = _scope(request)
    show = request.GET.get("show", selectors.QueueShow.DUE)
    if show not in selectors.QueueShow.values:
        show = selectors.QueueShow.DUE
    now = timezone.now()
    follow_ups = services.follow_up_queue_open(actor=request.user, show=show, now=now)
    shifts = _shift_choices(scope, now)
    call_back = services.call_back_suggestion(now)
    entries = []
    for follow_up in follow_ups:
        form = (
            failed[1]
            if failed and failed[0] == follow_up.pk
            else FollowUpAttemptForm(
                prefix=f"f{follow_up.pk}",
                shifts=shifts,
                call_back=call_back,
                initial={"calls_seen": len(follow_up.attempts.all())},
            )
        )
        entries.append((follow_up, selectors.signup_answers(follow_up.submission), form))
    counts = selectors.follow_up_counts(scope=scope, now=now)
    return render(
        request,
        "volunteers/queue.html",
        {
            "entries": entries,
            "show": show,
            "shows": selectors.QueueShow.choices,
            "counts": counts,
            "total": counts[show],
            "now": now,
            "zone": FollowUpAttemptForm.zone(),
        },
        status=status,
    )


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, FollowUpAttemptForm.zone())


def _when(moment: dt.datetime) -> str:
    return f"{_local(moment):%a %b %-d at %-I:%M %p}"


def _shift_choices(scope: StaffScope, now: dt.datetime) -> list[tuple[int, str]]:
    """The shifts a volunteer can be booked onto from the queue: still to come, in the staff
    member's units, soonest first."""
    return [
        (shift.pk, f"{shift.event.title}, {_local(shift.starts_at):%a %b %-d, %-I:%M %p}")
        for shift in events_selectors.shift_list_upcoming(scope=scope, now=now, limit=60)
    ]


def _queue_url(show: str) -> str:
    url = reverse("volunteers:queue")
    if show in selectors.QueueShow.values and show != selectors.QueueShow.DUE:
        url += f"?show={show}"
    return url


@staff_required
@require_POST
def attempt(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """Record a call from the queue page; problems are shown on that entry, with a 4xx."""
    now = timezone.now()
    form = FollowUpAttemptForm(
        request.POST,
        prefix=f"f{follow_up_id}",
        shifts=_shift_choices(_scope(request), now),
        call_back=services.call_back_suggestion(now),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.follow_up_attempt_record(
                actor=request.user,
                follow_up_id=follow_up_id,
                outcome=data["outcome"],
                note=data["note"],
                next_attempt_at=data["next_attempt_at"],
                shift_id=data["shift"],
                calls_seen=data["calls_seen"],
                now=now,
            )
        except errors.NotFound as exc:
            raise Http404(exc.message) from None
        except ApplicationError as exc:
            if exc.field not in form.fields:
                # About the entry, not the form (closed, or called since): the entry as it
                # is now, with the message above the queue.
                messages.error(request, exc.message)
                return _queue(request, status=exc.status)
            form.add_error(exc.field, exc.message)
            return _queue(request, failed=(follow_up_id, form), status=exc.status)
        said = f"{done.follow_up.person.full_name}: {done.get_outcome_display().lower()}"
        if done.next_attempt_at:
            said += f"; call again {_when(done.next_attempt_at)}."
        else:
            said += ". Their entry is closed."
        messages.success(request, said)
        return redirect(_queue_url(request.GET.get("show", "")))
    return _queue(request, failed=(follow_up_id, form), status=400)


@staff_required
@require_POST
def reopen(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        follow_up = services.follow_up_reopen(actor=request.user, follow_up_id=follow_up_id)
    except errors.NotFound as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_queue_url(selectors.QueueShow.CLOSED))
    messages.success(request, f"{follow_up.person.full_name} is back in the queue, due now.")
    return redirect("volunteers:queue")


def _live_chart(live: selectors.SignupLive) -> Any:
    return line_chart(
        "Sign-ups per minute",
        "Sign-ups committed in each of the last 30 minutes (UTC).",
        [f"{minute:%H:%M}" for minute, _ in live.per_minute],
        [("Sign-ups", [n for _, n in live.per_minute])],
        category_label="Minute",
        chart_id="signups-per-minute",
    )


@staff_required
@require_GET
def signup_dashboard(request: HttpRequest) -> HttpResponse:
    live = selectors.signup_live(scope=_scope(request))
    return render(
        request,
        "volunteers/signups/dashboard.html",
        {"live": live, "per_minute_chart": _live_chart(live)},
    )


@staff_required
@require_GET
def signup_live_json(request: HttpRequest) -> JsonResponse:
    """What the dashboard's poll reads: the numbers, and the chart as server-drawn HTML."""
    live = selectors.signup_live(scope=_scope(request))
    now = timezone.now()
    chart_html = render_to_string("core/chart.html", chart(_live_chart(live), caption=False))
    return JsonResponse(
        {
            "last_minute": live.last_minute,
            "last_hour": live.last_hour,
            "total": live.total,
            "pending": live.pending,
            "uncontacted": live.uncontacted,
            "by_state": live.by_state,
            "by_source": live.by_source,
            "oldest": [
                {
                    "name": f.person.full_name,
                    "unit": f.org_unit.name,
                    "source": f.source,
                    "waiting_minutes": int((now - f.created_at).total_seconds() // 60),
                }
                for f in live.oldest
            ],
            "chart_html": chart_html,
            "at": now.isoformat(),
        }
    )
