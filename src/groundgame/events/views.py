"""Event pages: the public search, event page, RSVP and cancel (no account), a volunteer's
proposal and host roster; and the staff pages (events, roster, proposals)."""

from __future__ import annotations

import math
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core import client_address
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.events import selectors, services
from groundgame.events.forms import (
    CloneForm,
    EventForm,
    EventSearchForm,
    ProposeForm,
    RsvpForm,
    TimezoneForm,
)
from groundgame.events.models import ShiftSignup
from groundgame.organizing import selectors as organizing_selectors

# The map's drawing area, in SVG user units: square, because the search area is a circle and a
# phone shows the map full width.
MAP_WIDTH, MAP_HEIGHT = 480, 480


def _form_error(form: Any, exc: ApplicationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _status_for(exc: ApplicationError) -> int:
    return exc.status if exc.status in (403, 404, 409, 429) else 400


def _map(search: selectors.EventSearch) -> dict[str, Any] | None:
    """Dots for the in-person results, placed by latitude and longitude around the searched
    ZIP code (an equirectangular projection: true to scale at a campaign's distances)."""
    origin = search.origin
    if origin is None:
        return None
    miles_per_deg_lat = 69.0
    miles_per_deg_lon = 69.0 * math.cos(math.radians(origin.latitude))
    # The circle of the radius fills the height, with room for a dot on its edge.
    scale = (MAP_HEIGHT / 2 - 20) / search.radius_miles
    cx, cy = MAP_WIDTH / 2, MAP_HEIGHT / 2
    dots = []
    for number, result in enumerate(search.results, start=1):
        event = result.event
        if event.latitude is None or event.longitude is None:
            continue
        dx = (event.longitude - origin.longitude) * miles_per_deg_lon * scale
        dy = (event.latitude - origin.latitude) * miles_per_deg_lat * scale
        dots.append(
            {
                "x": round(cx + dx, 1),
                "y": round(cy - dy, 1),
                "number": number,
                "event": event,
                "distance": result.distance_miles,
            }
        )
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "cx": cx,
        "cy": cy,
        "r": round(search.radius_miles * scale, 1),
        "dots": dots,
    }


def event_search(request: HttpRequest) -> HttpResponse:
    form = EventSearchForm(request.GET or None)
    search = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            search = selectors.events_near(
                zip5=form.cleaned_data["zip"],
                radius_miles=form.cleaned_data["radius"] or 25,
                kind=form.cleaned_data["kind"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
            status = 400
    elif form.is_bound:
        status = 400
    if search is None and status == 200:
        search = selectors.events_near()
    return render(
        request,
        "events/search.html",
        {"form": form, "search": search, "map": _map(search) if search else None},
        status=status,
    )


def _shift_label(summary: selectors.ShiftSummary, tz: zoneinfo.ZoneInfo) -> str:
    starts = timezone.localtime(summary.shift.starts_at, tz)
    ends = timezone.localtime(summary.shift.ends_at, tz)
    left = summary.spots_left
    places = f"{left} spot{'s' if left != 1 else ''} left" if left else "full: join the wait list"
    span = f"{starts:%-I:%M %p} to {ends:%-I:%M %p} {ends.tzname()}"
    return f"{starts:%a %b} {starts.day}, {span} ({places})"


@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    detail = selectors.event_public(slug)
    if detail is None:
        raise Http404("No such event.")
    event = detail.event
    tz = zoneinfo.ZoneInfo(event.timezone)
    shifts = [(s.shift.pk, _shift_label(s, tz)) for s in detail.upcoming]
    form = RsvpForm(request.POST if request.method == "POST" else None, shifts=shifts)
    status = 200
    if request.method == "POST":
        wait = services.rsvp_wait(client=client_address.of(request))
        if wait:
            form.add_error(None, "Too many RSVPs from your network just now. Wait a minute.")
            status = 429
        elif form.is_valid():
            try:
                services.rsvp_create(
                    actor=request.user,
                    shift_id=form.cleaned_data["shift"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    zip5=form.cleaned_data["zip5"],
                    source="event page",
                )
            except ApplicationError as exc:
                _form_error(form, exc)
                status = _status_for(exc)
            else:
                # Anyone can type a name and an email: the answer is the same whether that
                # email already had a place or not, and the link to manage the place goes to
                # the email, never to this page.
                return redirect("events:received", slug=slug)
        else:
            status = 400
    return render(
        request,
        "events/detail.html",
        {
            "detail": detail,
            "event": event,
            "form": form,
            "open": event.status == event.Status.PUBLISHED and bool(detail.upcoming),
        },
        status=status,
    )


def rsvp_received(request: HttpRequest, slug: str) -> HttpResponse:
    detail = selectors.event_public(slug)
    if detail is None:
        raise Http404("No such event.")
    return render(request, "events/received.html", {"event": detail.event})


@require_http_methods(["GET", "POST"])
def rsvp_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST cancels. A link preview or a mail scanner fetching the link changes
    nothing."""
    signup = selectors.rsvp_by_token(token)
    if signup is None:
        return render(request, "events/cancel.html", {"signup": None}, status=404)
    done = False
    if request.method == "POST":
        signup = services.rsvp_cancel(actor=request.user, token=token).signup
        done = True
    return render(request, "events/cancel.html", {"signup": signup, "done": done})


@require_http_methods(["GET", "POST"])
def event_propose(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            starts, ends = form.times(selectors.proposal_timezone(data["zip5"]))
            try:
                event = services.event_propose(
                    actor=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    is_virtual=data["is_virtual"],
                    venue=data["venue"],
                    address=data["address"],
                    zip5=data["zip5"],
                    starts_at=starts,
                    ends_at=ends,
                    capacity=data["capacity"],
                    host_first_name=data["host_first_name"],
                    host_last_name=data["host_last_name"],
                    host_email=data["host_email"],
                    host_phone=data["host_phone"],
                )
            except ApplicationError as exc:
                _form_error(
                    form,
                    exc,
                    {
                        "first_name": "host_first_name",
                        "last_name": "host_last_name",
                        "email": "host_email",
                        "phone": "host_phone",
                        "starts_at": "date",
                        "ends_at": "end_time",
                    },
                )
                status = _status_for(exc)
            else:
                return render(request, "events/proposed.html", {"event": event})
        else:
            status = 400
    return render(request, "events/propose.html", {"form": form}, status=status)


def _roster_context(request: HttpRequest, event_id: int, host_token: str = "") -> dict[str, Any]:
    detail = selectors.event_detail(event_id=event_id)
    if detail is None:
        raise Http404("No such event.")
    actor = None if host_token else request.user
    roster = services.event_roster_open(actor=actor, event_id=event_id, host_token=host_token)
    by_shift: dict[int, list[ShiftSignup]] = {}
    for signup in roster:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    return {
        "detail": detail,
        "event": detail.event,
        "shifts": [(s, by_shift.get(s.shift.pk, [])) for s in detail.shifts],
        "attendance_choices": ShiftSignup.Attendance.choices,
        "host_token": host_token,
    }


def _mark_attendance(request: HttpRequest, host_token: str = "") -> None:
    try:
        signup_id = int(request.POST.get("signup", ""))
    except ValueError:
        messages.error(request, "Choose someone to mark.")
        return
    try:
        signup = services.attendance_mark(
            actor=AnonymousUser() if host_token else request.user,
            signup_id=signup_id,
            attendance=request.POST.get("attendance", ""),
            host_token=host_token,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{signup.person.full_name}: {signup.get_attendance_display().lower()}."
        )


@require_http_methods(["GET", "POST"])
def host_roster(request: HttpRequest, token: str) -> HttpResponse:
    """A volunteer host's roster: who is coming, and marking who came, by their host link."""
    event_id = selectors.event_id_for_host_token(token)
    if event_id is None:
        raise Http404("This host link is not valid.")
    if request.method == "POST":
        _mark_attendance(request, host_token=token)
        return redirect("events:host", token=token)
    return render(request, "events/roster.html", _roster_context(request, event_id, token))


# Staff pages ---------------------------------------------------------------------------------


def _unit_choices(request: HttpRequest) -> list[tuple[int, str]]:
    scope = request.staff_scope  # type: ignore[attr-defined]
    units = organizing_selectors.org_unit_list().filter(scope.person_filter("path"))
    return [(u.pk, f"{'· ' * u.depth}{u.name}") for u in units]


def _no_unit() -> Any:
    raise ApplicationError("Choose one of your units.", field="org_unit")


@staff_required
def staff_events(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    past = request.GET.get("when") == "past"
    return render(
        request,
        "events/staff_list.html",
        {
            "rows": selectors.event_list_for_staff(scope=scope, past=past),
            "past": past,
            "pending": len(selectors.event_proposals_pending(scope=scope)),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_event_new(request: HttpRequest) -> HttpResponse:
    units = _unit_choices(request)
    form = EventForm(request.POST if request.method == "POST" else None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            unit = organizing_selectors.org_unit_get(data["org_unit"]) or _no_unit()
            zone = data["timezone"] or organizing_selectors.org_unit_timezone(unit)
            starts, ends = form.times(zone)
            try:
                event = services.event_create(
                    actor=request.user,
                    org_unit=unit,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    is_virtual=data["is_virtual"],
                    venue=data["venue"],
                    address=data["address"],
                    zip5=data["zip5"],
                    timezone_name=zone,
                    shifts=[
                        services.ShiftSpec(
                            starts_at=starts, ends_at=ends, capacity=data["capacity"]
                        )
                    ],
                )
            except ApplicationError as exc:
                _form_error(form, exc, {"starts_at": "date", "ends_at": "end_time"})
                status = _status_for(exc)
            else:
                messages.success(request, f"Published “{event.title}”.")
                return redirect("events:staff_event", event_id=event.pk)
        else:
            status = 400
    return render(request, "events/staff_new.html", {"form": form, "units": units}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """An event's roster: attendance marking, and cloning or cancelling the event."""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "attendance":
                _mark_attendance(request)
            elif action == "clone":
                form = CloneForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Move the copy by 1 to 365 days.")
                else:
                    copy = services.event_clone(
                        actor=request.user,
                        event_id=event_id,
                        days_later=form.cleaned_data["days_later"],
                    )
                    messages.success(request, "Copied. This is the new event.")
                    return redirect("events:staff_event", event_id=copy.pk)
            elif action == "cancel":
                services.event_cancel(actor=request.user, event_id=event_id)
                messages.success(request, "Cancelled; everyone who RSVP'd is being told.")
            elif action == "timezone":
                event = services.event_timezone_set(
                    actor=request.user,
                    event_id=event_id,
                    timezone_name=request.POST.get("timezone", ""),
                )
                messages.success(request, f"Its times are now in {event.timezone}.")
            else:
                messages.error(request, "Unknown action.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("events:staff_event", event_id=event_id)
    try:
        context = _roster_context(request, event_id)
    except ApplicationError as exc:
        if exc.status == 403:
            raise Http404("No such event in your units.") from None
        raise
    context["clone_form"] = CloneForm()
    context["timezone_form"] = TimezoneForm(current=context["event"].timezone)
    return render(request, "events/roster.html", context)


@staff_required
def staff_proposals(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    return render(
        request,
        "events/proposals.html",
        {"proposals": selectors.event_proposals_pending(scope=scope)},
    )


@staff_required
@require_POST
def staff_proposal_decide(request: HttpRequest, event_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, "Choose approve or reject.")
        return redirect("events:proposals")
    try:
        event = services.event_decide(
            actor=request.user, event_id=event_id, approve=decision == "approve"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        verb = "Approved and published" if decision == "approve" else "Declined"
        messages.success(request, f"{verb}: “{event.title}”. The host is being told.")
    return redirect("events:proposals")
