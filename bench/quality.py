# ruff: noqa: S608  (table names come from the models' own meta, every value is a query parameter)
"""The quality report's bench (issue #17): the whole report's figures for a programme of 500 students with a
million practice-hour entries and a year of placements, plans and milestones, against the raw SQL of its
largest aggregate.

Loads (unless a finished load is there, ``--keep``) a programme through ``bench.practice.populate`` (500
students, each with a finished and a running placement across the year, at different partners) and then,
in PostgreSQL itself (``INSERT ... SELECT`` over ``generate_series``, no row through Python):

- 1,000,000 entries: several a day per placement, from its start to today, statuses spread by a hash of
  the row (recent entries mostly wait; older ones mostly approved, some rejected or withdrawn), each
  decided by the placement's supervisor 0 to 8 days after it was entered;
- a plan per student, submitted, approved by the tutor and by the office over the year (a few returned);
- four milestones per student due across the year (done on time, late, pending, waived);
- a few students suspended, graduated and withdrawn; twelve objectives covered by eight curriculum
  courses and by the placements at a level.

It then times (medians after a warm-up run):

1. ``quality.indicators.figures_json(frame)``: every section of the report for this year, and the previous
   year's figures (whatever sections exist);
2. its largest aggregate, ``quality.indicators.process.hours_by_category_and_partner`` (approved hours by
   activity category and partner over the million entries), through the ORM and as the same SQL replayed
   raw (the floor);

and prints each with its ratio to the floor and its goal: the whole report under 60 seconds.
"""

from __future__ import annotations

import datetime
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.practice import indexes_set_aside, populate
from curriculum.models import Course, CourseObjective, CurriculumEntry, PlacementObjective
from practice.models import PracticeLog
from programmes.models import Objective, ObjectiveKind, Programme
from quality.figures import Frame
from students.models import Milestone, Placement, PlacementHours, PlanEvent, Student, TrainingPlan

PREFIX = "benchq"
CODE = f"{PREFIX}-mit"
#: The goal of issue #17: the whole report in under a minute on this machine's size.
GOAL_SECONDS = 60.0


@dataclass(frozen=True)
class QualityBenchConfig:
    students: int = 500
    entries: int = 1_000_000
    partners: int = 20
    supervisors_per_partner: int = 5
    runs: int = 3


@dataclass(frozen=True)
class Measurement:
    name: str
    median: float
    floor_name: str
    floor_median: float
    queries: int
    runs: int
    goal: str

    @property
    def ratio(self) -> float:
        return self.median / self.floor_median if self.floor_median else float("inf")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _execute(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


# --- The load ------------------------------------------------------------------------------------------------


def load_entries(programme_id: int, *, entries: int, today: datetime.date, set_aside: bool = True) -> int:
    """``entries`` practice entries for the programme's placements, generated in PostgreSQL; with
    ``set_aside``, the entries table's indexes and keys are dropped for the load and rebuilt after it (a
    test, inside a transaction with deferred key checks pending, loads a few hundred rows without)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(LEAST(pl.end_date, %s) - pl.start_date + 1), 0) FROM {_table(Placement)} pl "
            f"JOIN {_table(Student)} s ON s.id = pl.student_id WHERE s.programme_id = %s AND pl.start_date <= %s",
            [today, programme_id, today],
        )
        days = int(cursor.fetchone()[0])
    slots = max(1, math.ceil(entries / max(days, 1)))
    sql = f"""
    INSERT INTO {_table(PracticeLog)} (
        student_id, placement_id, date, hours, category_id, description, status, entered_by_id,
        entered_by_supervisor, entered_at, decided_by_id, decided_at, decided_in_bulk, rejection_reason,
        rule_version, correction_reason
    )
    SELECT student_id, id, day, 1.50, cats[1 + mod(h, array_length(cats, 1))], '', status, student_user_id,
        false, entered_at, CASE WHEN status IN ('approved', 'rejected') THEN supervisor_id END,
        CASE WHEN status IN ('approved', 'rejected')
             THEN LEAST(entered_at + mod(h, 9) * interval '1 day' + mod(h, 7) * interval '1 hour', now()) END,
        false, CASE WHEN status = 'rejected' THEN 'Please split the hours by activity.' ELSE '' END, 'P0/L0', ''
    FROM (
        SELECT r.*,
            CASE WHEN r.day > %(recent)s AND r.h < 700 THEN 'pending'
                 WHEN r.h < 900 THEN 'approved'
                 WHEN r.h < 960 THEN 'pending'
                 WHEN r.h < 990 THEN 'rejected'
                 ELSE 'withdrawn' END AS status,
            (r.day + time '09:00' + r.slot * interval '7 minutes')::timestamptz AS entered_at
        FROM (
            SELECT p.*, d::date AS day, k AS slot,
                mod(abs(hashtext(p.id::text || ':' || d::date::text || ':' || k::text)), 1000) AS h
            FROM (
                SELECT pl.id, pl.student_id, s.user_id AS student_user_id, pl.supervisor_id, pl.start_date,
                    LEAST(pl.end_date, %(today)s) AS last_day,
                    ARRAY(SELECT ph.category_id FROM {_table(PlacementHours)} ph
                          WHERE ph.placement_id = pl.id ORDER BY ph.category_id) AS cats
                FROM {_table(Placement)} pl JOIN {_table(Student)} s ON s.id = pl.student_id
                WHERE s.programme_id = %(programme)s AND pl.start_date <= %(today)s
            ) p, generate_series(p.start_date, p.last_day, interval '1 day') d, generate_series(1, %(slots)s) k
            LIMIT %(limit)s
        ) r
    ) e
    """
    params = {
        "today": today,
        "recent": today - datetime.timedelta(days=21),
        "programme": programme_id,
        "slots": slots,
        "limit": entries,
    }
    if not set_aside:
        return _execute(sql, params)
    with indexes_set_aside():
        return _execute(sql, params)


def load_year(programme_id: int, *, today: datetime.date) -> None:
    """Plans and their events, milestones, a few changes of status, objectives and their coverage."""
    students = f"SELECT s.id, s.user_id, mod(abs(hashtext(s.id::text)), 1000) AS h FROM {_table(Student)} s"
    where = "WHERE s.programme_id = %(programme)s"
    year_start = datetime.date(today.year, 1, 1)
    params = {"start": year_start, "today": today, "programme": programme_id}
    # Statuses: 3 % suspended, 5 % graduated, 2 % withdrawn.
    _execute(
        f"UPDATE {_table(Student)} s SET status = CASE WHEN h < 30 THEN 'suspended' WHEN h < 80 THEN 'graduated' "
        f"ELSE 'withdrawn' END FROM ({students} {where}) x WHERE x.id = s.id AND x.h < 100",
        params,
    )
    _execute(
        f"INSERT INTO {_table(TrainingPlan)} (student_id, status, version, approved_version, is_amendment, updated_at) "
        f"SELECT x.id, CASE WHEN x.h < 50 THEN 'submitted' ELSE 'approved' END, 1, "
        f"CASE WHEN x.h < 50 THEN NULL ELSE 1 END, false, now() FROM ({students} {where}) x",
        params,
    )
    # Events: submitted on a day of the year, the tutor 1-6 days later, the office 1-10 days after that.
    _execute(
        f"""
        INSERT INTO {_table(PlanEvent)} (plan_id, version, action, reason, by_id, at)
        SELECT p.id, 1, e.action, CASE WHEN e.action = 'returned' THEN 'Add the placements.' ELSE '' END, x.user_id,
            (%(start)s::date + mod(x.h, 300) * interval '1 day' + e.offset_days * interval '1 day'
             + time '10:00')::timestamptz
        FROM {_table(TrainingPlan)} p JOIN ({students} {where}) x ON x.id = p.student_id
        CROSS JOIN LATERAL (VALUES
            ('submitted', 0), ('tutor_approved', 1 + mod(x.h, 6)), ('approved', 2 + mod(x.h, 6) + mod(x.h, 10)),
            ('returned', -5)
        ) e(action, offset_days)
        WHERE (e.action = 'submitted')
           OR (e.action IN ('tutor_approved', 'approved') AND p.status = 'approved')
           OR (e.action = 'returned' AND mod(x.h, 10) = 0)
        """,
        params,
    )
    # Milestones: four a student, due across the year; done on time, late, pending or waived.
    _execute(
        f"""
        INSERT INTO {_table(Milestone)} (student_id, kind, due_date, status, completed_on, waived_reason, evidence)
        SELECT x.id, m.kind, due, status,
            CASE WHEN status = 'done' THEN due + (mod(x.h + m.n, 20) - 12) END,
            CASE WHEN status = 'waived' THEN 'Waived by the committee.' ELSE '' END, ''
        FROM ({students} {where}) x
        CROSS JOIN LATERAL (VALUES ('proposal', 1), ('midterm', 2), ('thesis', 3), ('defence', 4)) m(kind, n)
        CROSS JOIN LATERAL (SELECT (%(start)s::date + mod(x.h * m.n, 360)) AS due) d
        CROSS JOIN LATERAL (SELECT CASE WHEN mod(x.h + m.n, 25) = 0 THEN 'waived'
            WHEN due < %(today)s AND mod(x.h + m.n, 7) = 0 THEN 'pending'
            WHEN due < %(today)s - 20 THEN 'done' ELSE 'pending' END AS status) s
        """,
        params,
    )
    programme = Programme.objects.get(pk=programme_id)
    kinds = list(ObjectiveKind.values)
    objectives = Objective.objects.bulk_create(
        Objective(programme=programme, kind=kinds[n % len(kinds)], code=f"BQ{n:02d}", description=f"Objective {n}")
        for n in range(12)
    )
    teacher = programme.lead_university
    courses = Course.objects.bulk_create(
        Course(
            code=f"BQC{n}",
            title_en=f"Course {n}",
            category="professional_core",
            credits=2,
            hours=32,
            teaching_partner=teacher,
        )
        for n in range(8)
    )
    CurriculumEntry.objects.bulk_create(
        CurriculumEntry(programme=programme, course=c, kind="compulsory", term=1 + n % 4) for n, c in enumerate(courses)
    )
    CourseObjective.objects.bulk_create(
        CourseObjective(course=c, objective=objectives[(n * 3 + k) % 10], level=1 + (n + k) % 3)
        for n, c in enumerate(courses)
        for k in range(3)
    )
    _execute(
        f"""
        INSERT INTO {_table(PlacementObjective)} (placement_id, objective_id, level)
        SELECT pl.id, o.id, 1 + mod(pl.id + o.id, 3)
        FROM {_table(Placement)} pl JOIN {_table(Student)} s ON s.id = pl.student_id
        JOIN {_table(Objective)} o ON o.programme_id = s.programme_id AND o.code IN ('BQ00', 'BQ04', 'BQ08')
        WHERE s.programme_id = %(programme)s
        """,
        params,
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {_table(PracticeLog)}")
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------------------


def _median(fn: Callable[[], object], *, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(frame: Frame, *, runs: int) -> tuple[list[Measurement], dict[str, float]]:
    """The whole report and its largest aggregate, each against the aggregate's raw SQL; and each section
    once, for the reading of the numbers."""
    from quality.indicators import SECTIONS, figures_json, section
    from quality.indicators.process import hours_by_category_and_partner

    with CaptureQueriesContext(connection) as captured:
        list(hours_by_category_and_partner(frame))
    statements = [q["sql"] for q in captured.captured_queries]

    def raw() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    floor = _median(raw, runs=runs)
    aggregate = _median(lambda: list(hours_by_category_and_partner(frame)), runs=runs)
    with CaptureQueriesContext(connection) as whole_queries:
        figures_json(frame)
    whole = _median(lambda: figures_json(frame), runs=runs, warmup=0)
    floor_name = "largest aggregate, raw SQL"
    results = [
        Measurement(
            "(1) figures_json: the whole report",
            whole,
            floor_name,
            floor,
            len(whole_queries.captured_queries),
            runs,
            f"< {GOAL_SECONDS:.0f} s: {'met' if whole < GOAL_SECONDS else 'NOT met'}",
        ),
        Measurement(
            "(2) hours by category and partner (ORM)",
            aggregate,
            floor_name,
            floor,
            len(statements),
            runs,
            "about 1x (the ORM adds nothing)",
        ),
    ]
    sections: dict[str, float] = {}
    for key, _title in SECTIONS:
        started = time.perf_counter()
        section(key, frame)
        sections[key] = time.perf_counter() - started
    return results, sections


# --- The run ---------------------------------------------------------------------------------------------------


def run(config: QualityBenchConfig, *, reuse: bool, out: TextIO) -> list[Measurement]:
    """Migrate, load (unless ``reuse`` finds a finished load of the same size), measure and print."""
    from django.core.management import call_command

    write = out.write
    today = timezone.localdate()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    existing = Programme.objects.filter(code=CODE).first()
    if (
        reuse
        and existing is not None
        and PracticeLog.objects.filter(student__programme=existing).count() == config.entries
    ):
        programme_id = existing.pk
        load_line = "reused the load of an earlier run (--keep)"
    else:
        if existing is not None:
            raise SystemExit("The bench database holds another quality load: run again without --keep.")
        t0 = time.perf_counter()
        population = populate(
            students=config.students,
            partners=config.partners,
            supervisors_per_partner=config.supervisors_per_partner,
            today=today,
            prefix=PREFIX,
        )
        programme_id = population.programme_id
        Programme.objects.filter(pk=programme_id).update(first_intake_year=today.year - 1)
        t1 = time.perf_counter()
        loaded = load_entries(programme_id, entries=config.entries, today=today)
        t2 = time.perf_counter()
        load_year(programme_id, today=today)
        t3 = time.perf_counter()
        _analyze()
        t4 = time.perf_counter()
        load_line = (
            f"people and placements {t1 - t0:.1f} s; {loaded:,} entries by INSERT ... SELECT {t2 - t1:.1f} s "
            f"(indexes and keys rebuilt included); plans, milestones, objectives {t3 - t2:.1f} s; "
            f"VACUUM ANALYZE {t4 - t3:.1f} s; load {t4 - t0:.1f} s in all"
        )
    logs = PracticeLog.objects.filter(student__programme_id=programme_id)
    by_status = dict(logs.order_by().values_list("status").annotate(n=Count("pk")))
    counts = {
        "students": Student.objects.filter(programme_id=programme_id).count(),
        "placements": Placement.objects.filter(student__programme_id=programme_id).count(),
        "entries": sum(by_status.values()),
        **{f"entries {status}": n for status, n in sorted(by_status.items())},
        "plan events": PlanEvent.objects.filter(plan__student__programme_id=programme_id).count(),
        "milestones": Milestone.objects.filter(student__programme_id=programme_id).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    write(f"\nTandem quality report bench: PostgreSQL {version}, database {connection.settings_dict['NAME']}\n")
    write(f"{load_line}\n")
    write("rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()) + "\n\n")
    frame = Frame(programme_id=programme_id, year=today.year, as_of=today)
    results, sections = measure(frame, runs=config.runs)
    header = (
        f"{'measurement':<42} {'median':>10} {'floor':<28} {'median':>10} {'ratio':>7} {'queries':>7} {'runs':>4}  goal"
    )
    write(header + "\n" + "-" * len(header) + "\n")
    for r in results:
        write(
            f"{r.name:<42} {r.median * 1000:>8.0f}ms {r.floor_name:<28} {r.floor_median * 1000:>8.0f}ms "
            f"{r.ratio:>6.1f}x {r.queries:>7} {r.runs:>4}  {r.goal}\n"
        )
    write("sections, once each: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sections.items()) + "\n")
    write(f"quality scenario {time.perf_counter() - started:.1f} s\n")
    return results
