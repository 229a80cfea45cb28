from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.organizing import selectors, services
from groundgame.organizing.forms import LoginForm


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
