"""The public unsubscribe page (no account: the signed link is the key), the RFC 8058
one-click endpoint that mail clients POST to, and the staff side: a person's consent changed
on their behalf (subscriptions, do-not-contact) and the topics page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.consent import links, selectors, services
from groundgame.consent.forms import TopicForm
from groundgame.consent.models import Channel, Subscription
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

STAFF_SOURCE = "staff"


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/link_invalid.html", status=400)


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = links.read_token(token)
    if target is None or target.channel not in Channel.values:
        return _invalid(request)
    topic = selectors.topic_get(target.topic_key)
    saved = ""
    error = ""
    if request.method == "POST":
        choice = request.POST.get("choice", "topics")
        try:
            services.preferences_save(
                token=token,
                keep_topics=request.POST.getlist("keep"),
                leave_channel=choice == "channel",
                do_not_contact=choice == "everything",
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            saved = choice
    subscribed = selectors.subscribed_topic_keys(person_id=target.person_id, channel=target.channel)
    return render(
        request,
        "consent/unsubscribe.html",
        {
            "channel": Channel(target.channel),
            "topic": topic,
            "topics": list(selectors.topic_list()),
            "subscribed": subscribed,
            "saved": saved,
            "error": error,
            "organization": settings.GROUNDGAME_ORGANIZATION,
            "postal_address": settings.GROUNDGAME_POSTAL_ADDRESS,
        },
        status=422 if error else 200,
    )


@csrf_exempt  # mail clients POST here without a form of ours: the signed link is the check
@require_http_methods(["POST"])
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.one_click_unsubscribe(token=token)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return HttpResponse("Unsubscribed.", content_type="text/plain")


# Staff ----------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


def _person_in_scope(request: HttpRequest, person_id: int) -> None:
    """Staff change the consent of people in their units only; others are not found."""
    if not people_selectors.person_list(scope=_scope(request)).filter(pk=person_id).exists():
        raise Http404("No such person in your units.")


def _back_to_person(person_id: int) -> HttpResponse:
    return redirect(reverse("people:detail", args=[person_id]) + "#consent")


@staff_required
@require_POST
def person_subscriptions(request: HttpRequest, person_id: int) -> HttpResponse:
    """Subscriptions changed on the person's behalf (they asked by phone, at the door ...).

    The form has one choice per channel and topic, named ``sub:<channel>:<topic>``; only the
    ones that differ from the current status are changed, all or none.
    """
    _person_in_scope(request, person_id)
    current = selectors.person_consent(person_id=person_id, history=0)
    status = {(c.channel, t.key): s for c in current.channels for t, s in c.topics}
    wanted: dict[tuple[str, str], list[str]] = {}
    for name, value in request.POST.items():
        if not name.startswith("sub:") or not value:
            continue
        _, channel, topic_key = [*name.split(":", 2), "", ""][:3]
        if value not in Subscription.Status.values:
            return HttpResponse(f"Unknown choice {value!r} for {name}.", status=400)
        if status.get((channel, topic_key)) != value:
            wanted.setdefault((channel, value), []).append(topic_key)
    changed = 0
    try:
        with transaction.atomic():
            for (channel, value), topic_keys in sorted(wanted.items()):
                change = (
                    services.subscription_join
                    if value == Subscription.Status.SUBSCRIBED
                    else services.subscription_leave
                )
                changed += change(
                    person_id=person_id,
                    channel=channel,
                    topic_keys=topic_keys,
                    source=STAFF_SOURCE,
                    actor=request.user,
                )
    except ApplicationError as exc:
        messages.error(request, f"Nothing was changed: {exc.message}")
    else:
        if changed:
            messages.success(
                request, f"Saved {changed} change{'s' if changed != 1 else ''} of subscription."
            )
        else:
            messages.info(request, "Nothing to change: the choices were as they are.")
    return _back_to_person(person_id)


@staff_required
@require_POST
def person_do_not_contact(request: HttpRequest, person_id: int) -> HttpResponse:
    """Put a person on the do-not-contact list (``action=set``) or lift it (``action=clear``),
    with the reason recorded either way."""
    _person_in_scope(request, person_id)
    reason = request.POST.get("reason", "")
    action = request.POST.get("action")
    try:
        if action == "set":
            services.do_not_contact_set(
                person_id=person_id, reason=reason, source=STAFF_SOURCE, actor=request.user
            )
            messages.success(request, "On the do-not-contact list: no channel reaches them now.")
        elif action == "clear":
            services.do_not_contact_clear(actor=request.user, person_id=person_id, reason=reason)
            messages.success(
                request, "Do-not-contact lifted; their subscriptions and opt-outs apply again."
            )
        else:
            return HttpResponse("Choose to set or lift the do-not-contact.", status=400)
    except ApplicationError as exc:
        messages.error(request, f"Not saved: {exc.message}")
    return _back_to_person(person_id)


@staff_required
@require_http_methods(["GET", "POST"])
def topic_list(request: HttpRequest) -> HttpResponse:
    """The topics people subscribe to, and a form to add one."""
    scope = _scope(request)
    # Adding a topic changes what every unsubscribe page offers: national admins only.
    may_add = scope.is_admin
    form = TopicForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not may_add:
            return HttpResponse("Only national admins add topics.", status=403)
        status = 422
        if form.is_valid():
            try:
                topic = services.topic_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status if 400 <= exc.status < 500 else 400
            else:
                messages.success(request, f"Added the topic “{topic.name}”.")
                return redirect("consent:topics")
    return render(
        request,
        "consent/topics.html",
        {"topics": selectors.topic_list(), "form": form, "may_add": may_add},
        status=status,
    )
