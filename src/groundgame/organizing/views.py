from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing import selectors, services
from groundgame.organizing.forms import GrantRoleForm, LoginForm, NewStaffForm


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_login(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            # A locked account says so with 429; a wrong password is an ordinary form error.
            status = 429 if exc.status == 429 else 400
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "organizing/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@staff_required
def org_tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.org_unit_tree()
    return render(
        request,
        "organizing/tree.html",
        {
            "roots": roots,
            "volunteers_total": sum(node.volunteers_total for node in roots),
            "units_total": selectors.org_unit_list().count(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit: its place in the tree, its children, its staff; managers give and take roles."""
    detail = selectors.org_unit_detail(unit_id)
    if detail is None:
        raise Http404("No such unit.")
    scope = request.staff_scope  # type: ignore[attr-defined]
    grant_form = GrantRoleForm(prefix="grant")
    new_form = NewStaffForm(prefix="new")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form: GrantRoleForm | NewStaffForm | None = None
        try:
            if action == "grant":
                form = grant_form = GrantRoleForm(request.POST, prefix="grant")
                if form.is_valid():
                    grant = services.staff_role_grant_to(
                        actor=request.user,
                        username=form.cleaned_data["username"],
                        org_unit=detail.unit,
                        role=form.cleaned_data["role"],
                    )
                    messages.success(
                        request,
                        f"{grant.user.get_username()} is now {grant.get_role_display()} "
                        f"of {detail.unit.name}.",
                    )
                    return redirect("org_unit", unit_id=unit_id)
            elif action == "new":
                form = new_form = NewStaffForm(request.POST, prefix="new")
                if form.is_valid():
                    services.staff_onboard(
                        actor=request.user,
                        org_unit=detail.unit,
                        username=form.cleaned_data["username"],
                        email=form.cleaned_data["email"],
                        password=form.cleaned_data["password"],
                        role=form.cleaned_data["role"],
                    )
                    messages.success(request, f"Created {form.cleaned_data['username']}.")
                    return redirect("org_unit", unit_id=unit_id)
            elif action == "revoke":
                held = selectors.staff_role_get(_int(request.POST.get("grant_id")))
                if held is None or held.org_unit_id != detail.unit.pk:
                    raise Http404("No such role here.")
                services.staff_role_revoke(actor=request.user, grant=held)
                messages.success(
                    request, f"{held.user.get_username()} is no longer {held.get_role_display()}."
                )
                return redirect("org_unit", unit_id=unit_id)
            else:
                return HttpResponseBadRequest("Unknown action.")
        except ApplicationError as exc:
            if form is not None:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.error(request, exc.message)
            status = exc.status if exc.status == 403 else 400
        else:
            status = 400
    return render(
        request,
        "organizing/unit.html",
        {
            "detail": detail,
            "can_manage": scope.may_grant(detail.unit.path, "organizer"),
            "grant_form": grant_form,
            "new_form": new_form,
        },
        status=status,
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
