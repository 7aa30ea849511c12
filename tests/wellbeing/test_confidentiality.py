"""Confidentiality from every role and channel: only the counsellor assigned reads a case; the person reads
their own records; nobody else sees anything of them, in pages, the API, the admin (superusers included),
notifications and e-mail, logs, error reports. Every read is in the person's access log."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from core.models import Notification
from tests.conftest import PERSONAS, World, api_client_for, client_for
from tests.wellbeing.helpers import PLANTED, PLANTED_TOPIC, Wellbeing, build
from wellbeing.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _pages(wb: Wellbeing) -> dict[str, str]:
    return {
        "start": reverse("core:start"),
        "notifications": reverse("core:notifications"),
        "home": reverse("wellbeing:home"),
        "history": reverse("wellbeing:history"),
        "access-log": reverse("wellbeing:access-log"),
        "statistics": reverse("wellbeing:statistics"),
        "dashboard": reverse("wellbeing:dashboard"),
        "calendar": reverse("wellbeing:calendar"),
        "case": reverse("wellbeing:case", args=[wb.case.pk]),
        "shared": reverse("wellbeing:shared", args=[wb.sharing.pk]),
        "students": reverse("students:list"),
    }


def _api(wb: Wellbeing) -> dict[str, str]:
    return {
        "api-check-ins": reverse("api:wellbeing-check-in-list"),
        "api-check-in": reverse("api:wellbeing-check-in-detail", args=[wb.check_in.pk]),
        "api-requests": reverse("api:wellbeing-request-list"),
        "api-request": reverse("api:wellbeing-request-detail", args=[wb.case.pk]),
        "api-appointments": reverse("api:wellbeing-appointment-list"),
    }


#: Where each secret may be read, and by whom: the note only on the case page, by its counsellor; the
#: request's text there and through the API, by its counsellor and by the person who wrote it.
NOTE_READERS = {("counsellor", "case")}
TOPIC_READERS = {
    ("counsellor", "case"),
    ("counsellor", "api-requests"),
    ("counsellor", "api-request"),
    ("student_a", "api-requests"),
    ("student_a", "api-request"),
}
SHARED_READERS = {("tutor", "shared"), ("student_a", "shared"), ("counsellor", "shared"), ("counsellor", "case")}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_exactly_what_is_theirs(persona: str, world: World) -> None:
    wb = build(world)
    user = world.users[persona]
    page_client, api_client = client_for(user), api_client_for(user)
    seen: dict[str, str] = {}
    for name, url in _pages(wb).items():
        seen[name] = page_client.get(url).content.decode()
    for name, url in _api(wb).items():
        seen[name] = api_client.get(url).content.decode()
    for name, body in seen.items():
        assert (PLANTED in body) == ((persona, name) in NOTE_READERS), (persona, name)
        assert (PLANTED_TOPIC in body) == ((persona, name) in TOPIC_READERS), (persona, name)
        assert ("lighter schedule" in body) == ((persona, name) in SHARED_READERS), (persona, name)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("student_a", "counsellor", "anonymous")])
def test_other_roles_get_empty_lists_and_404s_in_the_api(persona: str, world: World) -> None:
    wb = build(world)
    api = api_client_for(world.users[persona])
    for name in ("check-in", "request", "appointment"):
        listed = api.get(reverse(f"api:wellbeing-{name}-list")).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert rows == [], (persona, name)
    assert api.get(reverse("api:wellbeing-check-in-detail", args=[wb.check_in.pk])).status_code == 404
    assert api.get(reverse("api:wellbeing-request-detail", args=[wb.case.pk])).status_code == 404
    assert api.get(reverse("api:wellbeing-appointment-detail", args=[wb.appointment.pk])).status_code == 404


def test_the_admin_shows_no_wellbeing_content_even_to_a_superuser(world: World) -> None:
    build(world)
    assert not [model for model in admin.site._registry if model._meta.app_label == "wellbeing"]
    root = world.users["office"]
    assert root is not None
    root.is_staff = root.is_superuser = True
    root.save()
    client = client_for(root)
    index = client.get(reverse("admin:index")).content.decode()
    assert "wellbeing" not in index.lower() and PLANTED not in index
    assert client.get("/admin/wellbeing/").status_code == 404
    assert client.get("/admin/wellbeing/casenote/").status_code == 404


def test_notifications_and_mail_carry_no_content(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from core.services.notification_email import notification_email_send

    with django_capture_on_commit_callbacks(execute=True):
        build(world)
    mail.outbox.clear()
    for user in world.users.values():
        if user is not None:
            user.email = f"{user.username}@example.org"
            user.save()
    for notification in Notification.objects.all():
        text = f"{notification.subject}{notification.body}{notification.params}{notification.link}"
        assert PLANTED not in text and PLANTED_TOPIC not in text and "lighter" not in text
        notification_email_send(notification_id=notification.pk)
    assert mail.outbox
    for message in mail.outbox:
        assert PLANTED not in message.body and PLANTED_TOPIC not in message.body and "lighter" not in message.body


def test_logs_hold_no_content(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        wb = build(world)
        client_for(world.users["counsellor"]).get(reverse("wellbeing:case", args=[wb.case.pk]))
        client_for(world.users["tutor"]).get(reverse("wellbeing:case", args=[wb.case.pk]))  # a denial, logged
        client_for(world.users["tutor"]).get(reverse("wellbeing:shared", args=[wb.sharing.pk]))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "access denied" in text
    assert PLANTED not in text and PLANTED_TOPIC not in text and "lighter" not in text


def test_error_reports_of_wellbeing_requests_show_no_body_and_no_variables(world: World) -> None:
    request = RequestFactory().post("/wellbeing/cases/1/note/", {"body": PLANTED})
    request.user = world.users["counsellor"]  # type: ignore[assignment]
    note_being_written = PLANTED  # noqa: F841 (a frame variable the report must not show)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info())
        text = report.get_traceback_text() + report.get_traceback_html()
    assert "boom" in text
    assert PLANTED not in text


def test_every_read_is_in_the_person_s_access_log_and_only_they_see_it(world: World) -> None:
    wb = build(world)
    client_for(world.users["counsellor"]).get(reverse("wellbeing:case", args=[wb.case.pk]))
    client_for(world.users["tutor"]).get(reverse("wellbeing:shared", args=[wb.sharing.pk]))
    api_client_for(world.users["counsellor"]).get(reverse("api:wellbeing-check-in-detail", args=[wb.check_in.pk]))
    entries = AccessLogEntry.objects.filter(subject=world.users["student_a"])
    readers = {(e.reader.username if e.reader else None, e.what) for e in entries}
    assert ("counsellor", f"case #{wb.case.pk}") in readers
    assert ("tutor", "shared message") in readers
    assert ("counsellor", f"check-in (API) #{wb.check_in.pk}") in readers
    page = client_for(world.users["student_a"]).get(reverse("wellbeing:access-log")).content.decode()
    assert "a message shared with your consent" in page and f"case #{wb.case.pk}" in page
    for other in ("office", "tutor", "coordinator_a", "student_b"):
        page = client_for(world.users[other]).get(reverse("wellbeing:access-log")).content.decode()
        assert f"case #{wb.case.pk}" not in page


def test_a_break_glass_read_shows_its_reason_to_the_person(world: World) -> None:
    wb = build(world)
    colleague = client_for(wb.colleague)
    assert colleague.get(reverse("wellbeing:case", args=[wb.case.pk])).status_code == 404
    colleague.post(reverse("wellbeing:case-break-glass", args=[wb.case.pk]), {"reason": "Her counsellor is away today"})
    assert PLANTED in colleague.get(reverse("wellbeing:case", args=[wb.case.pk])).content.decode()
    page = client_for(world.users["student_a"]).get(reverse("wellbeing:access-log")).content.decode()
    assert "Her counsellor is away today" in page
