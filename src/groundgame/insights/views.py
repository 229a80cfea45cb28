"""Pages of message tests (``/insights/tests/``) and of voters' issues against the campaign's
message (``/insights/issues/``). Readings are aggregates, open to every staff member; writes
(a test's rule, outcomes, waves, decisions, topics) go through the services, which check the
writer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.content import selectors as content_selectors
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.core.exports import Writer
from groundgame.core.templatetags.charts import Chart, bar_chart, line_chart
from groundgame.insights import forms, selectors, services
from groundgame.insights.issues_gap import IssueGap
from groundgame.insights.message_tests_reading import MessageTestReading, SurveyTestReading
from groundgame.messaging import selectors as messaging_selectors
from groundgame.organizing import selectors as organizing
from groundgame.organizing.selectors import StaffScope

WEEKS = (4, 8, 13, 26)


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


def _csv(filename: str) -> tuple[HttpResponse, Writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, Writer(response)


# Message tests -------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def tests_home(request: HttpRequest) -> HttpResponse:
    units = organizing.org_unit_choices(_scope(request))
    form = forms.SurveyTestForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                test = services.survey_test_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    measure=form.cleaned_data["measure"],
                    org_unit_id=form.cleaned_data["org_unit"],
                    rule=form.cleaned_data["rule"],
                    planned_per_arm=form.cleaned_data["planned_per_arm"],
                )
            except ApplicationError as exc:
                forms.add_service_error(form, exc)
                status = exc.status
            else:
                return redirect("insights:survey_test", test_id=test.pk)
        else:
            status = 422
    return render(
        request,
        "insights/tests.html",
        {
            "mailing_tests": selectors.message_test_list(),
            "survey_tests": selectors.survey_test_list(),
            "form": form,
            "may_write": bool(units),
        },
        status=status,
    )


def _reading_or_404(mailing_id: int) -> MessageTestReading:
    reading = selectors.message_test_reading(mailing_id)
    if reading is None:
        raise Http404("This mailing tests no variants.")
    return reading


def _message_test_page(
    request: HttpRequest,
    reading: MessageTestReading,
    *,
    status: int = 200,
    register_form: forms.RegisterForm | None = None,
    outcomes_form: forms.OutcomesForm | None = None,
    report: services.OutcomeReport | None = None,
    decide_error: str = "",
) -> HttpResponse:
    mailing = messaging_selectors.mailing_get(reading.mailing_id)
    initial = {"metric": "value", "rule": reading.rule, "planned_per_variant": reading.planned}
    return render(
        request,
        "insights/message_test.html",
        {
            "reading": reading,
            "mailing": mailing,
            "registrable": reading.status in ("draft", "scheduled"),
            "register_form": register_form or forms.RegisterForm(initial=initial),
            "outcomes_form": outcomes_form or forms.OutcomesForm(),
            "report": report,
            "decide_error": decide_error,
            "chart": _variants_chart(reading),
        },
        status=status,
    )


def _variants_chart(reading: MessageTestReading) -> Chart | None:
    if not any(v.sent for v in reading.variants):
        return None
    return bar_chart(
        f"Rates per variant, {reading.name}",
        "Share of recipients who opened, clicked, gave and unsubscribed, per variant.",
        ["Opened", "Clicked", "Gave", "Unsubscribed"],
        [
            (v.label, [v.opens.value, v.clicks.value, v.donors.value, v.unsubscribes.value])
            for v in reading.variants
        ],
        value_format="percent",
        category_label="Outcome",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def message_test(request: HttpRequest, mailing_id: int) -> HttpResponse:
    reading = _reading_or_404(mailing_id)
    if request.method == "GET":
        return _message_test_page(request, reading)
    form = forms.RegisterForm(request.POST)
    if not form.is_valid():
        return _message_test_page(request, reading, status=422, register_form=form)
    try:
        services.message_test_register(
            actor=request.user,
            mailing_id=mailing_id,
            metric=form.cleaned_data["metric"],
            rule=form.cleaned_data["rule"],
            planned_per_variant=form.cleaned_data["planned_per_variant"],
        )
    except ApplicationError as exc:
        forms.add_service_error(form, exc)
        return _message_test_page(request, reading, status=exc.status, register_form=form)
    messages.success(request, "The test's rule is registered.")
    return redirect("insights:message_test", mailing_id=mailing_id)


@staff_required
@require_POST
def message_test_outcomes(request: HttpRequest, mailing_id: int) -> HttpResponse:
    reading = _reading_or_404(mailing_id)
    form = forms.OutcomesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _message_test_page(request, reading, status=422, outcomes_form=form)
    try:
        text = form.text()
        report = services.message_outcomes_import(
            actor=request.user, mailing_id=mailing_id, text=text
        )
    except DjangoValidationError as exc:
        form.add_error("file", exc)
        return _message_test_page(request, reading, status=422, outcomes_form=form)
    except ApplicationError as exc:
        forms.add_service_error(form, exc)
        return _message_test_page(request, reading, status=exc.status, outcomes_form=form)
    if report.problems:
        return _message_test_page(request, reading, status=422, outcomes_form=form, report=report)
    messages.success(
        request,
        f"{report.added:,} outcome{'s' if report.added != 1 else ''} recorded"
        f"{f', {report.unchanged:,} already there' if report.unchanged else ''}.",
    )
    return redirect("insights:message_test", mailing_id=mailing_id)


@staff_required
@require_POST
def message_test_decide(request: HttpRequest, mailing_id: int) -> HttpResponse:
    reading = _reading_or_404(mailing_id)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        return _message_test_page(request, reading, status=422, decide_error="Name a variant.")
    try:
        services.message_test_decide(
            actor=request.user, mailing_id=mailing_id, variant_label=form.cleaned_data["variant"]
        )
    except ApplicationError as exc:
        return _message_test_page(request, reading, status=exc.status, decide_error=exc.message)
    messages.success(request, f"Variant {form.cleaned_data['variant']} recorded as the winner.")
    return redirect("insights:message_test", mailing_id=mailing_id)


@staff_required
@require_GET
def message_test_export(request: HttpRequest, mailing_id: int) -> HttpResponse:
    reading = _reading_or_404(mailing_id)
    response, writer = _csv(f"message-test-{mailing_id}.csv")
    writer.writerow(
        [
            "variant",
            "share_percent",
            "sent",
            "open_rate",
            "open_low",
            "open_high",
            "click_rate",
            "click_low",
            "click_high",
            "donation_rate",
            "donation_low",
            "donation_high",
            "donated_cents",
            "unsubscribe_rate",
            "unsubscribe_low",
            "unsubscribe_high",
            "complaint_rate",
            "unsubscribe_cost_cents",
            "net_cents_per_recipient",
        ]
    )
    for v in reading.variants:
        writer.writerow(
            [
                v.label,
                v.share,
                v.sent,
                *(
                    f"{x:.5f}"
                    for rate in (v.opens, v.clicks, v.donors)
                    for x in (rate.value, rate.low, rate.high)
                ),
                v.donated_cents,
                *(
                    f"{x:.5f}"
                    for x in (v.unsubscribes.value, v.unsubscribes.low, v.unsubscribes.high)
                ),
                f"{v.complaints.value:.5f}",
                v.unsubscribe_cost_cents,
                f"{v.net_cents_per_recipient:.2f}",
            ]
        )
    writer.writerow([])
    writer.writerow(["comparison", f"difference ({reading.unit})", "low", "high", "rule"])
    for c in reading.comparisons:
        writer.writerow(
            [
                f"{c.first} - {c.second}",
                f"{c.interval.estimate:.4f}",
                f"{c.interval.low:.4f}",
                f"{c.interval.high:.4f}",
                reading.rule,
            ]
        )
    return response


def _survey_or_404(test_id: int) -> SurveyTestReading:
    reading = selectors.survey_test_reading(test_id)
    if reading is None:
        raise Http404("No such test.")
    return reading


def _survey_page(
    request: HttpRequest,
    reading: SurveyTestReading,
    *,
    status: int = 200,
    form: forms.SurveyWaveForm | None = None,
    decide_error: str = "",
) -> HttpResponse:
    return render(
        request,
        "insights/survey_test.html",
        {"reading": reading, "form": form or forms.SurveyWaveForm(), "decide_error": decide_error},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def survey_test(request: HttpRequest, test_id: int) -> HttpResponse:
    reading = _survey_or_404(test_id)
    if request.method == "GET":
        return _survey_page(request, reading)
    form = forms.SurveyWaveForm(request.POST)
    if not form.is_valid():
        return _survey_page(request, reading, status=422, form=form)
    try:
        services.survey_wave_add(actor=request.user, test_id=test_id, **form.cleaned_data)
    except ApplicationError as exc:
        forms.add_service_error(form, exc)
        return _survey_page(request, reading, status=exc.status, form=form)
    messages.success(request, "Wave recorded.")
    return redirect("insights:survey_test", test_id=test_id)


@staff_required
@require_POST
def survey_test_decide(request: HttpRequest, test_id: int) -> HttpResponse:
    reading = _survey_or_404(test_id)
    form = forms.SurveyDecideForm(request.POST)
    if not form.is_valid():
        return _survey_page(request, reading, status=422, decide_error="Name an arm.")
    try:
        services.survey_test_decide(
            actor=request.user, test_id=test_id, arm=form.cleaned_data["arm"]
        )
    except ApplicationError as exc:
        return _survey_page(request, reading, status=exc.status, decide_error=exc.message)
    messages.success(request, "Decision recorded.")
    return redirect("insights:survey_test", test_id=test_id)


# Issues --------------------------------------------------------------------------------


def _unit_and_window(request: HttpRequest) -> tuple[int, str, str, int]:
    units = organizing.org_unit_paths()
    if not units:
        raise Http404("No org units yet.")
    root = min(units, key=lambda unit_id: len(units[unit_id][0]))
    try:
        unit_id = int(request.GET.get("unit", root))
        weeks = int(request.GET.get("weeks", 8))
    except ValueError:
        unit_id, weeks = root, 8
    if unit_id not in units:
        raise Http404("No such unit.")
    path, name, _kind = units[unit_id]
    return unit_id, path, name, weeks if weeks in WEEKS else 8


def _gap(path: str, weeks: int) -> IssueGap:
    today = timezone.localdate()
    return selectors.issue_gap(
        unit_path=path, since=today - dt.timedelta(weeks=weeks - 1), until=today
    )


@staff_required
@require_GET
def issues(request: HttpRequest) -> HttpResponse:
    unit_id, path, name, weeks = _unit_and_window(request)
    gap = _gap(path, weeks)
    ranked = sorted(gap.overall.topics, key=lambda t: -t.gap)
    chosen = request.GET.get("topic") or (ranked[0].key if ranked else "")
    topic = next((t for t in gap.overall.topics if t.key == chosen), None)
    units = organizing.org_unit_paths()
    children = sorted(
        (
            (child_id, child_name)
            for child_id, (child_path, child_name, _k) in units.items()
            if child_path.startswith(path) and child_path.count("/") == path.count("/") + 1
        ),
        key=lambda row: row[1],
    )
    parent = next(
        (
            (unit_pk, unit_name)
            for unit_pk, (unit_path, unit_name, _k) in units.items()
            if path.startswith(unit_path) and unit_path.count("/") == path.count("/") - 1
        ),
        None,
    )
    context: dict[str, Any] = {
        "unit_id": unit_id,
        "unit_name": name,
        "weeks": weeks,
        "windows": WEEKS,
        "gap": gap,
        "ranked": ranked,
        "topic": topic,
        "children": children,
        "parent": parent,
        "gap_chart": bar_chart(
            f"What voters raise against what we say, {name}",
            "Share of conversations at the door naming each topic, and share of the campaign's "
            f"messages reaching {name} that mention it, last {weeks} weeks.",
            [t.label for t in gap.overall.topics],
            [
                ("Voters raised it", [t.raised_share for t in gap.overall.topics]),
                ("Our messages mention it", [t.said_share for t in gap.overall.topics]),
            ],
            value_format="percent",
            category_label="Topic",
        ),
        "week_chart": _week_chart(gap, chosen, name) if topic else None,
        "topic_choices": [(t.key, t.label) for t in gap.overall.topics],
    }
    return render(request, "insights/issues.html", context)


def _week_chart(gap: IssueGap, key: str, name: str) -> Chart:
    def share(period: Any, attr: str) -> float | None:
        found = next(t for t in period.topics if t.key == key)
        if attr == "raised_share" and not period.conversations:
            return None
        if attr == "said_share" and not period.messages:
            return None
        return float(getattr(found, attr))

    label = next(t.label for t in gap.overall.topics if t.key == key)
    return line_chart(
        f"{label}: raised against said, week by week, {name}",
        "Share of the week's conversations naming it, and of the week's messages mentioning it.",
        [w.label for w in gap.weeks],
        [
            ("Voters raised it", [share(w, "raised_share") for w in gap.weeks]),
            ("Our messages mention it", [share(w, "said_share") for w in gap.weeks]),
        ],
        value_format="percent",
        category_label="Week of",
    )


@staff_required
@require_GET
def issues_export(request: HttpRequest) -> HttpResponse:
    unit_id, path, _name, weeks = _unit_and_window(request)
    gap = _gap(path, weeks)
    response, writer = _csv(f"issue-gap-unit-{unit_id}.csv")
    writer.writerow(
        [
            "period",
            "kind",
            "topic",
            "conversations",
            "raised",
            "raised_share",
            "messages",
            "said",
            "said_share",
            "gap_points",
        ]
    )
    periods = [("all", gap.overall)]
    periods += [("week", w) for w in gap.weeks] + [("county", c) for c in gap.counties]
    for kind, period in periods:
        for t in period.topics:
            writer.writerow(
                [
                    period.label,
                    kind,
                    t.key,
                    period.conversations,
                    t.raised,
                    f"{t.raised_share:.4f}",
                    period.messages,
                    t.said,
                    f"{t.said_share:.4f}",
                    f"{t.gap:.1f}",
                ]
            )
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def issue_messages(request: HttpRequest) -> HttpResponse:
    """Tag the campaign's messages with topics, add ads, and (national admins) topics."""
    scope = _scope(request)
    choices = [(t.key, t.label) for t in selectors.issue_topic_list()]
    units = organizing.org_unit_choices(scope)
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "") if post else ""
    ad_form = forms.AdForm(
        post if action == "ad" else None, choices=choices, units=units, prefix="ad"
    )
    topic_form = forms.IssueTopicForm(post if action == "topic" else None, prefix="topic")
    status = 200
    if post is not None:
        try:
            done = _issue_messages_post(request, action, post, choices, ad_form, topic_form)
        except ApplicationError as exc:
            form = ad_form if action == "ad" else topic_form if action == "topic" else None
            if form is not None:
                forms.add_service_error(form, exc)
            else:
                messages.error(request, exc.message)
            status = exc.status
        else:
            if done:
                return redirect("insights:issue_messages")
            status = 422
    mailings = list(messaging_selectors.mailing_list()[:30])
    items = list(content_selectors.content_item_list(scope=scope))
    tags = selectors.topic_keys(
        mailing_ids=[m.pk for m in mailings], item_ids=[i.pk for i in items]
    )
    return render(
        request,
        "insights/issue_messages.html",
        {
            "choices": choices,
            "mailings": [(m, tags.get(("mailing", m.pk), [])) for m in mailings],
            "items": [(i, tags.get(("content", i.pk), [])) for i in items],
            "ads": selectors.ad_list(),
            "ad_form": ad_form,
            "topic_form": topic_form,
            "may_write": bool(units),
            "is_admin": scope.is_admin,
        },
        status=status,
    )


def _issue_messages_post(
    request: HttpRequest,
    action: str,
    post: Any,
    choices: list[tuple[str, str]],
    ad_form: forms.AdForm,
    topic_form: forms.IssueTopicForm,
) -> bool:
    """Do what the posted form asks; False when the form itself is invalid."""
    if action in ("mailing", "content"):
        form = forms.TopicsForm(post, choices=choices)
        if not form.is_valid():
            messages.error(request, "Choose topics from the list.")
            return False
        try:
            target = int(post.get("target", ""))
        except ValueError:
            messages.error(request, "Choose a message to tag.")
            return False
        keys = form.cleaned_data["topics"]
        if action == "mailing":
            services.mailing_topics_set(actor=request.user, mailing_id=target, topic_keys=keys)
        else:
            services.content_topics_set(actor=request.user, item_id=target, topic_keys=keys)
        messages.success(request, "Topics saved.")
        return True
    if action == "ad":
        if not ad_form.is_valid():
            return False
        data = ad_form.cleaned_data
        services.ad_create(
            actor=request.user,
            name=data["name"],
            medium=data["medium"],
            org_unit_id=data["org_unit"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            topic_keys=data["topics"],
        )
        messages.success(request, "Ad added.")
        return True
    if action == "topic":
        if not topic_form.is_valid():
            return False
        services.issue_topic_create(
            actor=request.user,
            label=topic_form.cleaned_data["label"],
            key=topic_form.cleaned_data["key"],
        )
        messages.success(request, "Topic added.")
        return True
    messages.error(request, "Nothing to do.")
    return False
