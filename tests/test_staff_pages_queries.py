"""Every staff page answers a national admin on the seeded campaign within a bound on its
queries, so that a page which starts to query once per row (an N+1) fails here.

The pages are found from the URL conf: every view behind ``staff_required`` or
``admin_required`` that answers GET. A new staff page fails
``test_every_staff_page_has_a_bound`` until it is given a bound in ``BOUNDS``. A bound is a
little above what the page does today; when a page rightly does more, raise its bound in the
same change and say why (docs/testing.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from groundgame.content.models import ContentItem
from groundgame.events import services as events
from groundgame.field.models import Turf, TurfCut
from groundgame.insights import services as insights
from groundgame.insights.models import PollImport, SurveyTest
from groundgame.integrations.actblue.models import ImportRun
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing
from groundgame.money.models import Contribution
from groundgame.organizing.models import OrgUnit
from groundgame.people.models import GeocodeRun, Person, Universe, VoterImport
from groundgame.volunteers import services as volunteers
from tests.conftest import SeededCampaign
from tests.people.builders import possible_duplicate

# url name: the most queries its page may make for a national admin on the seeded campaign.
BOUNDS: dict[str, int] = {
    "money:spending": 12,
    "money:spending_csv": 12,
    "money:budget": 14,
    "money:disbursements_csv": 6,
    "money:cashflow": 26,  # the forecast computed once when none is kept yet
    "money:cashflow_csv": 28,  # the forecast computed once when none is kept yet
    # the counts, list health, the tests awaiting a decision (each read), programs running with
    # holdouts, the polling average, turnout against goal, and the money cards
    "home": 86,
    "org_tree": 7,
    "org_unit": 11,
    "two_factor": 6,  # the account and its TOTP and recovery devices
    "volunteers:queue": 12,
    "volunteers:forms": 6,
    "volunteers:form_new": 6,
    "volunteers:form": 7,
    "volunteers:signups": 14,
    "volunteers:signups_live": 14,
    "people:list": 8,
    # the Activity card (a read per app and kind of record) and the donor card (the
    # viewer's finance scope, unit path, gifts)
    "people:detail": 30,
    "people:person_export": 31,
    "people:imports": 7,
    "people:geocode": 7,
    "people:geocode_run": 7,
    "people:import_report": 7,
    "people:reviews": 7,
    "people:review": 16,
    "people:universes": 6,
    "people:universe_new": 9,
    "people:universe_count": 7,
    "people:universe": 10,
    "people:universe_export": 11,
    "events:staff_list": 7,
    "events:staff_new": 6,
    "events:proposals": 6,
    "events:staff_event": 13,
    "audit:list": 7,
    "content:library": 8,
    "content:item": 10,
    "content:queue": 22,
    "content:delegations": 7,
    "field_review:review": 9,
    "field:home": 8,
    "field:cut": 14,  # the counts of the whole cut, and the door caps read twice
    "field:turf": 18,  # the door caps, read by the refusals and by the walk
    "field:walk_sheet": 17,  # the door caps, read by the refusals and by the walk
    "field_reports:reporting": 21,  # the first-call figures and the answers at the door
    "field_reports:materials": 8,
    "consent:topics": 6,
    "messaging:mailings": 8,
    "messaging:mailing_new": 8,
    "messaging:frequency_caps": 6,
    "messaging:mailing": 8,
    "insights:propensity": 8,
    "insights:programs": 10,
    "insights:program": 14,
    "insights:program_assignments_csv": 8,
    "insights:program_lift_csv": 8,
    "messaging:mailing_edit": 11,
    "messaging:mailing_progress": 8,
    "messaging:mailing_variants": 6,
    "list_health:page": 67,
    "money:ledger": 15,
    "money:ledger_csv": 9,
    "money:contribution": 10,
    "money:limits": 10,
    "money:appeals": 14,  # the kept returns, the forms' units and appeals
    "money:fec": 10,
    "actblue_csv_import": 7,
    "actblue_csv_import_run": 6,
    "insights:tests": 16,  # each mailing test read: its variants, counts and outcomes
    "insights:message_test": 13,
    "insights:message_test_export": 12,
    "insights:survey_test": 7,
    "insights:issues": 14,
    "insights:issues_export": 13,
    "insights:issue_messages": 11,
    "insights:desk": 8,
    "insights:polls": 8,
    "insights:poll_place": 10,
    "insights:poll_new": 5,
    "insights:poll_imports": 6,
    "insights:poll_import": 8,
    "insights:polls_backtest": 5,  # the figures kept a day in the cache
    "insights:turnout": 8,
    "insights:results": 10,
}

_GUARDS = {"staff_required.<locals>.wrapper", "admin_required.<locals>.wrapper"}


def _patterns(
    patterns: list[Any], namespace: tuple[str, ...] = ()
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield ":".join((*namespace, pattern.name)), pattern


def _layers(view: Any) -> Iterator[Any]:
    while view is not None:
        yield view
        view = getattr(view, "__wrapped__", None)


def _closure(view: Any) -> dict[str, Any]:
    cells = view.__closure__ or ()
    return dict(zip(view.__code__.co_freevars, (c.cell_contents for c in cells), strict=True))


def staff_pages() -> set[str]:
    """The names of the URL conf's staff views that answer GET (the others are actions)."""
    found = set()
    for name, pattern in _patterns(get_resolver().url_patterns):
        layers = [v for v in _layers(pattern.callback) if hasattr(v, "__code__")]
        if not any(v.__code__.co_qualname in _GUARDS for v in layers):
            continue
        methods = [
            _closure(v)["request_method_list"]
            for v in layers
            if v.__code__.co_qualname.startswith("require_http_methods.")
        ]
        if all("GET" in m for m in methods):
            found.add(name)
    return found


def test_every_staff_page_has_a_bound() -> None:
    pages = staff_pages()
    assert pages - BOUNDS.keys() == set(), "staff pages without a query bound: add them"
    assert BOUNDS.keys() - pages == set(), "bounds for pages that are no longer staff pages"


@pytest.fixture
def urls(seeded_campaign: SeededCampaign, db: None) -> dict[str, str]:
    """A real address for every staff page: the seeded campaign's objects, and the few kinds
    it has none of (a sign-up form, an event, a review, a voter-file run) made here."""
    national = OrgUnit.objects.get(kind="national")
    team = OrgUnit.objects.filter(kind="team").order_by("pk").first()
    assert team is not None
    form = volunteers.signup_form_create(actor=None, title="Join us", org_unit=national)
    starts = timezone.now() + dt.timedelta(days=3)
    event = events.event_create(
        actor=None,
        org_unit=team,
        title="Saturday canvass",
        kind="canvass",
        zip5="27701",
        shifts=[events.ShiftSpec(starts, starts + dt.timedelta(hours=3), 4)],
    )
    person = Person.objects.filter(org_unit=team).order_by("pk").first()
    assert person is not None
    review = possible_duplicate({"city": "Durham", "state": "NC", "zip5": "27701"})[1].review
    run = VoterImport.objects.create(
        layout="nc", state="NC", voters_file="ncvoter.txt", fingerprint="0" * 64
    )
    geocoding = GeocodeRun.objects.create(benchmark="Public_AR_Current", households=10)
    universe = Universe.objects.order_by("pk").first()
    assert universe is not None
    mailing = Mailing.objects.order_by("pk").first()
    draft = messaging.mailing_create(
        actor=None,
        name="Canvass this weekend",
        channel="email",
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="This weekend",
        body="Hi {{ first_name }}, join us on Saturday.",
    )
    turf = Turf.objects.order_by("pk").first()
    cut = TurfCut.objects.order_by("pk").first()
    item = ContentItem.objects.order_by("pk").first()
    contribution = Contribution.objects.order_by("pk").first()
    assert contribution is not None
    import_run = ImportRun.objects.create(filename="export.csv", rows=10, done=4)
    tested = Mailing.objects.filter(variant_seed__isnull=False).order_by("pk").first()
    assert tested is not None
    survey = SurveyTest.objects.order_by("pk").first()
    assert survey is not None
    poll_import = PollImport.objects.order_by("pk").first()
    program = insights.program_create(
        actor=None,
        name="Mail with a holdout",
        universe_id=universe.pk,
        org_unit_id=national.pk,
        holdout_percent=10,
    )
    insights.program_holdout_draw(actor=None, program_id=program.pk, seed=1)
    ids: dict[str, Callable[[], Any]] = {
        "org_unit": lambda: {"unit_id": team.pk},
        "volunteers:form": lambda: {"form_id": form.pk},
        "people:detail": lambda: {"person_id": person.pk},
        "people:person_export": lambda: {"person_id": person.pk},
        "people:import_report": lambda: {"run_id": run.pk},
        "people:geocode_run": lambda: {"run_id": geocoding.pk},
        "people:review": lambda: {"review_id": review.pk},
        "people:universe": lambda: {"universe_id": universe.pk},
        "people:universe_export": lambda: {"universe_id": universe.pk},
        "events:staff_event": lambda: {"event_id": event.pk},
        "content:item": lambda: {"item_id": item.pk},
        "field:cut": lambda: {"cut_id": cut.pk},
        "field:turf": lambda: {"turf_id": turf.pk},
        "field:walk_sheet": lambda: {"turf_id": turf.pk},
        "messaging:mailing": lambda: {"mailing_id": mailing.pk},
        "messaging:mailing_edit": lambda: {"mailing_id": draft.pk},
        "messaging:mailing_progress": lambda: {"mailing_id": mailing.pk},
        "money:contribution": lambda: {"contribution_id": contribution.pk},
        "actblue_csv_import_run": lambda: {"run_id": import_run.pk},
        "messaging:mailing_variants": lambda: {"mailing_id": draft.pk},
        "insights:message_test": lambda: {"mailing_id": tested.pk},
        "insights:message_test_export": lambda: {"mailing_id": tested.pk},
        "insights:survey_test": lambda: {"test_id": survey.pk},
        "insights:poll_place": lambda: {"place": "PA"},
        "insights:poll_import": lambda: {"import_id": poll_import.pk},
        "insights:program": lambda: {"program_id": program.pk},
        "insights:program_assignments_csv": lambda: {"program_id": program.pk},
        "insights:program_lift_csv": lambda: {"program_id": program.pk},
    }
    queries = {"people:universe_count": '?spec={"state": ["NC"]}'}
    return {
        name: reverse(name, kwargs=ids[name]() if name in ids else None) + queries.get(name, "")
        for name in BOUNDS
    }


@pytest.fixture
def admin_client(seeded_campaign: SeededCampaign, db: None) -> Client:
    """The seeded campaign's demo account: a national admin."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    # A session's first request stamps when it began (the session timeout); the bounds count
    # the pages themselves, as staff browsing from page to page load them.
    client.get("/healthz")
    return client


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_a_staff_page_stays_within_its_queries(
    name: str,
    urls: dict[str, str],
    admin_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(BOUNDS[name]):
        response = admin_client.get(urls[name])
    assert response.status_code == 200, (urls[name], response.status_code)
