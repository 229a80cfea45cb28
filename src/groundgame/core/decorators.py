"""Decorators of views: access for staff pages, and the page's Content-Security-Policy.

They read ``request.staff_scope``, which the organizing app's middleware attaches, so that the
kernel needs no knowledge of roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from csp import decorators as csp_decorators
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous visitors go to the sign-in page; accounts without a staff role get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.staff_scope.is_staff:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.staff_scope.is_admin:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def csp_update(directives: dict[str, list[str]]) -> Callable[[View], View]:
    """Add sources to the Content-Security-Policy of one view's pages (django-csp's
    ``csp_update``, typed for views that take arguments after the request)."""
    return cast(Callable[[View], View], csp_decorators.csp_update(directives))


def csp_replace(directives: dict[str, list[str]]) -> Callable[[View], View]:
    """Replace directives of the Content-Security-Policy for one view's pages."""
    return cast(Callable[[View], View], csp_decorators.csp_replace(directives))
