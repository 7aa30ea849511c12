"""Publishing: the office publishes a closed inspection (summary redacted, public reports requested in
English and Chinese, the partner's coordinators told); closed inspections unpublished once 14 full days
have passed are flagged on the office's queue and pages."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import Notification
from supervision.models import Inspection, InspectionReport, InspectionStatus, ReportStatus, ReportVariant
from supervision.services.publication import (
    PUBLICATION_DAYS,
    inspection_publish,
    is_publication_overdue,
    publication_overdue,
)
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _u(world: World, persona: str) -> User:
    return helpers.user(world, persona)


def _closed_days_ago(world: World, days: int, **overrides: Any) -> Inspection:
    inspection = helpers.closed(world, **overrides)
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=timezone.now() - datetime.timedelta(days=days))
    inspection.refresh_from_db()
    return inspection


# --- The service -------------------------------------------------------------------------------------------------


def test_publishing_stores_a_redacted_summary_requests_public_reports_and_tells_coordinators(world: World) -> None:
    inspection = helpers.closed(world)
    student = world.student_a
    summary = f"Well run. {student.user.display_name} ({student.student_number}) was interviewed."

    published = inspection_publish(inspection=inspection, by=_u(world, "office"), summary=summary)

    assert published.status == InspectionStatus.PUBLISHED
    assert published.published_by == _u(world, "office") and published.published_at is not None
    assert published.days_to_publication == 0
    assert student.user.display_name not in published.public_summary
    assert student.student_number not in published.public_summary
    assert published.public_summary.startswith("Well run. [redacted] ([redacted])")
    public = InspectionReport.objects.filter(inspection=inspection, variant=ReportVariant.PUBLIC)
    assert sorted(public.values_list("language", "status")) == [
        ("en", ReportStatus.PENDING),
        ("zh-hans", ReportStatus.PENDING),
    ]
    told = Notification.objects.filter(kind="inspection_published")
    assert list(told.values_list("user__username", flat=True)) == ["coordinator_a"]
    assert told.get().link == reverse("public:inspection-detail", args=[inspection.pk])


def test_only_a_closed_inspection_can_be_published(world: World) -> None:
    inspection = helpers.start(world)

    with pytest.raises(ValidationError) as refused:
        inspection_publish(inspection=inspection, by=_u(world, "office"), summary="Too early.")

    assert refused.value.error_dict["status"][0].code == "not_closed"
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS and inspection.public_summary == ""
    assert not InspectionReport.objects.filter(variant=ReportVariant.PUBLIC).exists()


def test_publishing_twice_is_refused(world: World) -> None:
    inspection = inspection_publish(inspection=helpers.closed(world), by=_u(world, "office"))

    with pytest.raises(ValidationError):
        inspection_publish(inspection=inspection, by=_u(world, "office"))

    assert InspectionReport.objects.filter(variant=ReportVariant.PUBLIC).count() == 2


@pytest.mark.parametrize("persona", ["inspector", "coordinator_a"])
def test_only_the_office_publishes(world: World, persona: str) -> None:
    inspection = helpers.closed(world)

    with pytest.raises(PermissionDenied):
        inspection_publish(inspection=inspection, by=_u(world, persona))

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED


def test_publication_is_overdue_once_14_full_days_have_passed(world: World) -> None:
    on_time = _closed_days_ago(world, PUBLICATION_DAYS - 1)
    late = _closed_days_ago(world, PUBLICATION_DAYS, scope="late")
    published_late = _closed_days_ago(world, 40, scope="published")
    inspection_publish(inspection=published_late, by=_u(world, "office"))

    overdue = list(publication_overdue())

    assert overdue == [late]
    assert on_time not in overdue
    assert list(publication_overdue(today=timezone.localdate() + datetime.timedelta(days=1))) in (
        [on_time, late],
        [late, on_time],
    )


def test_is_publication_overdue_is_the_same_rule_for_a_number_of_days() -> None:
    assert PUBLICATION_DAYS == 14
    assert [is_publication_overdue(days) for days in (None, 0, 13, 14, 15)] == [False, False, False, True, True]


# --- The publish page -------------------------------------------------------------------------------------------


def test_publish_page_shows_days_since_closing_and_a_redacted_preview_without_publishing(world: World) -> None:
    inspection = _closed_days_ago(world, 20)
    office = client_for(_u(world, "office"))
    url = reverse("supervision:publish", args=[inspection.pk])
    name = world.student_a.user.display_name

    page = office.get(url)
    preview = office.post(url, {"summary": f"Thanks to {name}.", "preview": "1"})

    assert page.status_code == 200
    assert "Closed 20 days ago." in page.content.decode()
    assert "text-danger" in page.content.decode()
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Thanks to [redacted]." in body
    assert f"Thanks to {name}." in body  # what was typed stays in the form
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED


@pytest.mark.parametrize(("days", "flagged"), [(13, False), (14, True)])
def test_publish_and_report_pages_flag_from_day_14(world: World, days: int, flagged: bool) -> None:
    inspection = _closed_days_ago(world, days)
    office = client_for(_u(world, "office"))

    publish = office.get(reverse("supervision:publish", args=[inspection.pk]))
    report = office.get(reverse("supervision:report", args=[inspection.pk]))

    assert publish.context["overdue"] is flagged
    assert ("text-danger" in publish.content.decode()) is flagged
    assert report.context["overdue"] is flagged
    assert ('data-overdue="1"' in report.content.decode()) is flagged


def test_publish_page_publishes_and_goes_to_the_report(world: World) -> None:
    inspection = helpers.closed(world)

    response = client_for(_u(world, "office")).post(
        reverse("supervision:publish", args=[inspection.pk]), {"summary": "All well."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:report", args=[inspection.pk])
    inspection.refresh_from_db()
    assert (inspection.status, inspection.public_summary) == (InspectionStatus.PUBLISHED, "All well.")


def test_publish_page_refuses_an_inspection_in_progress_with_a_message(world: World) -> None:
    inspection = helpers.start(world)
    office = client_for(_u(world, "office"))
    url = reverse("supervision:publish", args=[inspection.pk])

    page = office.get(url)
    posted = office.post(url, {"summary": "Too early."})

    assert page.status_code == 200 and 'data-testid="not-closed"' in page.content.decode()
    assert posted.status_code == 200 and 'data-testid="not-closed"' in posted.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS


def test_publish_page_keeps_a_too_long_summary_and_says_why(world: World) -> None:
    inspection = helpers.closed(world)

    response = client_for(_u(world, "office")).post(
        reverse("supervision:publish", args=[inspection.pk]), {"summary": "x" * 4001}
    )

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED


@pytest.mark.parametrize("persona", ["coordinator_a", "inspector", "supervisor_a"])
def test_publish_page_is_404_for_anyone_but_the_office(world: World, persona: str) -> None:
    inspection = helpers.closed(world)

    response = client_for(_u(world, persona)).post(
        reverse("supervision:publish", args=[inspection.pk]), {"summary": "x"}
    )

    assert response.status_code == 404
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED


# --- The queue ---------------------------------------------------------------------------------------------------


def test_queue_lists_closed_inspections_and_flags_those_waiting_14_days_or_more(world: World) -> None:
    late = _closed_days_ago(world, 14)
    recent = _closed_days_ago(world, 13, scope="recent")
    inspection_publish(inspection=_closed_days_ago(world, 30, scope="done"), by=_u(world, "office"))
    helpers.start(world, scope="still open")

    response = client_for(_u(world, "office")).get(reverse("supervision:publication-queue"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["inspection"], r["days"], r["overdue"]) for r in rows] == [(late, 14, True), (recent, 13, False)]
    body = response.content.decode()
    assert body.count('data-overdue="1"') == 1
    assert "1 inspection is overdue for publication." in body


def test_queue_is_empty_with_a_helpful_message(world: World) -> None:
    response = client_for(_u(world, "office")).get(reverse("supervision:publication-queue"))

    assert 'data-testid="empty"' in response.content.decode()


def test_queue_costs_the_same_queries_for_one_or_many_inspections(world: World) -> None:
    office = client_for(_u(world, "office"))
    url = reverse("supervision:publication-queue")
    _closed_days_ago(world, 20)
    office.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert office.get(url).status_code == 200
    for n in range(4):
        _closed_days_ago(world, 16 + n, scope=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        response = office.get(url)

    assert len(response.context["rows"]) == 5
    assert len(many) == len(one)
