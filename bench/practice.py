"""The practice-hours benchmark: a million entries in PostgreSQL, then the reads people wait for.

Loads a programme with students placed across many partners (``populate``: a few thousand rows through
``bulk_create``) and their entries (``entry_rows``, a generator, streamed into PostgreSQL with ``COPY``
in chunks, never one ORM object per row); then ANALYZE. It then measures, in the same run, each read
against a floor measured in the same run on the same data, and prints the ratios:

(a) the supervisor's queue page, against a trivial authenticated endpoint (the API root) through the
    same logged-in client: what the page costs beyond being a page at all;
(b) one student's progress (``practice.selectors.student_progress``) as the coordinator of a partner
    they are placed at reads it (entries and placements scoped to that partner), against the very SQL it
    ran, replayed raw through a cursor: what the ORM and the Python around it add;
(c) a programme-wide report (approved hours per student per category, one aggregate ORM query),
    against the same SQL run raw;
(d) the progress column of a list page of 50 students (``progress_for_students``, read by the same
    coordinator), against its raw SQL.

Ratios, not milliseconds, are the result: they travel between machines. Medians after warm-up runs.
The test suite only checks that the generator's rows are valid (tests/practice/test_bench.py).
"""

from __future__ import annotations

import datetime
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from partners import access
from partners.models import Membership, MembershipRole, Partner, PartnerKind, Site
from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory, Cohort, DegreeType, Participation, ParticipationRole, Programme
from students.models import Placement, PlacementHours, PlacementStatus, Student

#: The columns ``entry_rows`` yields, in order (model field names; ``COPY`` uses their columns).
FIELDS = (
    "student_id",
    "placement_id",
    "date",
    "hours",
    "start_time",
    "end_time",
    "category_id",
    "cases",
    "description",
    "status",
    "entered_by_id",
    "entered_by_supervisor",
    "entered_at",
    "decided_by_id",
    "decided_at",
    "decided_in_bulk",
    "rejection_reason",
    "rule_version",
    "corrects_id",
    "correction_reason",
    "idempotency_key",
)
COPY_CHUNK = 100_000
CATEGORIES = (
    ("ct", "CT operation", 240),
    ("mr", "MR operation", 200),
    ("dr-dsa", "DR/DSA", 120),
    ("ultrasound", "Ultrasound", 80),
    ("post-processing", "Image post-processing", 120),
    ("qc", "Equipment quality control", 80),
    ("rnd", "R&D project work", 240),
    ("research", "Research experiment", 160),
)
DESCRIPTIONS = (
    "CT head and chest protocols",
    "MR knee and spine",
    "DR chest, DSA assist",
    "Abdominal ultrasound",
    "3D reconstruction and MPR",
    "Daily QC of the scanner",
    "Reconstruction prototype",
    "",
)
#: Entries younger than this mostly wait for the supervisor; older ones were mostly decided long ago.
RECENT_DAYS = 21


@dataclass(frozen=True)
class BenchConfig:
    entries: int = 1_000_000
    students: int = 2_000
    partners: int = 50
    supervisors_per_partner: int = 20
    runs: int = 15
    warmup: int = 3


@dataclass(frozen=True)
class PlacementRow:
    """What the generator needs to know of a placement (ids and dates, no ORM objects)."""

    id: int
    student_id: int
    student_user_id: int
    supervisor_id: int
    start: datetime.date
    end: datetime.date
    categories: tuple[int, ...]


@dataclass(frozen=True)
class Population:
    programme_id: int
    placements: list[PlacementRow]
    today: datetime.date


# --- The people and placements -------------------------------------------------------------------------


def populate(
    *, students: int, partners: int, supervisors_per_partner: int, today: datetime.date, prefix: str = "bench"
) -> Population:
    """A programme with ``partners`` training partners (hospitals and enterprises alternately), each with a
    site, a coordinator and ``supervisors_per_partner`` supervisors, and ``students`` students with two
    placements each: one finished (the six months before the last six) and one running now, at
    different partners. Everything through ``bulk_create``: a few thousand rows, a few queries."""
    university = Partner.objects.create(
        name=f"{prefix} university", short_name=f"{prefix}-U", kind=PartnerKind.UNIVERSITY
    )
    trainers = Partner.objects.bulk_create(
        Partner(
            name=f"{prefix} partner {n}",
            short_name=f"{prefix}-P{n}",
            kind=PartnerKind.HOSPITAL if n % 2 == 0 else PartnerKind.ENTERPRISE,
        )
        for n in range(partners)
    )
    sites = Site.objects.bulk_create(Site(partner=p, name="Imaging", capacity=students) for p in trainers)
    programme = Programme.objects.create(
        name=f"{prefix} programme",
        code=f"{prefix}-mit",
        degree_type=DegreeType.PROFESSIONAL,
        duration_months=36,
        lead_university=university,
    )
    Participation.objects.bulk_create(
        Participation(programme=programme, partner=p, role=ParticipationRole.TRAINING) for p in trainers
    )
    cohort = Cohort.objects.create(programme=programme, intake_year=today.year - 1)
    categories = ActivityCategory.objects.bulk_create(
        ActivityCategory(programme=programme, code=code, name=name, required_hours=hours)
        for code, name, hours in CATEGORIES
    )
    hospital_categories = tuple(c.pk for c in categories[:4])
    enterprise_categories = tuple(c.pk for c in categories[4:7])

    def user(username: str) -> User:
        return User(username=username, full_name=username.replace("-", " ").title(), password="!")  # noqa: S106

    supervisors = User.objects.bulk_create(
        user(f"{prefix}-sup-{p}-{s}") for p in range(partners) for s in range(supervisors_per_partner)
    )
    coordinators = User.objects.bulk_create(user(f"{prefix}-coord-{p}") for p in range(partners))
    learners = User.objects.bulk_create(user(f"{prefix}-student-{n}") for n in range(students))
    Membership.objects.bulk_create(
        [
            *(
                Membership(user=sup, partner=trainers[i // supervisors_per_partner], role=MembershipRole.SUPERVISOR)
                for i, sup in enumerate(supervisors)
            ),
            *(
                Membership(user=c, partner=p, role=MembershipRole.COORDINATOR)
                for c, p in zip(coordinators, trainers, strict=True)
            ),
        ]
    )
    student_rows = Student.objects.bulk_create(
        Student(
            user=u,
            student_number=f"{prefix}-{n:07d}",
            programme=programme,
            cohort=cohort,
            enrolled_on=datetime.date(today.year - 1, 9, 1),
        )
        for n, u in enumerate(learners)
    )
    periods = (
        (today - datetime.timedelta(days=360), today - datetime.timedelta(days=181), PlacementStatus.COMPLETED),
        (today - datetime.timedelta(days=175), today + datetime.timedelta(days=5), PlacementStatus.ACTIVE),
    )
    placements: list[Placement] = []
    counters = [0] * partners
    for n, student in enumerate(student_rows):
        for k, (start, end, status) in enumerate(periods):
            p = (n + 7 * k) % partners
            supervisor = supervisors[p * supervisors_per_partner + counters[p] % supervisors_per_partner]
            counters[p] += 1
            placements.append(
                Placement(
                    student=student,
                    partner=trainers[p],
                    site=sites[p],
                    supervisor=supervisor,
                    start_date=start,
                    end_date=end,
                    status=status,
                )
            )
    Placement.objects.bulk_create(placements, batch_size=2_000)
    rows: list[PlacementRow] = []
    hours: list[PlacementHours] = []
    for placement in placements:
        own = hospital_categories if placement.partner.kind == PartnerKind.HOSPITAL else enterprise_categories
        rows.append(
            PlacementRow(
                id=placement.pk,
                student_id=placement.student.pk,
                student_user_id=placement.student.user.pk,
                supervisor_id=placement.supervisor.pk,
                start=placement.start_date,
                end=placement.end_date,
                categories=own,
            )
        )
        hours.extend(PlacementHours(placement=placement, category_id=c, hours=100) for c in own)
    PlacementHours.objects.bulk_create(hours, batch_size=5_000)
    return Population(programme_id=programme.pk, placements=rows, today=today)


# --- The entries ------------------------------------------------------------------------------------------


def _status(rng: random.Random, age: int) -> str:
    """Recent entries mostly wait; older ones were mostly approved, a few rejected, withdrawn or forgotten.
    About a tenth of all entries end up pending."""
    roll = rng.random()
    if age <= RECENT_DAYS:
        return EntryStatus.PENDING if roll < 0.7 else EntryStatus.APPROVED
    if roll < 0.91:
        return EntryStatus.APPROVED
    if roll < 0.98:
        return EntryStatus.PENDING
    return EntryStatus.REJECTED if roll < 0.993 else EntryStatus.WITHDRAWN


def weekday_count(start: datetime.date, last: datetime.date) -> int:
    """Weekdays from ``start`` to ``last``, both included: a placement's entries are two for each of them
    (``entry_rows``)."""
    if last < start:
        return 0
    weeks, rest = divmod((last - start).days + 1, 7)
    return weeks * 5 + sum(1 for day in range(rest) if (start.weekday() + day) % 7 < 5)


def readers_first(population: Population, *, limit: int) -> Population:
    """The same placements, with the bench's readers' own moved to the front of those the first ``limit``
    entries reach: the first placement's student (``bench/scale.py`` ``personas``) and the supervisor of
    that student's other placement, the queue's reader.

    Issue #19's row 2 measures the readers' lists after the first ``SCALE_SMALL`` entries and again after
    all of them. Loaded first, those lists hold the same entries at both sizes and only the rest of the
    table grows, which is what the row asks (in generation order the queue page showed 28 entries at
    10,000 and 67 at 1,000,000, so it compared two pages, not two table sizes). The placements the load
    reaches are the same ones, and so is the placement it stops in: only their order changes."""
    placements = population.placements
    if not placements:
        return population
    reached: list[PlacementRow] = []
    total = 0
    for placement in placements:
        if total >= limit:
            break
        reached.append(placement)
        total += 2 * weekday_count(placement.start, min(placement.end, population.today))
    first = placements[0]
    other = next((p for p in placements[1:] if p.student_id == first.student_id), first)
    ours = [p for p in reached if p.student_id == first.student_id or p.supervisor_id == other.supervisor_id]
    moved = {p.id for p in ours}
    return replace(population, placements=ours + [p for p in placements if p.id not in moved])


def entry_rows(population: Population, *, limit: int, seed: int = 2026) -> Iterator[tuple[Any, ...]]:
    """Up to ``limit`` entries, as tuples in ``FIELDS`` order: two a weekday per placement (a four-hour
    morning with times, three and a half hours in the afternoon), from the placement's start to today.
    Every row obeys the rules and the table's constraints; the same seed gives the same rows."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not security)
    today = population.today
    now = timezone.now()
    made = 0
    one_day = datetime.timedelta(days=1)
    for placement in population.placements:
        day, last = placement.start, min(placement.end, today)
        while day <= last:
            if day.weekday() < 5:
                age = (today - day).days
                entered_at = min(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), now)
                for slot in (0, 1):
                    if made >= limit:
                        return
                    made += 1
                    by_supervisor = rng.random() < 0.08
                    status = EntryStatus.APPROVED if by_supervisor else _status(rng, age)
                    decided = status in (EntryStatus.APPROVED, EntryStatus.REJECTED)
                    yield (
                        placement.student_id,
                        placement.id,
                        day,
                        Decimal("4.00") if slot == 0 else Decimal("3.50"),
                        datetime.time(8) if slot == 0 else None,
                        datetime.time(12) if slot == 0 else None,
                        placement.categories[(day.toordinal() + slot) % len(placement.categories)],
                        rng.randint(1, 20) if slot == 0 else None,
                        DESCRIPTIONS[(day.toordinal() + slot) % len(DESCRIPTIONS)],
                        status,
                        placement.supervisor_id if by_supervisor else placement.student_user_id,
                        by_supervisor,
                        entered_at,
                        placement.supervisor_id if decided else None,
                        (entered_at if by_supervisor else min(entered_at + one_day, now)) if decided else None,
                        decided and not by_supervisor and rng.random() < 0.5,
                        "Please split the hours by activity." if status == EntryStatus.REJECTED else "",
                        "P0/L0",
                        None,
                        "",
                        None,
                    )
            day += one_day


def _column(field: Any) -> str:
    return str(field.column)


def copy_entries(rows: Iterable[tuple[Any, ...]], *, chunk: int = COPY_CHUNK) -> int:
    """Stream ``rows`` into the entries table with PostgreSQL ``COPY``, one statement (and one
    transaction) per ``chunk`` rows, so neither side holds a million rows at once. Returns the count."""
    meta = PracticeLog._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(meta.get_field(name))) for name in FIELDS)
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    iterator = iter(rows)
    total = 0
    while True:
        written = 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in itertools.islice(iterator, chunk):
                copy.write_row(row)
                written += 1
        total += written
        if written < chunk:
            return total


@contextmanager
def indexes_set_aside() -> Iterator[None]:
    """Drop the entries table's secondary indexes and foreign keys for a bulk load, and build them again
    afterwards from their own definitions (PostgreSQL's advice for bulk loading: one sort per index and
    one join per key, instead of a million index insertions and deferred per-row key checks). The
    rebuilt foreign keys are validated over every loaded row."""
    table = PracticeLog._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in keys:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


# --- Measuring ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    median: float
    floor_name: str
    floor_median: float
    queries: int
    runs: int

    @property
    def ratio(self) -> float:
        return self.median / self.floor_median if self.floor_median else float("inf")


def _median_seconds(fn: Callable[[], object], *, runs: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _compare_with_raw(name: str, fn: Callable[[], object], *, runs: int, warmup: int) -> Result:
    """``fn`` against the SQL it runs, captured once and sent again raw through a cursor with every row
    fetched (``scale.raw_replay``): the floor for an ORM read (same SQL, no ORM, no Python around it)."""
    from bench.scale import raw_replay

    replay, statements = raw_replay(fn)
    orm = _median_seconds(fn, runs=runs, warmup=warmup)
    raw = _median_seconds(replay, runs=runs, warmup=warmup)
    return Result(name, orm, "same SQL, raw cursor", raw, len(statements), runs)


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in {"*", ""} and not h.startswith(".")]
    return hosts[0] if hosts else "localhost"


def _typical_supervisor() -> tuple[User, int]:
    """The supervisor with the median number of pending entries, and that number."""
    counts = list(
        PracticeLog.objects.filter(status=EntryStatus.PENDING)
        .values("placement__supervisor_id")
        .annotate(n=Count("pk"))
        .order_by("n", "placement__supervisor_id")
        .values_list("placement__supervisor_id", "n")
    )
    supervisor_id, pending = counts[len(counts) // 2]
    return User.objects.get(pk=supervisor_id), pending


def _queue(supervisor: User, pending: int, *, runs: int, warmup: int) -> Result:
    """(a) The queue page against the API root, same client; without the page yet, the selector (or the
    scoped queryset it stands for) against its raw SQL."""
    name = f"(a) supervisor queue page ({pending} pending)"
    try:
        url = reverse("practice:queue")
    except NoReverseMatch:
        from practice import selectors

        queue = getattr(selectors, "supervisor_queue", None)
        if queue is not None:
            return _compare_with_raw(name, lambda: list(queue(user=supervisor)), runs=runs, warmup=warmup)
        pending_logs = PracticeLog.objects.filter(status=EntryStatus.PENDING)
        return _compare_with_raw(
            name, lambda: list(access.scope(pending_logs, supervisor, "decide")), runs=runs, warmup=warmup
        )
    client = Client(HTTP_HOST=_host())
    client.force_login(supervisor)
    floor_url = reverse("api:api-root")

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def floor() -> None:
        response = client.get(floor_url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.status_code

    with CaptureQueriesContext(connection) as captured:
        page()
    # Counted now: the log is a live view that the next requests reset.
    queries = len(captured.captured_queries)
    return Result(
        name,
        _median_seconds(page, runs=runs, warmup=warmup),
        "API root, same client",
        _median_seconds(floor, runs=runs, warmup=warmup),
        queries,
        runs,
    )


def _student_progress(student: Student, reader: User, today: datetime.date, *, runs: int, warmup: int) -> Result:
    """(b) One student's progress: the selector if there is one, else the aggregate it stands for."""
    from practice import selectors

    progress = getattr(selectors, "student_progress", None)
    if progress is not None:

        def read() -> object:
            return progress(student=student, user=reader, today=today)

    else:

        def read() -> object:
            return list(
                PracticeLog.objects.filter(student=student, status=EntryStatus.APPROVED)
                .values("category_id")
                .annotate(hours=Sum("hours"))
                .order_by("category_id")
            )

    return _compare_with_raw("(b) one student's progress", read, runs=runs, warmup=warmup)


def programme_report(programme_id: int) -> list[dict[str, Any]]:
    """Approved hours per student per category across a whole programme: one aggregate query."""
    rows: Any = (
        PracticeLog.objects.filter(student__programme_id=programme_id, status=EntryStatus.APPROVED)
        .values("student_id", "category_id")
        .annotate(hours=Sum("hours"))
        .order_by("student_id", "category_id")
    )
    return list(rows)


def _list_page_progress(
    student_ids: list[int], reader: User, today: datetime.date, *, runs: int, warmup: int
) -> Result | None:
    """(d) The progress column of a list page, if the selector exists."""
    from practice import selectors

    progress = getattr(selectors, "progress_for_students", None)
    if progress is None:
        return None
    return _compare_with_raw(
        f"(d) list page progress ({len(student_ids)} students)",
        lambda: progress(student_ids=student_ids, user=reader, today=today),
        runs=runs,
        warmup=warmup,
    )


def measure(population: Population, *, runs: int, warmup: int) -> list[Result]:
    """Every measurement, each against its floor, in this run."""
    today = population.today
    supervisor, pending = _typical_supervisor()
    first = population.placements[0]
    student = Student.objects.select_related("programme").get(pk=first.student_id)
    partner_id = Placement.objects.filter(pk=first.id).values_list("partner_id", flat=True).get()
    reader = Membership.objects.select_related("user").get(partner_id=partner_id, role=MembershipRole.COORDINATOR).user
    page_ids = list(
        Student.objects.filter(programme_id=population.programme_id).order_by("pk").values_list("pk", flat=True)[:50]
    )
    results = [
        _queue(supervisor, pending, runs=runs, warmup=warmup),
        _student_progress(student, reader, today, runs=runs, warmup=warmup),
        _compare_with_raw(
            "(c) programme-wide progress report",
            lambda: programme_report(population.programme_id),
            runs=max(3, runs // 3),
            warmup=1,
        ),
    ]
    listed = _list_page_progress(page_ids, reader, today, runs=runs, warmup=warmup)
    if listed is not None:
        results.append(listed)
    return results


# --- The run -------------------------------------------------------------------------------------------------


def _counts(programme_id: int) -> dict[str, int]:
    logs = PracticeLog.objects.filter(student__programme_id=programme_id)
    by_status = dict(logs.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "users": User.objects.count(),
        "partners": Partner.objects.count(),
        "students": Student.objects.filter(programme_id=programme_id).count(),
        "placements": Placement.objects.filter(student__programme_id=programme_id).count(),
        "entries": sum(by_status.values()),
        **{f"entries {status}": by_status.get(status, 0) for status in EntryStatus.values},
    }


def _population_from_database(programme: Programme, today: datetime.date) -> Population:
    rows = [
        PlacementRow(p.pk, p.student_id, p.student.user_id, p.supervisor_id, p.start_date, p.end_date, ())
        for p in Placement.objects.filter(student__programme=programme).select_related("student").order_by("pk")
    ]
    return Population(programme_id=programme.pk, placements=rows, today=today)


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(PracticeLog._meta.db_table)}")
        cursor.execute("ANALYZE")


SCALE_SMALL = 10_000
"""Entries loaded when issue #19's lists are first measured (``bench/scale.py``, row 2): the same lists are
measured again with every entry loaded."""


def run(config: BenchConfig, *, reuse: bool, out: TextIO, scale: bool = False, client: str = "http") -> list[Result]:
    """Migrate, load (unless ``reuse`` finds a finished load), analyse, measure and print. With ``scale``,
    issue #19's table too (``bench/scale.py``): its lists once after the first ``SCALE_SMALL`` entries,
    then everything once all entries are in, its rows 1 to 3 read through ``client`` (``scale.readers``:
    gunicorn with production settings over HTTP, or the test client in this process)."""
    from django.core.management import call_command

    from bench import scale as scale_bench
    from bench.bounds import measure_bounds, write_bounds

    write = out.write
    today = timezone.localdate()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - started
    existing = Programme.objects.filter(code="bench-mit").first()
    load_line: str
    small_lists: dict[str, tuple[float, int]] | None = None
    if reuse and existing is not None and PracticeLog.objects.count() == config.entries:
        population = _population_from_database(existing, today)
        load_line = "reused the entries of an earlier run (--keep)"
    else:
        if existing is not None:
            raise SystemExit("The bench database holds an unfinished load: run again without --keep.")
        t0 = time.perf_counter()
        population = populate(
            students=config.students,
            partners=config.partners,
            supervisors_per_partner=config.supervisors_per_partner,
            today=today,
        )
        t1 = time.perf_counter()
        if scale:
            population = readers_first(population, limit=config.entries)
        rows = entry_rows(population, limit=config.entries)
        if scale and config.entries > SCALE_SMALL:
            first = copy_entries(itertools.islice(rows, SCALE_SMALL))
            _analyze()
            people = scale_bench.personas(population.placements[0].id)
            with scale_bench.readers(client) as via:
                small_lists = scale_bench.measure_lists(people, runs=config.runs, warmup=config.warmup, via=via)
            t1 = time.perf_counter()
        else:
            first = 0
        with indexes_set_aside():
            loaded = first + copy_entries(rows)
            t_copied = time.perf_counter()
        t2 = time.perf_counter()
        _analyze()
        t3 = time.perf_counter()
        load_line = (
            f"people and placements {t1 - t0:.1f} s (bulk_create); {loaded:,} entries by COPY {t_copied - t1:.1f} s "
            f"({loaded / max(t_copied - t1, 1e-9):,.0f} rows/s); indexes and keys rebuilt {t2 - t_copied:.1f} s; "
            f"VACUUM ANALYZE {t3 - t2:.1f} s; load {t3 - t0:.1f} s in all"
        )
    counts = _counts(population.programme_id)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    write(f"Tandem practice-hours bench: PostgreSQL {version}, database {connection.settings_dict['NAME']}\n")
    write(f"migrate {migrated:.1f} s; {load_line}\n")
    write("rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()) + "\n")
    pending_share = counts["entries pending"] / max(counts["entries"], 1)
    write(f"pending share: {pending_share:.1%}\n\n")

    t4 = time.perf_counter()
    results = measure(population, runs=config.runs, warmup=config.warmup)
    header = f"{'measurement':<44} {'median':>10} {'floor':<22} {'median':>10} {'ratio':>7} {'queries':>7} {'runs':>4}"
    write(header + "\n" + "-" * len(header) + "\n")
    for r in results:
        write(
            f"{r.name:<44} {r.median * 1000:>8.1f}ms {r.floor_name:<22} {r.floor_median * 1000:>8.1f}ms "
            f"{r.ratio:>6.2f}x {r.queries:>7} {r.runs:>4}\n"
        )
    write(f"\nmeasured in {time.perf_counter() - t4:.1f} s; whole run {time.perf_counter() - started:.1f} s\n")
    if scale:
        t5 = time.perf_counter()
        write("\nIssue #19's table (bench/scale.py): each ratio against its goal\n")
        people = scale_bench.personas(population.placements[0].id)
        runs, warmup = config.runs, config.warmup
        with scale_bench.readers(client) as via:
            write(f"rows 1-3 read {via.description}; queries counted in this process\n")
            large_lists = scale_bench.measure_lists(people, runs=runs, warmup=warmup, via=via)
            table = [
                *scale_bench.measure_pages(people, runs=runs, warmup=warmup, via=via),
                *scale_bench.compare_lists(small_lists, large_lists, small_n=SCALE_SMALL, large_n=counts["entries"]),
                *scale_bench.measure_scoped(people, runs=runs, warmup=warmup, via=via),
            ]
            bounds = measure_bounds(people, runs=runs, warmup=warmup, via=via)
        table += scale_bench.measure_hours(people, runs=runs, warmup=warmup)
        scale_bench.write_rows(table, out)
        write_bounds(bounds, out)
        write(f"table measured in {time.perf_counter() - t5:.1f} s\n")
    return results
