from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing import selectors, services
from groundgame.organizing.forms import GrantRoleForm, NewStaffForm


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
            elif action == "reset_two_factor":
                held = selectors.staff_role_get(_int(request.POST.get("grant_id")))
                if held is None or held.org_unit_id != detail.unit.pk:
                    raise Http404("No such role here.")
                services.two_factor_reset(actor=request.user, user=held.user)
                messages.success(
                    request,
                    f"{held.user.get_username()} signs in with their password alone until they "
                    "set up two-factor sign-in again.",
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
            # Only national admins reset a second factor (services.two_factor_reset).
            "can_reset_two_factor": scope.is_admin,
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
