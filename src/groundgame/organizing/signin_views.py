"""Staff sign-in: the password, then (when the account has one, or its role requires one) the
second factor, and each staff member's own two-factor page.

Between the password and the second factor the session holds the user's id as *pending*, and
nobody is signed in: ``login()`` is called only when the sign-in is complete, so no page, API
call or admin screen can be reached half way, and no other check is needed on each request.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing import selectors, services
from groundgame.organizing.forms import LoginForm, TwoFactorCodeForm

_PENDING = "groundgame.signin.pending"
# Long enough to find the phone, install an authenticator app and scan the code.
_PENDING_SECONDS = 15 * 60


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signin = services.staff_login(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = _status(exc)
        else:
            target = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
            if signin.next_step == services.SignInStep.DONE:
                login(request, signin.user)
                return redirect(target)
            # A new session key for the half-signed-in session, as login() would give.
            request.session.cycle_key()
            request.session[_PENDING] = {
                "user": signin.user.pk,
                "since": time.time(),
                "next": target,
                "step": signin.next_step.value,
            }
            if signin.next_step == services.SignInStep.CODE:
                return redirect("login_code")
            return redirect("login_enrol")
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "organizing/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def login_code_view(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    pending = _pending(request, services.SignInStep.CODE)
    if pending is None:
        return redirect("login")
    user, target = pending
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.staff_login_second_factor(
                    request=request, user=user, code=form.cleaned_data["code"]
                )
            except ApplicationError as exc:
                form.add_error("code", exc.message)
                status = _status(exc)
            else:
                _complete_sign_in(request, user)
                return redirect(target)
    return render(request, "organizing/login_code.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def login_enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrolment right after the password, for a role that requires a second factor: the
    sign-in completes once the authenticator is confirmed, not before."""
    pending = _pending(request, services.SignInStep.ENROL)
    if pending is None:
        return redirect("login")
    user, target = pending
    return _enrolment(request, user, target, signing_in=True)


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """A signed-in staff member's own second factor: set it up, or replace it."""
    user: User = request.user  # type: ignore[assignment]
    if (
        request.method == "GET"
        and selectors.two_factor_enrolled(user=user)
        and not request.GET.get("replace")
    ):
        return render(
            request,
            "organizing/two_factor.html",
            {"recovery_left": selectors.two_factor_recovery_codes_left(user=user)},
        )
    return _enrolment(request, user, "/", signing_in=False)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def _pending(request: HttpRequest, step: services.SignInStep) -> tuple[User, str] | None:
    """The user whose password was right, when the session is at this step and not stale."""
    pending: dict[str, Any] | None = request.session.get(_PENDING)
    if not pending or pending.get("step") != step.value:
        return None
    if time.time() - float(pending.get("since", 0)) > _PENDING_SECONDS:
        del request.session[_PENDING]
        return None
    user = get_user_model().objects.filter(pk=int(pending["user"]), is_active=True).first()
    if user is None:
        return None
    return user, str(pending.get("next") or "/")


def _complete_sign_in(request: HttpRequest, user: User) -> None:
    """The second factor is given: the session signs in (with a new key) and forgets the
    pending step."""
    del request.session[_PENDING]
    login(request, user)


def _enrolment(request: HttpRequest, user: User, target: str, *, signing_in: bool) -> HttpResponse:
    """The enrolment page: the secret to scan and the code that confirms it; once confirmed,
    the recovery codes, in this answer only (they are never shown again)."""
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = services.two_factor_enrol(
                    request=request,
                    user=user,
                    code=form.cleaned_data["code"],
                    finishes_sign_in=signing_in,
                )
            except ApplicationError as exc:
                form.add_error("code", exc.message)
                status = _status(exc)
            else:
                if signing_in:
                    _complete_sign_in(request, user)
                return render(
                    request,
                    "organizing/two_factor_codes.html",
                    {"codes": codes, "continue_to": target},
                )
    context = {
        "enrolment": services.two_factor_enrolment(user=user),
        "form": form,
        "signing_in": signing_in,
    }
    return render(request, "organizing/two_factor_enrol.html", context, status=status)


def _status(exc: ApplicationError) -> int:
    """A locked account says so with 429; a wrong password or code is an ordinary form error."""
    return 429 if exc.status == 429 else 400


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return "/"
    return target
