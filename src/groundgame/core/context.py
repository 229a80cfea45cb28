"""Template context shared by every staff page: the navigation and who is signed in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import reverse

from groundgame import __version__
from groundgame.core import request_context

logger = logging.getLogger(__name__)

# Sections of the top bar, each with its pages: (label, url name, who sees it), "staff" for
# everyone with a role, "admin" for national admins. A section links to its first page; the
# pages of the current section show in a row under the top bar.
NAVIGATION: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Home", (("Campaign health", "home", "staff"),)),
    (
        "People",
        (
            ("People", "people:list", "staff"),
            ("Universes", "people:universes", "staff"),
            ("Geocoding", "people:geocode", "admin"),
        ),
    ),
    (
        "Organizing",
        (
            ("Organization", "org_tree", "staff"),
            ("Volunteers", "volunteers:queue", "staff"),
            ("Events", "events:staff_list", "staff"),
        ),
    ),
    (
        "Field",
        (
            ("Reporting", "field_reports:reporting", "staff"),
            ("Turfs", "field:home", "staff"),
            ("Scripts", "content:library", "staff"),
            ("Approvals", "content:queue", "staff"),
            ("Materials", "field_reports:materials", "staff"),
            ("Review", "field_review:review", "staff"),
        ),
    ),
    (
        "Messaging",
        (("Mailings", "messaging:mailings", "staff"), ("List health", "list_health:page", "staff")),
    ),
    (
        "Money",
        (
            ("Donations", "money:ledger", "staff"),
            ("Over the limit", "money:limits", "staff"),
            ("ActBlue import", "actblue_csv_import", "staff"),
            ("Where the money went", "money:spending", "staff"),
            ("Budget", "money:budget", "staff"),
            ("Cash flow", "money:cashflow", "staff"),
            ("Appeals", "money:appeals", "staff"),
            ("FEC reports", "money:fec", "staff"),
        ),
    ),
    (
        "Insights",
        (
            ("Election desk", "insights:desk", "staff"),
            ("Polls", "insights:polls", "staff"),
            ("Message tests", "insights:tests", "staff"),
            ("Issues", "insights:issues", "staff"),
            ("Programs", "insights:programs", "staff"),
            ("Turnout propensity", "insights:propensity", "staff"),
        ),
    ),
    ("Audit log", (("Audit log", "audit:list", "admin"),)),
)


@dataclass
class NavLink:
    label: str
    url: str
    current: bool = False


@dataclass
class NavSection:
    label: str
    pages: list[NavLink]
    current: bool = False

    @property
    def url(self) -> str:
        return self.pages[0].url


def _visible(audience: str, *, is_staff: bool, is_admin: bool) -> bool:
    return is_admin if audience == "admin" else is_staff


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
    sections = [
        NavSection(
            label=section,
            pages=[
                NavLink(label, reverse(name))
                for label, name, audience in pages
                if _visible(audience, is_staff=is_staff, is_admin=is_admin)
            ],
        )
        for section, pages in NAVIGATION
    ]
    sections = [section for section in sections if section.pages]
    # The current page is the one whose address is the longest prefix of the request's:
    # /people/universes/ is Universes, not also People.
    matches = [
        (len(link.url), link, section)
        for section in sections
        for link in section.pages
        if (request.path == link.url if link.url == "/" else request.path.startswith(link.url))
    ]
    if matches:
        _length, link, section = max(matches, key=lambda match: match[0])
        link.current = section.current = True
    context["nav_items"] = sections
    current = next((section for section in sections if section.current), None)
    context["nav_section"] = current
    context["nav_pages"] = current.pages if current and len(current.pages) > 1 else []
    context["user_roles"] = roles
    return context
