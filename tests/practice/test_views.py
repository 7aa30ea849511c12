"""Practice-hour pages: logging on the form (every rule's refusal on its field, what was typed kept),
a supervisor logging for a supervisee, the student's entries (withdraw, answer a rejection, correct),
the sign-off queue (one, several, all of a student's: all or none; another partner's entry is a 404 and
nothing is approved), progress, reopened months, rules, and the navigation and start page. Lists keep a
constant number of queries as entries grow.

Pages work on the real today, so placements A and B are moved to run around today first.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from programmes.models import ActivityCategory
from students.models import Placement, PlacementHours
from tests.conftest import World, client_for
from tests.factories.practice import PracticeLogFactory, RuleSetFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def ct(world: World) -> ActivityCategory:
    """An activity of the programme, with placements A and B running from 30 days ago to 30 days ahead."""
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=TODAY - datetime.timedelta(days=30), end_date=TODAY + datetime.timedelta(days=30)
        )
    world.placement_a.refresh_from_db()
    world.placement_b.refresh_from_db()
    return ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation", required_hours=200)


def _entry(placement: Placement, category: ActivityCategory, hours: str = "4", **extra: Any) -> PracticeLog:
    extra.setdefault("date", YESTERDAY)
    if extra.get("status") == EntryStatus.REJECTED:
        extra.setdefault("rejection_reason", "You were at the university that day.")
        extra.setdefault("decided_by", placement.supervisor)
    return PracticeLogFactory.create(placement=placement, category=category, hours=D(hours), **extra)


def _url(name: str, *args: Any) -> str:
    return reverse(f"practice:{name}", args=args)


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', html)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- Logging hours ----------------------------------------------------------------------------------------------------


def test_log_form_preselects_the_placement_running_today_and_today(world: World, ct: ActivityCategory) -> None:
    html = _html(client_for(_u(world, "student_a")).get(_url("log")))

    assert f'type="hidden" name="placement" value="{world.placement_a.pk}"' in html
    assert world.partner_a.name in html
    assert f'value="{TODAY.isoformat()}"' in html
    assert "CT operation" in html


def test_log_form_offers_a_choice_when_several_placements_can_take_entries(world: World, ct: ActivityCategory) -> None:
    later = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        start_date=TODAY - datetime.timedelta(days=2),
        end_date=TODAY + datetime.timedelta(days=60),
    )

    html = _html(client_for(_u(world, "student_a")).get(_url("log")))

    assert '<select name="placement"' in html
    # The latest placement running today is preselected.
    assert re.search(rf'<option value="{later.pk}" selected>', html)


def test_student_logs_hours_and_sees_them_pending_under_the_form_with_the_day_total(
    world: World, ct: ActivityCategory
) -> None:
    client = client_for(_u(world, "student_a"))
    _entry(world.placement_a, ct, "2", date=TODAY, status=EntryStatus.APPROVED)

    response = client.post(
        _url("log"),
        {"placement": world.placement_a.pk, "date": TODAY.isoformat(), "hours": "3", "category": ct.pk, "cases": "5"},
        follow=True,
    )

    log = PracticeLog.objects.get(hours=D("3"))
    assert (log.status, log.entered_by_supervisor, log.cases) == (EntryStatus.PENDING, False, 5)
    html = _html(response)
    assert "waiting for your supervisor" in html
    assert "Today&#x27;s entries" in html or "Today's entries" in html
    assert "Total: 5 h" in html
    assert html.count('data-status="pending"') == 1


def test_hours_can_be_given_as_a_time_range(world: World, ct: ActivityCategory) -> None:
    client_for(_u(world, "student_a")).post(
        _url("log"),
        {
            "placement": world.placement_a.pk,
            "date": TODAY.isoformat(),
            "start_time": "08:30",
            "end_time": "12:00",
            "category": ct.pk,
        },
    )

    assert PracticeLog.objects.get().hours == D("3.5")


def _refused(world: World, category: ActivityCategory, **data: Any) -> str:
    values = {
        "placement": world.placement_a.pk,
        "date": TODAY.isoformat(),
        "hours": "3",
        "category": category.pk,
        "description": "Typed on the phone",
    }
    values.update({k: v for k, v in data.items() if v is not None})
    for key in [k for k, v in data.items() if v is None]:
        values.pop(key)
    before = PracticeLog.objects.count()
    response = client_for(_u(world, "student_a")).post(_url("log"), values)
    assert PracticeLog.objects.count() == before
    html = _html(response)
    assert "Typed on the phone</textarea>" in html
    return html


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        # Dates as days from today (an int), turned into dates when the test runs, not when it is collected.
        ({"date": 1}, "date", "no future dates"),
        ({"date": -31}, "date", "date inside the placement"),
        ({"date": -20}, "date", "entry window"),
        ({"hours": "0"}, "hours", "hours must be above zero and at most 12"),
        ({"hours": "-2"}, "hours", "hours must be above zero and at most 12"),
        ({"hours": "12.5"}, "hours", "hours must be above zero and at most 12"),
        ({"hours": None}, "hours", "Give the hours, or a start and an end time."),
        ({"hours": None, "start_time": "10:00", "end_time": "09:00"}, "end_time", "end time must be after"),
        ({"hours": None, "start_time": "10:00"}, "end_time", "Give both a start and an end time"),
        ({"start_time": "10:00", "end_time": "12:00"}, "hours", "not both"),
    ],
)
def test_each_refusal_names_its_rule_on_its_field_and_keeps_what_was_typed(
    world: World, ct: ActivityCategory, data: dict[str, Any], field: str, words: str
) -> None:
    if isinstance(data.get("date"), int):
        data = {**data, "date": (TODAY + datetime.timedelta(days=data["date"])).isoformat()}
    html = _refused(world, ct, **data)

    errors = _field_errors(html, field)
    assert any(words in error.replace("&#x27;", "'").replace("&quot;", '"') for error in errors), (errors, html[:0])
    assert f'name="{field}"' in html and "is-invalid" in html


def test_daily_maximum_counts_what_is_already_logged_that_day(world: World, ct: ActivityCategory) -> None:
    _entry(world.placement_a, ct, "10", date=TODAY)

    html = _refused(world, ct, hours="3")

    errors = _field_errors(html, "hours")
    assert any(re.search(r"daily maximum.*: 10(\.00)? hours are already logged", e) for e in errors), errors


def test_overlapping_time_ranges_are_refused_on_the_start(world: World, ct: ActivityCategory) -> None:
    _entry(world.placement_a, ct, "2", date=TODAY, start_time=datetime.time(9), end_time=datetime.time(11))

    html = _refused(world, ct, hours=None, start_time="10:00", end_time="12:00")

    assert any("no overlaps" in e for e in _field_errors(html, "start_time"))


def test_a_closed_month_is_refused_until_the_office_reopens_it(world: World, ct: ActivityCategory) -> None:
    RuleSetFactory.create(programme=world.programme, entry_window_days=100, lock_day=1)
    Placement.objects.filter(pk=world.placement_a.pk).update(start_date=TODAY - datetime.timedelta(days=120))
    # The last day of the month before last: at most 62 days back, closed since the 1st of last month.
    day = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1) - datetime.timedelta(days=1)

    html = _refused(world, ct, date=day.isoformat())

    assert any("monthly lock" in e for e in _field_errors(html, "date"))
    MonthReopening.objects.create(
        programme=world.programme, month=day.replace(day=1), until=TODAY, reason="System down.", by=_u(world, "office")
    )
    client_for(_u(world, "student_a")).post(
        _url("log"),
        {"placement": world.placement_a.pk, "date": day.isoformat(), "hours": "3", "category": ct.pk},
    )
    assert PracticeLog.objects.filter(date=day).count() == 1


def test_a_repeated_submission_of_the_same_form_saves_one_entry(world: World, ct: ActivityCategory) -> None:
    client = client_for(_u(world, "student_a"))
    data = {
        "placement": world.placement_a.pk,
        "date": TODAY.isoformat(),
        "hours": "2",
        "category": ct.pk,
        "token": "form-1",
    }

    first, second = client.post(_url("log"), data), client.post(_url("log"), data)

    assert first.status_code == second.status_code == 302
    assert PracticeLog.objects.count() == 1


def test_a_placement_of_another_student_cannot_be_posted_and_nothing_is_created(
    world: World, ct: ActivityCategory
) -> None:
    response = client_for(_u(world, "student_b")).post(
        _url("log"), {"placement": world.placement_a.pk, "date": TODAY.isoformat(), "hours": "2", "category": ct.pk}
    )

    assert response.status_code == 200
    assert PracticeLog.objects.count() == 0


def test_supervisor_logs_for_a_supervisee_approved_on_entry(world: World, ct: ActivityCategory) -> None:
    client = client_for(_u(world, "supervisor_a"))
    html = _html(client.get(_url("log") + f"?placement={world.placement_a.pk}"))
    assert "approved on entry" in html
    assert world.student_a.user.display_name in html

    response = client.post(
        _url("log"),
        {"placement": world.placement_a.pk, "date": TODAY.isoformat(), "hours": "4", "category": ct.pk},
        follow=True,
    )

    log = PracticeLog.objects.get()
    assert (log.status, log.entered_by_supervisor, log.student_id) == (
        EntryStatus.APPROVED,
        True,
        world.student_a.pk,
    )
    html = _html(response)
    assert "approved on entry" in html
    assert 'data-testid="approved-on-entry"' in html


def test_supervisor_of_another_partner_gets_404_for_a_placement_they_do_not_supervise(
    world: World, ct: ActivityCategory
) -> None:
    response = client_for(_u(world, "supervisor_b")).get(_url("log") + f"?placement={world.placement_a.pk}")

    assert response.status_code == 404


def test_people_without_a_placement_to_log_at_get_an_explanation(world: World, ct: ActivityCategory) -> None:
    html = _html(client_for(_u(world, "office")).get(_url("log")))

    assert 'data-testid="empty"' in html
    assert '<form method="post" action="/practice/log/"' not in html


def test_answering_a_rejection_fills_the_form_with_the_rejected_entry(world: World, ct: ActivityCategory) -> None:
    rejected = _entry(world.placement_a, ct, "7", status=EntryStatus.REJECTED, description="CT and MR together")

    html = _html(client_for(_u(world, "student_a")).get(_url("log") + f"?answer={rejected.pk}"))

    assert "You were at the university that day." in html
    assert 'value="7.00"' in html or 'value="7"' in html
    assert "CT and MR together</textarea>" in html
    assert client_for(_u(world, "student_b")).get(_url("log") + f"?answer={rejected.pk}").status_code == 404


# --- My entries -------------------------------------------------------------------------------------------------------


def test_my_entries_show_status_reasons_and_the_actions_each_allows(world: World, ct: ActivityCategory) -> None:
    pending = _entry(world.placement_a, ct, "1", date=TODAY)
    rejected = _entry(world.placement_a, ct, "2", status=EntryStatus.REJECTED, date=YESTERDAY)
    approved = _entry(world.placement_a, ct, "3", approved=True, date=TODAY - datetime.timedelta(days=2))
    correction = _entry(
        world.placement_a, ct, "-1", date=approved.date, corrects=approved, correction_reason="Lunch break."
    )
    _entry(world.placement_b, ct, "9")  # student B's

    html = _html(client_for(_u(world, "student_a")).get(_url("mine")))

    positions = [html.index(f'data-entry="{log.pk}"') for log in (pending, rejected, correction)]
    assert positions == sorted(positions)  # newest first
    assert html.count("data-entry=") == 4
    assert reverse("practice:withdraw", args=[pending.pk]) in html
    assert "You were at the university that day." in html
    assert f"{_url('log')}?answer={rejected.pk}" in html
    assert reverse("practice:correct", args=[approved.pk]) in html
    assert reverse("practice:correct", args=[correction.pk]) not in html
    # The history shows both: the correction under the original, and as an entry of its own.
    assert "Lunch break." in html
    assert f"Corrects the entry of {approved.date.isoformat()} (3 h)" in html


def test_my_entries_filter_by_status_and_month(world: World, ct: ActivityCategory) -> None:
    _entry(world.placement_a, ct, "1", date=TODAY)
    _entry(world.placement_a, ct, "2", approved=True, date=TODAY)
    client = client_for(_u(world, "student_a"))

    html = _html(client.get(_url("mine"), {"status": "approved", "month": TODAY.strftime("%Y-%m")}))
    assert html.count("data-entry=") == 1
    html = _html(client.get(_url("mine"), {"month": "2001-01"}))
    assert "No entry matches these filters." in html


def test_my_entries_cost_the_same_queries_for_two_or_twenty_entries(world: World, ct: ActivityCategory) -> None:
    client = client_for(_u(world, "student_a"))
    for day in range(2):
        original = _entry(world.placement_a, ct, "3", approved=True, date=TODAY - datetime.timedelta(days=day))
    _entry(world.placement_a, ct, "-1", corrects=original, correction_reason="r", date=original.date)
    small = _queries(client, _url("mine"))

    for day in range(2, 20):
        original = _entry(world.placement_a, ct, "3", approved=True, date=TODAY - datetime.timedelta(days=day))
        _entry(world.placement_a, ct, "-1", corrects=original, correction_reason="r", date=original.date)

    assert _queries(client, _url("mine")) == small


def test_student_withdraws_a_pending_entry(world: World, ct: ActivityCategory) -> None:
    log = _entry(world.placement_a, ct)

    response = client_for(_u(world, "student_a")).post(_url("withdraw", log.pk))

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == EntryStatus.WITHDRAWN


def test_another_student_cannot_withdraw_and_gets_404(world: World, ct: ActivityCategory) -> None:
    log = _entry(world.placement_a, ct)

    assert client_for(_u(world, "student_b")).post(_url("withdraw", log.pk)).status_code == 404
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_an_approved_entry_cannot_be_withdrawn_and_the_student_is_told(world: World, ct: ActivityCategory) -> None:
    log = _entry(world.placement_a, ct, approved=True)

    response = client_for(_u(world, "student_a")).post(_url("withdraw", log.pk), follow=True)

    assert "Only a pending entry can be withdrawn." in _html(response)
    log.refresh_from_db()
    assert log.status == EntryStatus.APPROVED


# --- Corrections ------------------------------------------------------------------------------------------------------


def test_student_corrects_an_approved_entry_with_a_new_pending_entry(world: World, ct: ActivityCategory) -> None:
    original = _entry(world.placement_a, ct, "4", approved=True)
    client = client_for(_u(world, "student_a"))
    assert "Counted now (pending corrections included): 4 h" in _html(client.get(_url("correct", original.pk)))

    response = client.post(_url("correct", original.pk), {"hours": "-1.5", "correction_reason": "Lunch break."})

    assert response.status_code == 302
    correction = PracticeLog.objects.get(corrects=original)
    assert (correction.hours, correction.status, correction.correction_reason) == (
        D("-1.5"),
        EntryStatus.PENDING,
        "Lunch break.",
    )
    original.refresh_from_db()
    assert (original.hours, original.status) == (D("4"), EntryStatus.APPROVED)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"hours": "0", "correction_reason": "r"}, "hours", "give a change other than zero"),
        ({"hours": "-5", "correction_reason": "r"}, "hours", "cannot take back more hours"),
        ({"hours": "-1", "correction_reason": ""}, "correction_reason", "Say why the entry is corrected."),
    ],
)
def test_bad_corrections_are_refused_on_their_field(
    world: World, ct: ActivityCategory, data: dict[str, str], field: str, words: str
) -> None:
    original = _entry(world.placement_a, ct, "4", approved=True)

    html = _html(client_for(_u(world, "student_a")).post(_url("correct", original.pk), data))

    assert words in html
    assert re.search(rf'name="{field}"[^>]*is-invalid|is-invalid[^>]*name="{field}"', html)
    assert PracticeLog.objects.count() == 1


def test_correcting_an_entry_at_another_partner_is_a_404(world: World, ct: ActivityCategory) -> None:
    original = _entry(world.placement_a, ct, "4", approved=True)

    for persona in ("supervisor_b", "student_b", "office"):
        client = client_for(_u(world, persona))
        assert client.get(_url("correct", original.pk)).status_code == 404
        assert client.post(_url("correct", original.pk), {"hours": "-1", "correction_reason": "r"}).status_code == 404
    assert PracticeLog.objects.count() == 1


# --- The sign-off queue -----------------------------------------------------------------------------------------------


def test_queue_groups_pending_entries_by_student_and_shows_only_the_supervisors_placements(
    world: World, ct: ActivityCategory
) -> None:
    second = StudentFactory.create(programme=world.programme)
    other = PlacementFactory.create(
        student=second, partner=world.partner_a, site=world.site_a, supervisor=_u(world, "supervisor_a")
    )
    Placement.objects.filter(pk=other.pk).update(start_date=TODAY - datetime.timedelta(days=5))
    a1, a2 = _entry(world.placement_a, ct, "1"), _entry(world.placement_a, ct, "2", date=TODAY)
    s1 = _entry(other, ct, "3", date=other.start_date)
    b1 = _entry(world.placement_b, ct, "4")
    _entry(world.placement_a, ct, "5", approved=True)

    html = _html(client_for(_u(world, "supervisor_a")).get(_url("queue")))

    assert html.count('<section class="card mb-3"') == 2
    assert {int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', html)} == {a1.pk, a2.pk, s1.pk}
    assert f'name="all-{world.student_a.pk}" value="{a1.pk}"' in html
    assert f'data-entry="{b1.pk}"' not in html
    assert "3 entries wait for your sign-off." in html


def test_queue_costs_the_same_queries_for_three_or_thirty_entries(world: World, ct: ActivityCategory) -> None:
    client = client_for(_u(world, "supervisor_a"))
    for index in range(3):
        _entry(world.placement_a, ct, "1", date=TODAY - datetime.timedelta(days=index))
    small = _queries(client, _url("queue"))

    for _index in range(9):
        student = StudentFactory.create(programme=world.programme)
        placement = PlacementFactory.create(
            student=student, partner=world.partner_a, site=world.site_a, supervisor=_u(world, "supervisor_a")
        )
        for day in range(3):
            _entry(placement, ct, "1", date=placement.start_date + datetime.timedelta(days=day))
    assert PracticeLog.objects.count() == 30

    assert _queries(client, _url("queue")) == small


def test_supervisor_approves_the_selected_entries_at_once(world: World, ct: ActivityCategory) -> None:
    first, second, third = (_entry(world.placement_a, ct, "1", date=TODAY - datetime.timedelta(d)) for d in range(3))
    client = client_for(_u(world, "supervisor_a"))

    response = client.post(_url("approve-many"), {"ids": [first.pk, third.pk]}, follow=True)

    assert "2 entries approved." in _html(response)
    statuses = dict(PracticeLog.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "pending", third.pk: "approved"}
    assert PracticeLog.objects.get(pk=first.pk).decided_in_bulk is True


def test_approve_all_of_a_student_approves_exactly_the_entries_shown(world: World, ct: ActivityCategory) -> None:
    shown = [_entry(world.placement_a, ct, "1", date=TODAY - datetime.timedelta(days=d)) for d in range(2)]
    arrived_since = _entry(world.placement_a, ct, "1", date=TODAY - datetime.timedelta(days=3))
    student = world.student_a.pk

    client_for(_u(world, "supervisor_a")).post(
        _url("approve-many"), {"student": student, f"all-{student}": [log.pk for log in shown], "ids": []}
    )

    assert set(PracticeLog.objects.filter(status="approved").values_list("pk", flat=True)) == {s.pk for s in shown}
    arrived_since.refresh_from_db()
    assert arrived_since.status == EntryStatus.PENDING


def test_bulk_approval_with_another_partners_entry_approves_nothing_and_says_why(
    world: World, ct: ActivityCategory
) -> None:
    mine = _entry(world.placement_a, ct, "1")
    foreign = _entry(world.placement_b, ct, "1")

    html = _html(client_for(_u(world, "supervisor_a")).post(_url("approve-many"), {"ids": [mine.pk, foreign.pk]}))

    assert "Nothing was approved." in html
    assert f"not yours to approve: {foreign.pk}" in html
    assert f'value="{mine.pk}" id="entry-{mine.pk}" checked' in html  # the ticked box stays ticked
    assert set(PracticeLog.objects.values_list("status", flat=True)) == {EntryStatus.PENDING}


def test_bulk_approval_with_an_entry_no_longer_pending_approves_nothing(world: World, ct: ActivityCategory) -> None:
    pending = _entry(world.placement_a, ct, "1")
    withdrawn = _entry(world.placement_a, ct, "1", date=TODAY, status=EntryStatus.WITHDRAWN)

    html = _html(client_for(_u(world, "supervisor_a")).post(_url("approve-many"), {"ids": [pending.pk, withdrawn.pk]}))

    assert "Only a pending entry can be approved or rejected." in html
    pending.refresh_from_db()
    assert pending.status == EntryStatus.PENDING


def test_supervisor_approves_one_entry(world: World, ct: ActivityCategory) -> None:
    log = _entry(world.placement_a, ct)

    response = client_for(_u(world, "supervisor_a")).post(_url("approve", log.pk))

    assert response.status_code == 302
    log.refresh_from_db()
    assert (log.status, log.decided_by_id) == (EntryStatus.APPROVED, _u(world, "supervisor_a").pk)


@pytest.mark.parametrize("persona", ["supervisor_b", "coordinator_a", "office", "tutor", "student_a"])
def test_approving_an_entry_one_does_not_supervise_is_a_404_and_approves_nothing(
    world: World, ct: ActivityCategory, persona: str
) -> None:
    log = _entry(world.placement_a, ct)

    assert client_for(_u(world, persona)).post(_url("approve", log.pk)).status_code == 404
    assert client_for(_u(world, persona)).post(_url("reject", log.pk), {"reason": "No."}).status_code == 404
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_rejection_needs_a_reason_on_the_form_then_the_student_sees_it(world: World, ct: ActivityCategory) -> None:
    log = _entry(world.placement_a, ct)
    client = client_for(_u(world, "supervisor_a"))
    assert "CT operation" in _html(client.get(_url("reject", log.pk)))

    html = _html(client.post(_url("reject", log.pk), {"reason": "  "}))
    assert "Say why the entry is rejected." in html
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING

    assert client.post(_url("reject", log.pk), {"reason": "Split CT and MR."}).status_code == 302
    log.refresh_from_db()
    assert (log.status, log.rejection_reason) == (EntryStatus.REJECTED, "Split CT and MR.")
    assert "Split CT and MR." in _html(client_for(_u(world, "student_a")).get(_url("mine")))


def test_queue_says_so_when_nothing_waits(world: World, ct: ActivityCategory) -> None:
    assert "Nothing waits for your sign-off." in _html(client_for(_u(world, "supervisor_b")).get(_url("queue")))


# --- Progress ---------------------------------------------------------------------------------------------------------


def test_progress_page_shows_bars_with_approved_hours_and_the_behind_badge(world: World, ct: ActivityCategory) -> None:
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=120)
    _entry(world.placement_a, ct, "6", approved=True)
    _entry(world.placement_a, ct, "2", date=TODAY)

    html = _html(client_for(_u(world, "student_a")).get(_url("progress", world.student_a.pk)))

    assert 'data-testid="practice-progress"' in html
    assert 'aria-valuenow="6"' in html and 'aria-valuemax="200"' in html
    assert "6 of 200 h approved (3%)" in html
    assert "2 h pending" in html
    # Half of a 61-day placement gone by: 59 h expected, 6 approved: behind.
    assert 'data-testid="behind"' in html
    assert "progress-marker pct-" in html


def test_progress_page_of_a_student_out_of_scope_is_a_404(world: World, ct: ActivityCategory) -> None:
    for persona in ("supervisor_b", "coordinator_b", "student_b", "inspector"):
        assert client_for(_u(world, persona)).get(_url("progress", world.student_a.pk)).status_code == 404


def test_progress_page_costs_the_same_queries_with_more_placements_and_entries(
    world: World, ct: ActivityCategory
) -> None:
    client = client_for(_u(world, "tutor"))
    url = _url("progress", world.student_a.pk)
    small = _queries(client, url)
    for _index in range(4):
        placement = PlacementFactory.create(student=world.student_a, partner=world.partner_a, site=world.site_a)
        PlacementHours.objects.create(placement=placement, category=ct, hours=10)
        _entry(placement, ct, "2", approved=True, date=placement.start_date)

    assert _queries(client, url) == small


def test_plan_page_shows_the_practice_summary_with_approved_hours(world: World, ct: ActivityCategory) -> None:
    _entry(world.placement_a, ct, "5", approved=True)

    html = _html(client_for(_u(world, "tutor")).get(reverse("students:plan", args=[world.student_a.pk])))

    summary = html[html.index('data-testid="practice-summary"') :]
    assert "5 of 200 h approved (2%)" in summary
    assert reverse("practice:progress", args=[world.student_a.pk]) in summary
    table = html[html.index('data-testid="hours"') :]
    row = table[table.index("CT operation") : table.index("</tr>", table.index("CT operation"))]
    assert "5 h approved" in row


def test_student_list_shows_a_progress_column_in_a_constant_number_of_queries(
    world: World, ct: ActivityCategory
) -> None:
    _entry(world.placement_a, ct, "20", approved=True)
    client = client_for(_u(world, "office"))
    url = reverse("students:list")

    html = _html(client.get(url))
    assert html.count('data-testid="practice-cell"') == 2
    assert 'aria-valuenow="20"' in html
    small = _queries(client, url)
    for _index in range(6):
        student = StudentFactory.create(programme=world.programme)
        _entry(PlacementFactory.create(student=student, partner=world.partner_a, site=world.site_a), ct, "1")

    assert _queries(client, url) == small


# --- Months and rules -------------------------------------------------------------------------------------------------


def test_office_reopens_a_month_with_a_reason_and_sees_it_listed(world: World) -> None:
    client = client_for(_u(world, "office"))
    last_month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    until = (TODAY + datetime.timedelta(days=3)).isoformat()

    html = _html(client.post(_url("reopen"), {"programme": world.programme.pk, "month": last_month, "until": until}))
    assert "Say why the month is reopened." in html
    assert MonthReopening.objects.count() == 0

    response = client.post(
        _url("reopen"),
        {"programme": world.programme.pk, "month": last_month, "until": until, "reason": "System outage."},
        follow=True,
    )

    reopening = MonthReopening.objects.get()
    assert reopening.month.strftime("%Y-%m") == last_month
    assert "System outage." in _html(response)


def test_coordinators_and_supervisors_cannot_reopen_months(world: World) -> None:
    for persona in ("coordinator_a", "supervisor_a", "tutor"):
        assert client_for(_u(world, persona)).get(_url("reopen")).status_code == 404


def test_office_sets_programme_defaults_and_a_coordinator_tightens_them_for_their_partner(world: World) -> None:
    office, coordinator = client_for(_u(world, "office")), client_for(_u(world, "coordinator_a"))
    defaults = {"programme": world.programme.pk, "daily_max_hours": "10", "entry_window_days": "10", "lock_day": "4"}

    assert office.post(_url("rules"), defaults).status_code == 302
    tighter = {**defaults, "partner": world.partner_a.pk, "daily_max_hours": "8"}
    assert coordinator.post(_url("rules"), tighter).status_code == 302

    html = _html(coordinator.get(_url("rules")))
    base = RuleSet.objects.get(partner__isnull=True)
    local = RuleSet.objects.get(partner=world.partner_a)
    assert f"P{base.pk}/L{local.pk}" in html
    assert "8 h" in html and "10 h" in html


def test_a_coordinator_cannot_loosen_the_rules_or_tighten_another_partners(world: World) -> None:
    coordinator = client_for(_u(world, "coordinator_a"))
    looser = {
        "programme": world.programme.pk,
        "partner": world.partner_a.pk,
        "daily_max_hours": "14",
        "entry_window_days": "14",
        "lock_day": "5",
    }

    html = _html(coordinator.post(_url("rules"), looser))
    assert "A partner can only tighten the daily maximum" in html
    html = _html(coordinator.post(_url("rules"), {**looser, "daily_max_hours": "8", "partner": world.partner_b.pk}))
    assert "Select a valid choice" in html
    # A coordinator sets no programme defaults: the partner is required.
    html = _html(coordinator.post(_url("rules"), {**looser, "daily_max_hours": "8", "partner": ""}))
    assert "This field is required." in html
    assert RuleSet.objects.count() == 0
    assert client_for(_u(world, "supervisor_a")).get(_url("rules")).status_code == 404


# --- Navigation and start page ----------------------------------------------------------------------------------------


def test_navigation_offers_log_hours_to_students_and_sign_off_to_supervisors(world: World) -> None:
    def nav(persona: str) -> str:
        html = _html(client_for(_u(world, persona)).get(reverse("core:start")))
        return html[html.index('id="main-nav"') : html.index("</nav>")]

    assert _url("log") in nav("student_a") and _url("queue") not in nav("student_a")
    assert _url("queue") in nav("supervisor_a") and _url("log") not in nav("supervisor_a")
    assert _url("queue") not in nav("office") and _url("log") not in nav("office")


def test_start_page_shows_the_supervisors_pending_count(world: World, ct: ActivityCategory) -> None:
    _entry(world.placement_a, ct, "1")
    _entry(world.placement_a, ct, "1", date=TODAY)
    _entry(world.placement_b, ct, "1")

    html = _html(client_for(_u(world, "supervisor_a")).get(reverse("core:start")))

    assert re.search(r'data-testid="pending-count">2<', html)
    student_html = _html(client_for(_u(world, "student_a")).get(reverse("core:start")))
    assert 'data-testid="log-hours-link"' in student_html


def test_queue_is_paged_and_approve_all_says_it_approves_the_entries_shown(
    world: World, ct: ActivityCategory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from practice import views

    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 2)
    entries = [_entry(world.placement_a, ct, "1", date=TODAY - datetime.timedelta(days=d)) for d in (3, 2, 1)]
    client = client_for(_u(world, "supervisor_a"))
    name = world.student_a.user.display_name

    first, second = _html(client.get(_url("queue"))), _html(client.get(_url("queue") + "?page=2"))

    assert [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', first)] == [e.pk for e in entries[:2]]
    assert [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', second)] == [entries[2].pk]
    assert "3 entries wait for your sign-off." in first and 'data-testid="queue-pages"' in first
    assert f"Approve the 2 entries of {name} shown here" in first
    assert f"{name} has 3 pending entries in all; the others are on another page of the queue." in first
    shown = re.findall(rf'name="all-{world.student_a.pk}" value="(\d+)"', first)
    client.post(_url("approve-many"), {"student": world.student_a.pk, f"all-{world.student_a.pk}": shown})
    statuses = [PracticeLog.objects.get(pk=e.pk).status for e in entries]
    assert statuses == [EntryStatus.APPROVED, EntryStatus.APPROVED, EntryStatus.PENDING]
    after = _html(client.get(_url("queue")))
    assert f"Approve all of {name}" in after and "queue-pages" not in after
