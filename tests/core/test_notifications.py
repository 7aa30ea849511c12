"""The in-app notifications: the inbox, marking read, the navbar badge, and the plan workflow feeding them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import AccessDenial, Notification
from core.selectors import notification_unread_count
from students.models import TrainingPlan
from tests.conftest import World, api_client_for, client_for

pytestmark = pytest.mark.django_db

INBOX = reverse("core:notifications")


def _note(user: User | None, subject: str = "Your training plan was returned", **extra: object) -> Notification:
    return Notification.objects.create(user=user, kind="test", subject=subject, **extra)  # type: ignore[misc]


def _rows(html: str) -> list[str]:
    return re.findall(r'<li class="list-group-item[^"]*"', html)


# --- The inbox --------------------------------------------------------------------------------------


def test_inbox_lists_own_notifications_newest_first_and_no_one_elses(student_a: User, world: World) -> None:
    now = timezone.now()
    _note(student_a, "Older news", created_at=now - datetime.timedelta(days=2))
    _note(student_a, "Newer news", created_at=now - datetime.timedelta(hours=1))
    _note(world.users["student_b"], "Somebody else's news")

    html = client_for(student_a).get(INBOX).content.decode()

    assert html.index("Newer news") < html.index("Older news")
    assert "Somebody else&#x27;s news" not in html and "Somebody else's news" not in html


def test_unread_notifications_are_highlighted_and_read_ones_are_not(student_a: User, world: World) -> None:
    _note(student_a, "Unread one")
    _note(student_a, "Read one", read_at=timezone.now(), created_at=timezone.now() - datetime.timedelta(days=1))

    html = client_for(student_a).get(INBOX).content.decode()

    rows = _rows(html)
    assert len(rows) == 2
    assert "notification-unread" in rows[0] and "notification-unread" not in rows[1]
    assert "Mark all as read" in html


def test_subject_is_shown_in_the_readers_language_with_its_parameters(tutor: User, world: World) -> None:
    _note(tutor, "Training plan submitted: %(student)s", params={"student": "Wang Wei"})

    html = client_for(tutor).get(INBOX).content.decode()

    assert "Training plan submitted: Wang Wei" in html


def test_inbox_is_paginated(student_a: User, world: World) -> None:
    for number in range(25):
        _note(student_a, f"News {number}")
    client = client_for(student_a)

    first, second = client.get(INBOX), client.get(INBOX, {"page": 2})

    assert len(_rows(first.content.decode())) == 20
    assert len(_rows(second.content.decode())) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_empty_inbox_says_what_will_arrive_here(office: User, world: World) -> None:
    html = client_for(office).get(INBOX).content.decode()

    assert 'data-testid="notifications-empty"' in html
    assert "Mark all as read" not in html


def test_anonymous_visitor_is_sent_to_login(world: World) -> None:
    response = client_for(None).get(INBOX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _inbox_queries(user: User) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return len(captured.captured_queries)


def test_inbox_query_count_does_not_grow(student_a: User, world: World) -> None:
    for number in range(3):
        _note(student_a, f"News {number}")
    small = _inbox_queries(student_a)

    for number in range(15):
        _note(student_a, f"More news {number}")
    large = _inbox_queries(student_a)

    assert small == large


# --- Marking read -----------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_follows_its_link(student_a: User, world: World) -> None:
    link = reverse("students:plan", args=[world.student_a.pk])
    note = _note(student_a, link=link)

    response = client_for(student_a).post(reverse("core:notification-read", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == link
    note.refresh_from_db()
    assert note.read_at is not None


def test_reading_twice_keeps_the_first_reading_time(student_a: User, world: World) -> None:
    first = timezone.now() - datetime.timedelta(days=1)
    note = _note(student_a, read_at=first)

    client_for(student_a).post(reverse("core:notification-read", args=[note.pk]))

    note.refresh_from_db()
    assert note.read_at == first


def test_notification_without_link_goes_back_to_the_inbox(student_a: User, world: World) -> None:
    note = _note(student_a)

    response = client_for(student_a).post(reverse("core:notification-read", args=[note.pk]))

    assert response["Location"] == INBOX


def test_link_to_another_site_is_not_followed(student_a: User, world: World) -> None:
    note = _note(student_a, link="https://evil.example.org/phish")

    response = client_for(student_a).post(reverse("core:notification-read", args=[note.pk]))

    assert response["Location"] == INBOX


def test_another_users_notification_is_404_and_stays_unread(student_b: User, world: World) -> None:
    note = _note(world.users["student_a"])

    response = client_for(student_b).post(reverse("core:notification-read", args=[note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert AccessDenial.objects.filter(user=student_b, action="mark_read").exists()


def test_reading_needs_post(student_a: User, world: World) -> None:
    note = _note(student_a)

    assert client_for(student_a).get(reverse("core:notification-read", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_read_all_marks_only_own_notifications(student_a: User, world: World) -> None:
    mine = [_note(student_a), _note(student_a)]
    theirs = _note(world.users["student_b"])

    response = client_for(student_a).post(reverse("core:notifications-read-all"), follow=True)

    assert response.redirect_chain[-1][0] == INBOX
    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "All notifications marked as read." in response.content.decode()


# --- The navbar badge -------------------------------------------------------------------------------


def test_navbar_shows_the_unread_count(student_a: User, world: World) -> None:
    _note(student_a)
    _note(student_a)
    _note(student_a, read_at=timezone.now())

    html = client_for(student_a).get(reverse("core:start")).content.decode()

    badge = re.search(r'data-testid="unread-count">(\d+)<', html)
    assert badge is not None and badge.group(1) == "2"


def test_navbar_shows_no_badge_when_all_is_read(student_a: User, world: World) -> None:
    _note(student_a, read_at=timezone.now())

    html = client_for(student_a).get(reverse("core:start")).content.decode()

    assert 'data-testid="notifications-link"' in html
    assert 'data-testid="unread-count"' not in html


def test_unread_count_is_one_query_and_none_for_anonymous(student_a: User, world: World) -> None:
    _note(student_a)

    with CaptureQueriesContext(connection) as signed_in:
        assert notification_unread_count(user=student_a) == 1
    with CaptureQueriesContext(connection) as anonymous:
        assert notification_unread_count(user=AnonymousUser()) == 0

    assert len(signed_in.captured_queries) == 1
    assert len(anonymous.captured_queries) == 0


def test_pages_count_unread_notifications_once(student_a: User, world: World) -> None:
    _note(student_a)

    with CaptureQueriesContext(connection) as captured:
        client_for(student_a).get(INBOX)

    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "core_notification" in q["sql"]]
    # One for the badge (shared with the inbox's "Mark all as read"), one for the paginator.
    assert len(counts) == 2


def test_login_page_asks_nothing_about_notifications(world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        client_for(None).get(reverse("accounts:login"))

    assert not [q for q in captured.captured_queries if "core_notification" in q["sql"]]


# --- The plan workflow tells people ---------------------------------------------------------------------


def test_submitted_plan_reaches_the_tutors_inbox_and_e_mail(student_a: User, tutor: User, world: World) -> None:
    from django.core import mail

    from core.tasks import notification_email_send

    plan = TrainingPlan.objects.get(student=world.student_a)
    api_client_for(student_a).post(f"/api/v1/training-plans/{plan.pk}/submit/")
    note = Notification.objects.get(user=tutor, kind="plan_submitted")

    assert notification_email_send(note.pk) is True
    assert notification_email_send(note.pk) is False
    assert [m.to for m in mail.outbox] == [["tutor@example.org"]]
    html = client_for(tutor).get(INBOX).content.decode()
    assert f"Training plan submitted: {student_a.display_name}" in html.replace("&#x27;", "'")
