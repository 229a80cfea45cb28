from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from groundgame.core.decorators import staff_required
from groundgame.core.errors import NotFound
from groundgame.organizing import selectors as organizing
from groundgame.people import selectors, services


@staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    query = request.GET.get("q", "")[:100]
    people = selectors.person_list(scope=scope, query=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {"page": page, "query": query, "can_see_people": scope.everywhere or bool(scope.person_paths)},
    )


@staff_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = services.person_open(actor=request.user, person_id=person_id)
    except NotFound:
        raise Http404("No such person in your units.") from None
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "voter": getattr(person, "voter_record", None),
            "history": selectors.person_vote_history(person),
            "memberships": organizing.person_unit_memberships(person.pk),
        },
    )
