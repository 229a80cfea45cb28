"""Template context shared by every staff page: the navigation and who is signed in."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import reverse

from groundgame import __version__
from groundgame.core import request_context

logger = logging.getLogger(__name__)

# (label, url name, who sees it): "staff" for everyone with a role, "admin" for national admins.
NAVIGATION = (
    ("Home", "home", "staff"),
    ("People", "people:list", "staff"),
    ("Universes", "people:universes", "staff"),
    ("Organizing", "org_tree", "staff"),
    ("Events", "events:staff_list", "staff"),
    ("Volunteers", "volunteers:queue", "staff"),
    ("Field", "field:home", "staff"),
    ("Scripts", "content:library", "staff"),
    ("Messaging", "messaging:mailings", "staff"),
    ("List health", "list_health:page", "staff"),
    ("Audit log", "audit:list", "admin"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    ctx = request_context.current()
    context: dict[str, Any] = {
        "nav_items": [],
        "app_version": __version__,
        "user_roles": (),
        # Shown on error pages, so a report to an admin can be matched with the server log.
        "request_id": ctx.request_id if ctx else "",
    }
    user = getattr(request, "user", None)  # absent when a request fails before authentication
    if user is None or not user.is_authenticated:
        return context
    try:
        scope = getattr(request, "staff_scope", None)
        is_staff = bool(scope and scope.is_staff)
        is_admin = bool(scope and scope.is_admin)
        roles = tuple(scope.roles) if scope else ()
    except DatabaseError:
        # The error page must render even when the database is what failed; it then shows
        # no navigation rather than failing a second time.
        logger.warning("navigation skipped: the staff scope could not be read", exc_info=True)
        return context
    items = []
    for label, name, audience in NAVIGATION:
        if audience == "staff" and not is_staff:
            continue
        if audience == "admin" and not is_admin:
            continue
        url = reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    # Only the most specific match is current: /people/universes/ is not also People.
    longest = max((len(str(item["url"])) for item in items if item["current"]), default=0)
    for item in items:
        item["current"] = bool(item["current"]) and len(str(item["url"])) == longest
    context["nav_items"] = items
    context["user_roles"] = roles
    return context
