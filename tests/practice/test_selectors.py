"""Practice selectors: progress numbers exact on hand-made data (only approved hours count, corrections
included, pending apart, cancelled placements plan nothing), the pro-rata "behind" flag on either side
of the margin, the list summary in a fixed number of queries, and the queue and entry list in scope.

Entries are made with the factory (no rules: the state is what matters here); ``today`` is pinned.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import platform_roles
from partners.access import grant_partner_view
from practice import selectors
from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement, PlacementHours, PlacementStatus, Student
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def ct(world: World) -> ActivityCategory:
    return ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation", required_hours=200)


@pytest.fixture
def mr(world: World) -> ActivityCategory:
    return ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR operation", required_hours=100)


def _log(placement: Placement, category: ActivityCategory, hours: str, status: str = "approved", **extra: Any) -> Any:
    return PracticeLogFactory.create(
        placement=placement,
        category=category,
        hours=D(hours),
        status=status,
        date=extra.pop("date", placement.start_date),
        rejection_reason="No." if status == EntryStatus.REJECTED else "",
        **extra,
    )


def _logs(placement: Placement, category: ActivityCategory, total: str, status: str = "approved") -> None:
    """``total`` hours in entries of at most 10 hours (an entry holds at most 24), one a day."""
    left, day = D(total), placement.start_date
    while left > 0:
        _log(placement, category, str(min(left, D("10"))), status=status, date=day)
        left -= min(left, D("10"))
        day += datetime.timedelta(days=1)


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _row(progress: selectors.StudentProgress, category: ActivityCategory) -> selectors.CategoryProgress:
    return next(row for row in progress.categories if row.category.pk == category.pk)


# --- Arithmetic ---------------------------------------------------------------------------------------------


def test_elapsed_fraction_is_zero_until_the_first_day_and_one_after_the_last() -> None:
    start, end = datetime.date(2026, 11, 1), datetime.date(2026, 11, 10)  # ten days
    assert selectors.elapsed_fraction(start=start, end=end, today=datetime.date(2026, 10, 1)) == 0
    assert selectors.elapsed_fraction(start=start, end=end, today=start) == 0
    assert selectors.elapsed_fraction(start=start, end=end, today=datetime.date(2026, 11, 6)) == D("0.5")
    assert selectors.elapsed_fraction(start=start, end=end, today=end) == D("0.9")
    assert selectors.elapsed_fraction(start=start, end=end, today=datetime.date(2026, 11, 11)) == 1
    assert selectors.elapsed_fraction(start=start, end=end, today=datetime.date(2027, 1, 1)) == 1


def test_percent_is_rounded_down_and_capped_at_one_hundred() -> None:
    assert selectors.percent_of(D("99.9"), 100) == 99
    assert selectors.percent_of(D("250"), 100) == 100
    assert selectors.percent_of(D("5"), 0) == 0


# --- One student's progress ---------------------------------------------------------------------------------


def test_only_approved_hours_count_and_pending_hours_are_apart(
    world: World, ct: ActivityCategory, mr: ActivityCategory
) -> None:
    placement = world.placement_a
    _log(placement, ct, "4")
    _log(placement, ct, "3.5")
    _log(placement, ct, "2", status=EntryStatus.PENDING)
    _log(placement, ct, "5", status=EntryStatus.REJECTED)
    _log(placement, ct, "6", status=EntryStatus.WITHDRAWN)
    _log(placement, mr, "1.25")
    # Another student's approved hours never count here.
    _log(world.placement_b, ct, "8")

    progress = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY)

    assert (_row(progress, ct).approved, _row(progress, ct).pending) == (D("7.5"), D("2"))
    assert (_row(progress, mr).approved, _row(progress, mr).pending) == (D("1.25"), D("0"))
    assert progress.approved_total == D("8.75")
    assert progress.pending_total == D("2")
    assert progress.required_total == 300
    assert progress.percent == 2  # 8.75 / 300 = 2.9 %, rounded down
    assert _row(progress, ct).percent == 3  # 7.5 / 200


def test_corrections_are_counted_once_approved_and_pending_until_then(world: World, ct: ActivityCategory) -> None:
    original = _log(world.placement_a, ct, "8")
    _log(world.placement_a, ct, "-2", corrects=original, correction_reason="Lunch break.")
    _log(world.placement_a, ct, "-1", status=EntryStatus.PENDING, corrects=original, correction_reason="Late.")

    row = _row(selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY), ct)

    assert row.approved == D("6")
    assert row.pending == D("-1")


def test_planned_hours_come_from_live_placements_and_categories_without_entries_show_zero(
    world: World, ct: ActivityCategory, mr: ActivityCategory
) -> None:
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=120)
    cancelled = PlacementFactory.create(
        student=world.student_a, partner=world.partner_b, site=world.site_b, status=PlacementStatus.CANCELLED
    )
    PlacementHours.objects.create(placement=cancelled, category=ct, hours=50)

    progress = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY)

    assert (_row(progress, ct).planned, _row(progress, mr).planned) == (120, 0)
    assert _row(progress, mr).approved == D("0")
    assert [row.placement.pk for row in progress.placements] == [world.placement_a.pk]


def test_percent_shown_is_capped_at_one_hundred_and_pending_fills_only_what_is_left(
    world: World, ct: ActivityCategory
) -> None:
    _logs(world.placement_a, ct, "60")
    ActivityCategory.objects.filter(pk=ct.pk).update(required_hours=10)
    _log(world.placement_a, ct, "3", status=EntryStatus.PENDING)

    row = _row(selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY), ct)

    assert (row.percent, row.pending_percent) == (100, 0)


def _hundred_day_placement(world: World, category: ActivityCategory, required: int = 100) -> Placement:
    """Placement A over 100 days, half of them gone by TODAY: 50 % of its required hours expected."""
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=TODAY - datetime.timedelta(days=50), end_date=TODAY + datetime.timedelta(days=49)
    )
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=required)
    return Placement.objects.get(pk=world.placement_a.pk)


@pytest.mark.parametrize(
    ("approved", "behind"),
    [("40", False), ("39.99", True), ("50", False), ("0", True)],
)
def test_behind_when_approved_hours_trail_the_pro_rata_expectation_by_more_than_the_margin(
    world: World, ct: ActivityCategory, approved: str, behind: bool
) -> None:
    placement = _hundred_day_placement(world, ct)
    _logs(placement, ct, approved)
    _logs(placement, ct, "30", status=EntryStatus.PENDING)  # pending hours never help

    progress = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY)

    (row,) = progress.placements
    assert (row.required, row.expected, row.approved) == (100, D("50.00"), D(approved))
    assert row.behind is behind
    assert progress.behind is behind
    assert (
        selectors.progress_for_students(student_ids=[world.student_a.pk], user=_u(world, "office"), today=TODAY)[
            world.student_a.pk
        ].behind
        is behind
    )


@override_settings(PRACTICE_BEHIND_MARGIN=0)
def test_the_margin_is_a_setting(world: World, ct: ActivityCategory) -> None:
    placement = _hundred_day_placement(world, ct)
    _logs(placement, ct, "49")

    (row,) = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY).placements

    assert row.behind is True


def test_nothing_is_expected_before_a_placement_starts_or_where_it_requires_nothing(
    world: World, ct: ActivityCategory
) -> None:
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=TODAY + datetime.timedelta(days=1), end_date=TODAY + datetime.timedelta(days=90)
    )
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=100)
    later = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY).placements[0]
    Placement.objects.filter(pk=world.placement_b.pk).update(start_date=TODAY - datetime.timedelta(days=60))
    nothing_required = selectors.student_progress(
        student=world.student_b, user=_u(world, "office"), today=TODAY
    ).placements[0]

    assert (later.expected, later.behind) == (D("0"), False)
    assert (nothing_required.required, nothing_required.behind) == (0, False)


def test_after_the_last_day_all_required_hours_are_expected(world: World, ct: ActivityCategory) -> None:
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=TODAY - datetime.timedelta(days=60), end_date=TODAY - datetime.timedelta(days=1)
    )
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=80)
    _logs(Placement.objects.get(pk=world.placement_a.pk), ct, "64")

    (row,) = selectors.student_progress(student=world.student_a, user=_u(world, "tutor"), today=TODAY).placements

    assert (row.expected, row.approved, row.behind) == (D("80.00"), D("64"), False)


def test_student_progress_costs_two_queries_however_many_entries_and_placements(
    world: World, ct: ActivityCategory, mr: ActivityCategory
) -> None:
    def count(persona: str) -> int:
        reader = _u(world, persona)
        platform_roles(reader)  # read once per user object (accounts.roles): not the selector's cost
        with CaptureQueriesContext(connection) as captured:
            selectors.student_progress(student=world.student_a, user=reader, today=TODAY)
        return len(captured.captured_queries)

    small = count("tutor")
    for _index in range(4):
        placement = PlacementFactory.create(student=world.student_a, partner=world.partner_a, site=world.site_a)
        PlacementHours.objects.create(placement=placement, category=ct, hours=10)
        for category in (ct, mr):
            _log(placement, category, "2")
            _log(placement, category, "1", status=EntryStatus.PENDING)

    assert count("tutor") == small == 2
    assert count("coordinator_a") == 2


# --- Many students ----------------------------------------------------------------------------------------------


def test_progress_for_students_sums_each_student_in_a_fixed_number_of_queries(
    world: World, ct: ActivityCategory, mr: ActivityCategory
) -> None:
    _logs(world.placement_a, ct, "30")
    _logs(world.placement_a, mr, "15")
    _log(world.placement_a, mr, "5", status=EntryStatus.PENDING)
    _log(world.placement_b, ct, "3")

    platform_roles(_u(world, "office"))  # read once per user object: not the selector's cost
    with CaptureQueriesContext(connection) as two:
        summary = selectors.progress_for_students(
            student_ids=[world.student_a.pk, world.student_b.pk], user=_u(world, "office"), today=TODAY
        )
    others = []
    for _index in range(5):
        student = StudentFactory.create(programme=world.programme)
        placement = PlacementFactory.create(student=student, partner=world.partner_a, site=world.site_a)
        _log(placement, ct, "1")
        others.append(student.pk)
    with CaptureQueriesContext(connection) as seven:
        bigger = selectors.progress_for_students(
            student_ids=[world.student_a.pk, world.student_b.pk, *others], user=_u(world, "office"), today=TODAY
        )

    assert summary[world.student_a.pk] == selectors.ProgressSummary(D("45"), 300, 15, False)
    assert summary[world.student_b.pk] == selectors.ProgressSummary(D("3"), 300, 1, False)
    assert bigger[others[0]].approved_total == D("1")
    assert len(two) == len(seven) == 2
    assert selectors.progress_for_students(student_ids=[], user=_u(world, "office")) == {}


# --- What each reader may see --------------------------------------------------------------------------------------


@pytest.fixture
def at_both(world: World, ct: ActivityCategory, mr: ActivityCategory) -> Placement:
    """Student A also at partner B (under supervisor B, 40 h of MR required) after A (60 h of CT): 60 h
    approved and 1 pending at A, 30 approved and 2 pending at B."""
    at_b = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 2, 1),
        end_date=datetime.date(2027, 4, 30),
    )
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=60)
    PlacementHours.objects.create(placement=at_b, category=mr, hours=40)
    _logs(world.placement_a, ct, "60")
    _log(world.placement_a, ct, "1", status=EntryStatus.PENDING)
    _logs(at_b, mr, "30")
    _log(at_b, mr, "2", status=EntryStatus.PENDING)
    return at_b


@pytest.mark.parametrize("persona", ["office", "tutor", "student_a"])
def test_the_office_tutor_and_student_read_the_whole_progress(
    world: World, at_both: Placement, ct: ActivityCategory, persona: str
) -> None:
    progress = selectors.student_progress(student=world.student_a, user=_u(world, persona), today=TODAY)

    assert not progress.partial and progress.partners == (world.partner_a, world.partner_b)
    assert (progress.approved_total, progress.pending_total, progress.required_total) == (D("90"), D("3"), 300)
    assert [row.placement.pk for row in progress.placements] == [world.placement_a.pk, at_both.pk]
    assert _row(progress, ct).required == 200  # the programme's requirement


@pytest.mark.parametrize(("persona", "side"), [("coordinator_a", "a"), ("supervisor_a", "a"), ("coordinator_b", "b")])
def test_a_partners_people_read_the_hours_at_their_partner_against_what_its_placements_require(
    world: World, at_both: Placement, ct: ActivityCategory, mr: ActivityCategory, persona: str, side: str
) -> None:
    progress = selectors.student_progress(student=world.student_a, user=_u(world, persona), today=TODAY)

    mine, category, approved, pending, required = (
        (world.placement_a, ct, D("60"), D("1"), 60) if side == "a" else (at_both, mr, D("30"), D("2"), 40)
    )
    assert progress.partial and progress.partners == (mine.partner,)
    assert [row.placement.pk for row in progress.placements] == [mine.pk]
    assert [row.category.pk for row in progress.categories] == [category.pk]
    assert (progress.approved_total, progress.pending_total, progress.required_total) == (approved, pending, required)
    assert _row(progress, category).required == _row(progress, category).planned == required


def test_an_inspector_with_a_grant_reads_the_hours_at_the_partner_inspected(world: World, at_both: Placement) -> None:
    inspector = _u(world, "inspector")
    grant_partner_view(user=inspector, partner=world.partner_b, until=timezone.now() + datetime.timedelta(days=1))

    progress = selectors.student_progress(student=world.student_a, user=inspector, today=TODAY)

    assert [row.placement.pk for row in progress.placements] == [at_both.pk]
    assert (progress.approved_total, progress.required_total) == (D("30"), 40)


def test_a_co_supervisor_sees_every_placement_but_the_hours_only_where_they_supervise(
    world: World, at_both: Placement
) -> None:
    """Placements: the co-supervisor sees them all (docs/permissions.md); entries: only those at the
    placements they supervise. A placement whose entries they may not see is listed without figures."""
    Student.objects.filter(pk=world.student_a.pk).update(practice_supervisor=_u(world, "supervisor_a"))
    world.student_a.refresh_from_db()

    progress = selectors.student_progress(student=world.student_a, user=_u(world, "supervisor_a"), today=TODAY)

    at_a, at_b = progress.placements
    assert (at_a.hours_shown, at_a.approved) == (True, D("60"))
    assert (at_b.placement.pk, at_b.hours_shown, at_b.approved, at_b.pending, at_b.behind) == (
        at_both.pk,
        False,
        0,
        0,
        False,
    )
    assert (progress.approved_total, progress.pending_total, progress.required_total) == (D("60"), D("1"), 60)
    assert progress.partners == (world.partner_a,)


def test_the_list_summary_of_a_partners_people_counts_their_partner_only(world: World, at_both: Placement) -> None:
    ids = [world.student_a.pk]

    whole = selectors.progress_for_students(student_ids=ids, user=_u(world, "tutor"), today=TODAY)
    at_a = selectors.progress_for_students(student_ids=ids, user=_u(world, "coordinator_a"), today=TODAY)
    at_b = selectors.progress_for_students(student_ids=ids, user=_u(world, "supervisor_b"), today=TODAY)

    assert whole[world.student_a.pk] == selectors.ProgressSummary(D("90"), 300, 30, False, False)
    assert at_a[world.student_a.pk] == selectors.ProgressSummary(D("60"), 60, 100, False, True)
    assert at_b[world.student_a.pk] == selectors.ProgressSummary(D("30"), 40, 75, False, True)


def test_the_behind_flag_of_a_list_comes_only_from_placements_the_reader_may_see(
    world: World, at_both: Placement
) -> None:
    """On B's last day, 30 of 40 h approved there is behind; A's placement is complete. B's people and the
    tutor see "behind"; A's coordinator, who may not see B's placement, does not."""
    last_day = at_both.end_date
    ids = [world.student_a.pk]

    def behind(persona: str) -> bool:
        summary = selectors.progress_for_students(student_ids=ids, user=_u(world, persona), today=last_day)
        return summary[ids[0]].behind

    assert (behind("tutor"), behind("coordinator_b"), behind("coordinator_a")) == (True, True, False)


# --- Queue and entries -------------------------------------------------------------------------------------------


def test_supervisor_queue_holds_the_pending_entries_of_their_placements_only(
    world: World, ct: ActivityCategory
) -> None:
    mine = _log(world.placement_a, ct, "2", status=EntryStatus.PENDING)
    _log(world.placement_a, ct, "3")  # approved: not in the queue
    _log(world.placement_b, ct, "4", status=EntryStatus.PENDING)  # partner B's

    assert [log.pk for log in selectors.supervisor_queue(user=_u(world, "supervisor_a"))] == [mine.pk]
    assert selectors.supervisor_pending_count(user=_u(world, "supervisor_a")) == 1
    assert list(selectors.supervisor_queue(user=_u(world, "coordinator_a"))) == []
    assert list(selectors.supervisor_queue(user=_u(world, "office"))) == []


def test_supervises_any_is_true_only_for_supervisors_of_a_live_placement(world: World) -> None:
    assert selectors.supervises_any(user=_u(world, "supervisor_a")) is True
    assert selectors.supervises_any(user=_u(world, "student_a")) is False
    Placement.objects.filter(pk=world.placement_b.pk).update(status=PlacementStatus.CANCELLED)
    assert selectors.supervises_any(user=_u(world, "supervisor_b")) is False


def test_entry_list_is_the_students_own_filtered_by_status_and_month(world: World, ct: ActivityCategory) -> None:
    october = _log(world.placement_a, ct, "2", date=datetime.date(2026, 10, 5))
    november = _log(world.placement_a, ct, "3", status=EntryStatus.PENDING, date=datetime.date(2026, 11, 5))
    _log(world.placement_b, ct, "4")  # student B's
    user = _u(world, "student_a")

    assert [log.pk for log in selectors.entry_list(user=user)] == [november.pk, october.pk]
    assert [log.pk for log in selectors.entry_list(user=user, filters={"status": "approved"})] == [october.pk]
    month = {"month": datetime.date(2026, 11, 1)}
    assert [log.pk for log in selectors.entry_list(user=user, filters=month)] == [november.pk]
    assert list(selectors.entry_list(user=_u(world, "supervisor_a"))) == []


def test_day_total_counts_pending_and_approved_entries_only(world: World, ct: ActivityCategory) -> None:
    day = world.placement_a.start_date
    for status, hours in (("approved", "3"), ("pending", "2"), ("rejected", "5"), ("withdrawn", "1")):
        _log(world.placement_a, ct, hours, status=status, date=day)

    entries = selectors.day_entries(user=_u(world, "student_a"), student_id=world.student_a.pk, day=day)

    assert len(entries) == 4
    assert selectors.day_total(entries) == D("5")
    assert selectors.day_entries(user=_u(world, "supervisor_b"), student_id=world.student_a.pk, day=day) == []
    assert PracticeLog.objects.count() == 4
