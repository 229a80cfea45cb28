"""The desk's poll pages: every staff member reads them; adding polls by hand or by file
answers bad input on the page with the reason, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from groundgame.insights import services
from groundgame.insights.models import Poll, PollImport
from tests.helpers import shared_data
from tests.insights.builders import poll_csv, poll_fields, question


@pytest.fixture
def polls(national_analyst: Any) -> None:
    for number, (state, dem, end) in enumerate(
        [
            ("NC", "48", "9/20/24"),
            ("NC", "47", "10/1/24"),
            ("", "49", "10/2/24"),
            ("Ohio", "44", "10/2/24"),
        ],
        start=1,
    ):
        run = services.poll_import_start(
            actor=national_analyst,
            filename="polls.csv",
            content=poll_csv(
                question(number, number, state=state, dem=("Harris", dem), end=end, start=end)
            ).encode(),
            enqueue=False,
        )
        services.poll_import_execute(import_id=run.pk)


def test_a_team_organizer_sees_the_desk_the_table_and_a_states_chart(
    make_staff: Callable[..., Any], client_for: Callable[[Any], Client], campaign: Any, polls: None
) -> None:
    client = client_for(make_staff("tess", role="volunteer_leader", unit=campaign.durham))
    desk = client.get("/insights/")
    assert desk.status_code == 200
    assert b"North Carolina" in desk.content
    table = client.get("/insights/polls/")
    assert table.status_code == 200
    assert b"Ohio" in table.content
    assert b'class="poll-bar"' in table.content
    chart = client.get("/insights/polls/NC/")
    assert chart.status_code == 200
    assert b'class="poll-band-area"' in chart.content
    assert client.get("/insights/polls/US/").status_code == 200
    assert client.get("/insights/polls/Narnia/").status_code == 404
    # A date that is not one is said so, and the latest average shown.
    assert b"is not a date" in client.get("/insights/polls/", {"as_of": "soon"}).content


def test_the_navigation_shows_the_desk_to_every_staff_member(organizer_client: Client) -> None:
    assert b'href="/insights/"' in organizer_client.get("/").content


def test_a_poll_added_by_hand_and_a_bad_one_refused_on_the_page(organizer_client: Client) -> None:
    fields = {k: str(v) for k, v in poll_fields().items()}
    added = organizer_client.post("/insights/polls/new/", fields)
    assert added.status_code == 302
    assert added["Location"] == "/insights/polls/NC/"
    bad = organizer_client.post("/insights/polls/new/", {**fields, "dem_pct": "120"})
    assert bad.status_code == 400
    assert b"dem_pct 120 is not a percentage between 0 and 100" in bad.content
    elsewhere = organizer_client.post("/insights/polls/new/", {**fields, "state": "PA"})
    assert elsewhere.status_code == 400
    assert b"only with a role in a unit of Pennsylvania" in elsewhere.content
    assert Poll.objects.count() == 1


def _upload(client: Client, text: str | bytes) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post("/insights/polls/imports/", {"file": SimpleUploadedFile("polls.csv", data)})


def test_an_upload_shows_its_progress_and_every_line_not_read(
    national_analyst: Any, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(national_analyst)
    answer = _upload(
        client,
        poll_csv(
            question(1, 1),
            question(2, 2, state="Narnia"),
            question(3, 3, rep=("Trump", "101")),
            question(4, 4, start="10/9/24", end="10/3/24"),
        ),
    )
    assert answer.status_code == 302
    run = PollImport.objects.get()
    queued = client.get(answer["Location"])
    assert b'http-equiv="refresh"' in queued.content
    services.poll_import_execute(import_id=run.pk)  # what the task does
    page = client.get(answer["Location"]).content.decode()
    assert "http-equiv" not in page
    assert "unknown state &#x27;Narnia&#x27;" in page
    assert "pct 101 is not a percentage between 0 and 100" in page
    assert "end_date 2024-10-03 is before start_date 2024-10-09" in page
    assert Poll.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("question_id,poll_id,state\n1,1,NC\n", b"lacks the columns pollster, sample_size"),
        (b"\xff\xfe\x00\x00", b"not UTF-8 text"),
    ],
)
def test_an_unreadable_upload_is_refused_with_the_reason(
    national_analyst: Any, client_for: Callable[[Any], Client], content: Any, message: bytes
) -> None:
    answer = _upload(client_for(national_analyst), content)
    assert answer.status_code == 400
    assert message in answer.content
    assert not PollImport.objects.exists()


def test_an_organizer_may_not_upload_a_file(organizer_client: Client) -> None:
    answer = _upload(organizer_client, poll_csv(question(1, 1)))
    assert answer.status_code == 400
    assert b"only with a role in the national unit" in answer.content


@pytest.mark.slow
def test_the_backtest_page_shows_the_figures_beside_the_plain_mean(
    organizer_client: Client,
) -> None:
    shared_data("polls")
    page = organizer_client.get("/insights/polls/backtest/").content.decode()
    assert "How the average did in 2016 and 2020" in page
    for text in ("2016-11-01", "2020-10-27", "Plain mean error", "80% interval held"):
        assert text in page


def test_without_the_public_data_the_backtest_page_says_so(
    organizer_client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.GROUNDGAME_PUBLIC_DATA = str(tmp_path)
    page = organizer_client.get("/insights/polls/backtest/")
    assert page.status_code == 200
    assert b"GROUNDGAME_PUBLIC_DATA" in page.content
