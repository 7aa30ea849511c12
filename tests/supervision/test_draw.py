"""The risk-weighted spot-inspection draw: risk factors and weights on crafted data, reproducibility, once
per period, conflict-free assignment, secrecy of what it plans, and its beat entry.

Factor tests pin ``today`` inside the world's placements (2026-10-01 to 2027-01-31); entries are made with
the factory (they skip the practice rules on purpose, to build a state quickly).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role, revoke_platform_role
from config.celery import app as celery_app
from core import hooks, navcache
from core.models import Notification
from partners import access
from partners.models import MembershipRole, Partner, PartnerKind, PartnerStatus
from practice.models import EntryStatus
from supervision.models import (
    ActionStatus,
    ChecklistTemplate,
    CorrectiveAction,
    DrawCandidate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    SpotDraw,
)
from supervision.services import draw as spot
from supervision.tasks import draw_run_outcome
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.factories.practice import PracticeLogFactory
from tests.supervision import helpers

DAY = datetime.date(2026, 12, 15)  # a Tuesday inside the world's placements


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon, local time, on ``day``."""
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _log(world: World, day: datetime.date, *, placement: Any = None, **values: Any) -> Any:
    return PracticeLogFactory.create(placement=placement or world.placement_a, date=day, **values)


def _approved(world: World, day: datetime.date, decided: datetime.date, **values: Any) -> Any:
    values.setdefault("decided_by", world.users["supervisor_a"])
    return _log(world, day, status=EntryStatus.APPROVED, decided_at=_at(decided), **values)


def _office(world: World) -> User:
    return helpers.user(world, "office")


# --- Risk factors ------------------------------------------------------------------------------------------


def test_probation_and_corrective_actions_open_and_overdue(world: World) -> None:
    Partner.objects.filter(pk=world.partner_a.pk).update(status=PartnerStatus.PROBATION)
    helpers.closed(world)  # one major finding at A: one corrective action, due in 30 days
    partners = list(Partner.objects.filter(pk__in=[world.partner_a.pk, world.partner_b.pk]))
    today = timezone.localdate()

    now = spot.risk_factors(partners, today)
    later = spot.risk_factors(partners, today + datetime.timedelta(days=40))

    a, b = now[world.partner_a.pk], now[world.partner_b.pk]
    assert (a["probation"], a["open_actions"], a["overdue_actions"]) == (True, 1, 0)
    assert (b["probation"], b["open_actions"], b["overdue_actions"]) == (False, 0, 0)
    assert later[world.partner_a.pk]["overdue_actions"] == 1
    assert a["last_inspected"] == today.isoformat() and a["days_since_inspection"] == 0
    assert later[world.partner_a.pk]["days_since_inspection"] == 40
    assert b["never_inspected"] is True and b["days_since_inspection"] == spot.DAYS_CAP


def test_answered_action_is_open_but_not_overdue_and_verified_is_neither(world: World) -> None:
    helpers.closed(world)
    action = CorrectiveAction.objects.get()
    late = timezone.localdate() + datetime.timedelta(days=40)
    action.status = ActionStatus.ANSWERED
    action.save()
    answered = spot.risk_factors([world.partner_a], late)[world.partner_a.pk]
    action.status = ActionStatus.VERIFIED
    action.save()
    verified = spot.risk_factors([world.partner_a], late)[world.partner_a.pk]

    assert (answered["open_actions"], answered["overdue_actions"]) == (1, 0)
    assert (verified["open_actions"], verified["overdue_actions"]) == (0, 0)


def test_practice_hour_anomalies_over_the_last_90_days(world: World) -> None:
    supervisor_a = helpers.user(world, "supervisor_a")
    december = [datetime.date(2026, 12, d) for d in range(1, 11)]
    for day in december[:6]:  # 6 pending entries by the student: nothing odd
        _log(world, day)
    for day in december[:4]:  # 4 entered by the supervisor, approved on entry
        _approved(world, day, day, entered_by=supervisor_a, entered_by_supervisor=True)
    for _ in range(5):  # 5 approved 29 days after their date: late
        _approved(world, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    for _ in range(5):  # 5 approved the next day in a bulk approval
        _approved(world, december[9], DAY - datetime.timedelta(days=4), decided_in_bulk=True)
    _approved(world, december[0], december[0] + datetime.timedelta(days=14))  # exactly 14 days: not late
    _log(world, DAY - datetime.timedelta(days=91), entered_by=supervisor_a)  # outside the window
    _log(world, december[0], status=EntryStatus.WITHDRAWN, entered_by=supervisor_a)  # withdrawn: left out

    factors = spot.risk_factors([world.partner_a, world.partner_b], DAY)

    a = factors[world.partner_a.pk]
    assert (a["entries"], a["approved_entries"]) == (21, 15)
    assert a["entered_by_others_share"] == round(4 / 21, 4)
    assert a["late_approval_share"] == round(5 / 15, 4)
    assert a["bulk_approval_share"] == round(5 / 15, 4)
    assert factors[world.partner_b.pk]["entries"] == 0


def test_a_handful_of_entries_proves_nothing(world: World) -> None:
    supervisor_a = helpers.user(world, "supervisor_a")
    for day in range(1, spot.MIN_ENTRIES):  # one fewer than the minimum, all by the supervisor
        _log(world, datetime.date(2026, 12, day), entered_by=supervisor_a)

    factors = spot.risk_factors([world.partner_a], DAY)[world.partner_a.pk]

    assert factors["entries"] == spot.MIN_ENTRIES - 1
    assert factors["entered_by_others_share"] == 0.0


def test_risk_factors_cost_three_queries_however_many_partners(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # The built-in factors' cost: factors other apps plug in (core.hooks.DRAW_FACTORS) count their own queries
    # in their own tests.
    monkeypatch.setattr(hooks.DRAW_FACTORS, "_entries", {})

    def measure(partners: list[Partner]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            spot.risk_factors(partners, DAY)
        return len(ctx.captured_queries)

    helpers.closed(world)
    for day in range(1, 8):
        _log(world, datetime.date(2026, 12, day))
    few = measure([world.partner_a])
    more = [world.partner_a, world.partner_b, *PartnerFactory.create_batch(6)]
    # three of its own, and one per factor the apps above add through core.hooks.DRAW_FACTORS (funds: one)
    assert few == measure(more) == 3 + len(hooks.DRAW_FACTORS)


def test_weight_adds_each_term_to_the_base() -> None:
    nothing = {"days_since_inspection": 0}
    example = {
        "probation": True,
        "open_actions": 2,
        "overdue_actions": 1,
        "entered_by_others_share": 0.2,
        "late_approval_share": 0.5,
        "bulk_approval_share": 0.1,
        "days_since_inspection": 365,
    }
    worst = {
        "probation": True,
        "open_actions": 50,
        "overdue_actions": 50,
        "entered_by_others_share": 1.0,
        "late_approval_share": 1.0,
        "bulk_approval_share": 1.0,
        "days_since_inspection": 5000,
    }

    assert spot.weight(nothing) == Decimal("1.0000")
    # 1 + 2 + 2 x 0.5 + 1 x 1.0 + 2.0 x 0.2 + 1.5 x 0.5 + 1.5 x 0.1 + 2.0 x 365/730
    assert spot.weight(example) == Decimal("7.3000")
    assert spot.weight(worst) == Decimal("15.0000")
    assert spot.weight_parts(example)["open_actions"] == Decimal("1.0")


# --- Candidates ----------------------------------------------------------------------------------------------


def test_candidates_are_active_or_probation_training_partners_without_an_open_inspection(world: World) -> None:
    suspended = PartnerFactory.create(kind=PartnerKind.HOSPITAL, status=PartnerStatus.SUSPENDED)
    on_probation = PartnerFactory.create(kind=PartnerKind.RESEARCH_INSTITUTE, status=PartnerStatus.PROBATION)
    government = PartnerFactory.create(kind=PartnerKind.GOVERNMENT)
    busy = PartnerFactory.create(kind=PartnerKind.ENTERPRISE)
    helpers.plan(world, partner=busy)
    done = helpers.closed(world).target_partner  # partner A, its inspection closed: a candidate again

    ids = [p.pk for p in spot.draw_candidates()]

    assert ids == sorted([done.pk, world.partner_b.pk, on_probation.pk])
    assert world.university.pk not in ids and suspended.pk not in ids and government.pk not in ids


# --- Reproducibility ------------------------------------------------------------------------------------------


def test_same_seed_same_picks_and_weight_matters() -> None:
    weights = [Decimal("1"), Decimal("2.5"), Decimal("1"), Decimal("7"), Decimal("1.2"), Decimal("3")]

    assert spot.draw_pick(12345, weights, 3) == spot.draw_pick(12345, weights, 3)
    assert len(set(spot.draw_pick(12345, weights, 3))) == 3
    assert len({tuple(spot.draw_pick(seed, weights, 3)) for seed in range(50)}) > 1
    heavy = sum(spot.draw_pick(seed, [Decimal("1"), Decimal("10")], 1) == [1] for seed in range(2000))
    assert 0.85 < heavy / 2000 < 0.96  # 10 / 11 = 0.909
    assert spot.draw_pick(1, weights, 10) != [] and len(spot.draw_pick(1, weights, 10)) == len(weights)


def _more_candidates(count: int = 6) -> list[Partner]:
    return PartnerFactory.create_batch(count, kind=PartnerKind.HOSPITAL)


def test_stored_draw_recomputes_to_its_picks_and_a_tampered_one_does_not(world: World) -> None:
    helpers.template_for()
    _more_candidates()
    draw = spot.draw_run(today=DAY, picks=3)

    stored = spot.draw_picks(draw)
    assert len(stored) == 3
    assert spot.draw_recompute(draw) == stored
    candidates = list(draw.candidates.order_by("position"))
    assert [c.partner_id for c in candidates] == sorted(c.partner_id for c in candidates)
    assert all(c.weight == spot.weight(c.factors) for c in candidates)
    assert [c.position for c in candidates] == list(range(len(candidates)))

    weights = [c.weight for c in candidates]
    other_seed = next(
        s for s in range(1, 1000) if spot.draw_pick(s, weights, 3) != spot.draw_pick(draw.seed, weights, 3)
    )
    SpotDraw.objects.filter(pk=draw.pk).update(seed=other_seed)
    draw.refresh_from_db()
    assert spot.draw_recompute(draw) != stored


# --- Once per period ----------------------------------------------------------------------------------------


def test_running_twice_in_a_period_creates_nothing_more(world: World) -> None:
    helpers.template_for()
    first = spot.draw_run(today=DAY)
    inspections = Inspection.objects.count()
    second = spot.draw_run(today=DAY + datetime.timedelta(days=3))  # same ISO week (Friday)

    assert first.period == "2026-W51" and second.pk == first.pk
    assert SpotDraw.objects.count() == 1
    assert Inspection.objects.count() == inspections == 2
    assert DrawCandidate.objects.filter(draw=first).count() == 2
    next_week = spot.draw_run(today=DAY + datetime.timedelta(days=7))
    assert next_week.period == "2026-W52" and SpotDraw.objects.count() == 2


def test_the_task_runs_the_draw_once_per_period(world: World) -> None:
    helpers.template_for()

    first = draw_run_outcome.apply(args=[DAY.isoformat()]).get()
    second = draw_run_outcome.apply(args=[DAY.isoformat()]).get()

    assert first == {"period": "2026-W51", "picks": 2, "created": 2}
    assert second == {"period": "2026-W51", "picks": 2, "created": 0}


def test_picks_become_planned_spot_inspections_on_a_working_day_soon(world: World) -> None:
    helpers.template_for()
    draw = spot.draw_run(today=DAY)

    picked = list(draw.candidates.filter(pick_order__isnull=False).select_related("inspection"))
    assert len(picked) == 2
    for candidate in picked:
        inspection = candidate.inspection
        assert inspection is not None
        assert (inspection.kind, inspection.status) == (InspectionKind.SPOT, InspectionStatus.PLANNED)
        assert inspection.target_partner_id == candidate.partner_id
        assert inspection.created_by == _office(world)  # the earliest active office user plans for the job
        assert inspection.planned_date.weekday() < 5
        assert 1 <= (inspection.planned_date - DAY).days <= spot.PLAN_WITHIN_DAYS
        assert list(inspection.assignments.values_list("inspector__username", flat=True)) == ["inspector"]


def test_only_the_office_runs_a_draw(world: World) -> None:
    with pytest.raises(PermissionDenied):
        spot.draw_run(today=DAY, by=helpers.user(world, "coordinator_a"))
    assert not SpotDraw.objects.exists()


def test_a_failure_while_planning_writes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    helpers.template_for()
    real = spot.inspection_plan
    calls: list[int] = []

    def fail_on_second(**kwargs: Any) -> Inspection:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(spot, "inspection_plan", fail_on_second)
    with pytest.raises(RuntimeError):
        spot.draw_run(today=DAY)

    assert len(calls) == 2
    assert not SpotDraw.objects.exists() and not DrawCandidate.objects.exists() and not Inspection.objects.exists()


# --- Assignment ----------------------------------------------------------------------------------------------


def _inspector(username: str) -> User:
    user = UserFactory.create(username=username)
    grant_platform_role(user, PlatformRole.INSPECTOR)
    return user


def _only_partner_a_is_a_candidate(world: World) -> None:
    Partner.objects.filter(pk=world.partner_b.pk).update(status=PartnerStatus.SUSPENDED)


def test_an_inspector_with_a_membership_at_the_partner_is_never_assigned(world: World) -> None:
    _only_partner_a_is_a_candidate(world)
    helpers.plan(world, partner=world.partner_b)  # the world's inspector is busier than the conflicted one
    conflicted = _inspector("conflicted")
    MembershipFactory.create(user=conflicted, partner=world.partner_a, role=MembershipRole.STAFF)

    draw = spot.draw_run(today=DAY, picks=1)

    candidate = draw.candidates.get(pick_order=1)
    assert candidate.partner_id == world.partner_a.pk and candidate.inspection is not None
    assert list(candidate.inspection.assignments.values_list("inspector__username", flat=True)) == ["inspector"]


def test_the_least_loaded_inspector_without_conflict_is_assigned(world: World) -> None:
    _only_partner_a_is_a_candidate(world)
    helpers.plan(world, partner=world.partner_b)
    _inspector("idle")

    draw = spot.draw_run(today=DAY, picks=1)

    inspection = draw.candidates.get(pick_order=1).inspection
    assert inspection is not None
    assert list(inspection.assignments.values_list("inspector__username", flat=True)) == ["idle"]


def test_a_pick_without_an_eligible_inspector_is_recorded_and_not_inspected(world: World) -> None:
    _only_partner_a_is_a_candidate(world)
    helpers.template_for()
    revoke_platform_role(helpers.user(world, "inspector"), PlatformRole.INSPECTOR)
    conflicted = _inspector("conflicted")
    MembershipFactory.create(user=conflicted, partner=world.partner_a, role=MembershipRole.SUPERVISOR)

    draw = spot.draw_run(today=DAY, picks=1)

    candidate = draw.candidates.get(pick_order=1)
    assert candidate.inspection is None
    assert candidate.skipped_reason == spot.NO_INSPECTOR
    assert spot.NOTE_SKIPPED in draw.note
    assert not Inspection.objects.exists()


def test_without_a_partner_checklist_picks_are_recorded_with_the_reason(world: World) -> None:
    ChecklistTemplate.objects.update(is_active=False)

    draw = spot.draw_run(today=DAY)

    assert set(draw.candidates.filter(pick_order__isnull=False).values_list("skipped_reason", flat=True)) == {
        spot.NO_TEMPLATE
    }
    assert spot.NOTE_NO_TEMPLATE in draw.note
    assert not Inspection.objects.exists()


# --- Secrecy ------------------------------------------------------------------------------------------------


def test_drawn_inspections_are_invisible_to_the_target_and_visible_to_the_inspector(world: World) -> None:
    helpers.template_for()
    draw = spot.draw_run(today=DAY)
    drawn = Inspection.objects.filter(draw_candidate__draw=draw)
    assert drawn.count() == 2

    for persona in ("coordinator_a", "supervisor_a", "coordinator_b", "supervisor_b", "tutor", "student_a"):
        assert not access.scope(drawn, helpers.user(world, persona)).exists(), persona
    assert access.scope(drawn, helpers.user(world, "inspector")).count() == 2
    assert access.scope(drawn, _office(world)).count() == 2
    coordinators = [helpers.user(world, "coordinator_a"), helpers.user(world, "coordinator_b")]
    assert not Notification.objects.filter(user__in=coordinators).exists()


# --- The schedule ---------------------------------------------------------------------------------------------


def test_the_weekly_beat_entry_runs_the_registered_task(db: Any) -> None:
    task = PeriodicTask.objects.get(name="Spot-inspection draw (weekly)")

    assert task.task == "supervision.draw_run_outcome" == draw_run_outcome.name
    assert task.enabled
    assert task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "2", "1")
    assert "supervision.draw_run_outcome" in celery_app.tasks


def _statements(ctx: CaptureQueriesContext) -> tuple[list[str], list[str]]:
    """The INSERTs into the candidates' table and the SELECTs a draw sent."""
    table = DrawCandidate._meta.db_table
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    return inserts, selects


class _Undo(Exception):
    pass


def _stored(draw: SpotDraw) -> list[tuple[Any, ...]]:
    return list(draw.candidates.order_by("position").values_list("position", "partner_id", "weight", "factors"))


def test_no_statement_of_the_draw_grows_with_the_candidates(world: World) -> None:
    # Issue #19: at 100,000 candidates one INSERT of every candidate and IN-lists of every id (the built-in
    # risk queries', then the factors' other apps plug in) made statements of 35 MB, then 0.7 MB. On
    # PostgreSQL the candidates are copied (COPY, no INSERT); every query takes the candidates as a
    # subquery, the apps' factors (funds, reviews) included.
    assert {"fund_flags", "low_reviews"} <= hooks.DRAW_FACTORS.keys()
    helpers.template_for()

    def run(period: str) -> tuple[int, list[str], list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            draw = spot.draw_run(today=DAY, period=period, picks=0)
        return (draw.candidates.count(), *_statements(ctx))

    few, few_inserts, few_selects = run("2026-W01")
    PartnerFactory.create_batch(10, kind=PartnerKind.HOSPITAL)
    many, many_inserts, many_selects = run("2026-W02")

    assert many == few + 10
    if spot._copies():
        assert few_inserts == many_inserts == []
    assert max(map(len, many_selects)) == max(map(len, few_selects))
    assert sorted(map(len, many_selects)) == sorted(map(len, few_selects))


def test_the_candidates_written_raise_their_table_version(world: World) -> None:
    """Whatever way they are written (COPY on PostgreSQL passes by Django's statement wrappers), the
    candidates' table is said to be written: pages kept between writes to what they read end (ADR 0055)."""
    helpers.template_for()
    key = navcache.TABLE_KEY.format(DrawCandidate._meta.db_table)
    before = cache.get(key) or 0

    draw = spot.draw_run(today=DAY, period="2026-W03", picks=0)

    assert draw.candidates.exists()
    assert (cache.get(key) or 0) > before


def test_a_draw_factor_gets_a_subquery_not_a_list_of_ids(world: World) -> None:
    # Each factor of core.hooks.DRAW_FACTORS sends the same SQL, byte for byte, before and after ten more
    # candidates: it takes the candidates as a subquery, so no IN-list grows with them (a factor that read
    # the ids and listed them would send longer SQL the second time).
    factors = list(hooks.DRAW_FACTORS)
    assert {"fund_flags", "low_reviews"} <= {factor.key for factor in factors}
    candidates = Partner.objects.filter(kind__in=spot.DRAW_KINDS).order_by().values("pk")

    def sent() -> dict[str, list[str]]:
        statements = {}
        for factor in factors:
            with CaptureQueriesContext(connection) as ctx:
                factor.compute(candidates, DAY)
            statements[factor.key] = [q["sql"] for q in ctx.captured_queries]
        return statements

    few = sent()
    PartnerFactory.create_batch(10, kind=PartnerKind.HOSPITAL)
    many = sent()

    assert all(few.values()) and many == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere INSERTs are the path")
def test_batched_inserts_store_what_copy_stores(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where COPY is not there (SQLite), the candidates go in INSERTs of CANDIDATES_PER_INSERT rows: both
    # paths store the same candidates, weights and factors, and the picks recompute from either.
    monkeypatch.setattr(spot, "CANDIDATES_PER_INSERT", 4)
    helpers.template_for()
    on_probation = PartnerFactory.create(kind=PartnerKind.HOSPITAL, status=PartnerStatus.PROBATION)
    PartnerFactory.create_batch(6, kind=PartnerKind.HOSPITAL)
    for day in range(1, 8):
        _log(world, datetime.date(2026, 12, day))
    helpers.closed(world)

    def run() -> tuple[list[tuple[Any, ...]], int, int, bool]:
        """A draw with two picks, undone afterwards (its picks would not be candidates of the next)."""
        outcome: tuple[list[tuple[Any, ...]], int, int, bool] | None = None
        with pytest.raises(_Undo), transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                draw = spot.draw_run(today=DAY, period="2026-W01", picks=2)
            planned = draw.candidates.filter(inspection__isnull=False).count()
            outcome = (
                _stored(draw),
                len(_statements(ctx)[0]),
                planned,
                spot.draw_recompute(draw) == spot.draw_picks(draw),
            )
            raise _Undo
        assert outcome is not None
        return outcome

    copied, copied_inserts, copied_planned, copied_recomputes = run()
    monkeypatch.setattr(spot, "_copies", lambda: False)
    inserted, inserted_inserts, inserted_planned, inserted_recomputes = run()

    assert copied == inserted and len(copied) >= 9
    assert (copied_inserts, inserted_inserts) == (0, -(-len(copied) // 4))
    assert copied_planned == inserted_planned == 2 and copied_recomputes and inserted_recomputes
    factors = {partner_id: values for _position, partner_id, _weight, values in copied}
    assert factors[on_probation.pk]["probation"] is True and factors[on_probation.pk]["open_fund_flags"] == 0
    assert factors[world.partner_a.pk]["entries"] == 7
