from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from groundgame.core.decorators import staff_required
from groundgame.core.errors import NotFound
from groundgame.organizing import selectors as organizing
from groundgame.people import selectors, services

# The general elections shown in a person's vote-history grid.
HISTORY_YEARS = (2016, 2020, 2024)


@staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    query = request.GET.get("q", "")[:100].strip()
    people = selectors.person_list(scope=scope, query=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "query": query,
            "can_see_people": scope.everywhere or bool(scope.person_paths),
            "everywhere": scope.everywhere,
            "query_string": urlencode({"q": query}) if query else "",
        },
    )


def _age(born: dt.date | None) -> int | None:
    if born is None:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@staff_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = services.person_open(actor=request.user, person_id=person_id)
    except NotFound:
        raise Http404("No such person in your units.") from None
    history = selectors.person_vote_history(person)
    by_year = {vote.election_date.year: vote for vote in history}
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "age": _age(person.birth_date),
            "voter": getattr(person, "voter_record", None),
            "history": history,
            "history_grid": [(year, by_year.get(year)) for year in HISTORY_YEARS],
            "memberships": organizing.person_unit_memberships(person.pk),
        },
    )
