"""Template context shared by every staff page: the navigation and who is signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# (label, url name, who sees it): "staff" for everyone with a role, "admin" for national admins.
NAVIGATION = (
    ("Home", "home", "staff"),
    ("People", "people:list", "staff"),
    ("Organizing", "org_tree", "staff"),
    ("Audit log", "audit:list", "admin"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "staff_scope", None)
    items = []
    for label, name, audience in NAVIGATION:
        if audience == "admin" and not (scope and scope.is_admin):
            continue
        url = reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
