"""The report's wellbeing section: the service's anonymous statistics, cells of fewer than 10 people hidden as
the service hides them, and no individual record read. Events are built for the purpose: thirty people asking
for counselling in March 2026 (twelve at hospital A, three at enterprise B, fifteen at the university), eleven
checking in in June, and twenty asking in December 2025 (the year before)."""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partners.models import Partner, PartnerKind
from programmes.models import Cohort, Programme
from quality.figures import Frame, Section, section_from_json, section_to_json
from quality.indicators import wellbeing
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from wellbeing.models import EventKind, WellbeingEvent
from wellbeing.services.records import person_key

D = datetime.date
PEOPLE = itertools.count(1)


@dataclass
class Service:
    programme: Programme
    cohort: Cohort
    hospital: Partner


def _events(kind: str, month: datetime.date, partner: Partner | None, role: str, people: int, **extra: Any) -> None:
    WellbeingEvent.objects.bulk_create(
        [
            WellbeingEvent(
                kind=kind, month=month, partner=partner, role=role, person_key=person_key(next(PEOPLE)), **extra
            )
            for _ in range(people)
        ]
    )


def _build() -> Service:
    university = PartnerFactory.create(name="Lead University", short_name="UNI", kind=PartnerKind.UNIVERSITY)
    hospital = PartnerFactory.create(name="Hospital A", short_name="HOSP-A", kind=PartnerKind.HOSPITAL)
    enterprise = PartnerFactory.create(name="Enterprise B", short_name="ENT-B", kind=PartnerKind.ENTERPRISE)
    programme = ProgrammeFactory.create(lead_university=university)
    cohort = CohortFactory.create(programme=programme, intake_year=2025)
    march, june = D(2026, 3, 1), D(2026, 6, 1)
    _events(EventKind.REQUEST, march, hospital, "student", 12, wait_days=4)
    _events(EventKind.REQUEST, march, enterprise, "tutor", 3, wait_days=10)
    _events(EventKind.REQUEST, march, university, "student", 15, wait_days=2)
    _events(EventKind.CHECK_IN, june, hospital, "student", 11, band=4)
    _events(EventKind.REQUEST, D(2025, 12, 1), university, "student", 20, wait_days=5)
    return Service(programme, cohort, hospital)


@pytest.fixture(scope="module")
def service(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Service]:
    """Built once for the module inside a transaction rolled back at its end (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _figures(section: Section) -> dict[str, tuple[Any, int | None]]:
    return {f.key: (f.value, f.people) for f in section.figures}


def _rows(section: Section, key: str) -> dict[str, tuple[list[Any], list[int | None], bool]]:
    table = section.table(key)
    assert table is not None, key
    return {row.label: (row.values, row.people, row.translate) for row in table.rows}


@override_settings(WELLBEING_MIN_CELL=10)
def test_small_cells_stay_hidden_and_keep_no_count(service: Service, db: None) -> None:
    section = wellbeing.section(Frame(programme_id=service.programme.pk, year=2026))
    # enterprise B's three are hidden, and hospital A's twelve with them (else 30 - 15 - 0 would give 3 away)
    assert _rows(section, "wellbeing.requests_by_partner") == {
        "ENT-B": ([None], [None], False),
        "HOSP-A": ([None], [None], False),
        "UNI": ([15], [15], False),
    }
    assert _rows(section, "wellbeing.requests_by_role") == {
        "Students": ([None], [None], True),
        "Tutors": ([None], [None], True),
    }
    assert _rows(section, "wellbeing.check_ins_by_mood") == {"Good": ([11], [11], True)}
    assert _rows(section, "wellbeing.appointments_by_partner") == {}
    for table in section.tables:
        assert table.note == wellbeing.hidden_note(10)
        for row in table.rows:
            assert all(people is None for value, people in zip(row.values, row.people, strict=True) if value is None)


@override_settings(WELLBEING_MIN_CELL=10)
def test_figures_and_months_of_the_year(service: Service, db: None) -> None:
    with translation.override("zh-hans"):  # labels stay message ids, whatever the language
        section = wellbeing.section(Frame(programme_id=service.programme.pk, year=2026))
    assert section_from_json(json.loads(json.dumps(section_to_json(section)))) == section
    figures = _figures(section)
    assert figures["wellbeing.requests"] == (30, 30)
    assert figures["wellbeing.appointments"] == (0, 0)
    assert figures["wellbeing.check_ins"] == (11, 11)
    assert figures["wellbeing.waiting_days"] == (3.6, 30)  # (12 x 4 + 3 x 10 + 15 x 2) / 30
    by_month = _rows(section, "wellbeing.by_month")
    assert list(by_month) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert by_month["2026-03"][:2] == ([30, 0, 0, 3.6], [30, 0, 0, 30])
    assert by_month["2026-06"][0] == [0, 0, 11, None]
    waiting = section.figure("wellbeing.waiting_days")
    assert waiting is not None and waiting.better == "lower"
    assert section.notes  # the service is the university's


@override_settings(WELLBEING_MIN_CELL=10)
def test_the_previous_year_and_a_cohort(service: Service, db: None) -> None:
    frame = Frame(programme_id=service.programme.pk, year=2026)
    assert _figures(wellbeing.section(frame.previous()))["wellbeing.requests"] == (20, 20)
    cohort = wellbeing.section(Frame(programme_id=service.programme.pk, year=2026, cohort_id=service.cohort.pk))
    assert _figures(cohort) == _figures(wellbeing.section(frame))  # the service's figures are not narrowed


@override_settings(WELLBEING_MIN_CELL=10)
def test_no_individual_record_is_read_and_the_cost_stays_the_same(service: Service, db: None) -> None:
    frame = Frame(programme_id=service.programme.pk, year=2026)
    with CaptureQueriesContext(connection) as small:
        wellbeing.section(frame)
    for month in range(1, 13):
        _events(EventKind.APPOINTMENT, D(2026, month, 1), service.hospital, "student", 12)
    _events(EventKind.CHECK_IN, D(2026, 9, 1), None, "", 10)  # no partner, role or mood recorded
    with CaptureQueriesContext(connection) as large:
        section = wellbeing.section(frame)
    assert _figures(section)["wellbeing.appointments"] == (144, 144)
    for key in ("wellbeing.check_ins_by_partner", "wellbeing.check_ins_by_role", "wellbeing.check_ins_by_mood"):
        assert _rows(section, key)["Other"] == ([10], [10], True)
    assert len(large) == len(small) <= 10
    tables = {name for query in large.captured_queries for name in re.findall(r'"(wellbeing_[a-z_]+)"', query["sql"])}
    assert tables == {"wellbeing_wellbeingevent"}
