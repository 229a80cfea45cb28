"""The public unsubscribe page (no account: the signed link is the key) and the RFC 8058
one-click endpoint that mail clients POST to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from groundgame.consent import links, selectors, services
from groundgame.consent.models import Channel
from groundgame.core.errors import ApplicationError


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
