"""The external supervision section of the quality report, against a small world with known answers: the
inspections of the programme's partners (a planned spot inspection stays secret), findings by severity,
checklist ratings by aspect, corrective actions on the report's day, days to publication, and the partners
on probation on that day (read from their status history)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from programmes.models import Cohort, Programme
from quality.figures import Frame, Section, section_to_json
from quality.indicators import external
from reviews.models import Concern, Direction, Review, ReviewRound, RoundKind
from reviews.services.rounds import current_form
from supervision.models import (
    ActionStatus,
    Aspect,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionLead,
    InspectionStatus,
    Rating,
    Severity,
)
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.students import PlacementFactory, StudentFactory
from tests.factories.supervision import ChecklistTemplateFactory
from tests.quality.module_db import built_once

D = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@dataclass
class Built:
    programme: Programme
    cohort_2025: Cohort
    hospital: Partner
    template: ChecklistTemplate
    office: User


def inspect(
    template: ChecklistTemplate,
    office: User,
    partner: Partner,
    planned: datetime.date,
    kind: str = InspectionKind.SCHEDULED,
    started: datetime.date | None = None,
    closed: datetime.date | None = None,
    published: datetime.date | None = None,
) -> Inspection:
    status = InspectionStatus.PLANNED
    for moment, reached in (
        (started, InspectionStatus.IN_PROGRESS),
        (closed, InspectionStatus.CLOSED),
        (published, InspectionStatus.PUBLISHED),
    ):
        if moment is not None:
            status = reached
    return Inspection.objects.create(
        kind=kind,
        target_partner=partner,
        template=template,
        planned_date=planned,
        status=status,
        started_at=at(started) if started else None,
        closed_at=at(closed, 17) if closed else None,
        published_at=at(published) if published else None,
        created_by=office,
    )


def find(
    inspection: Inspection,
    severity: str,
    created: datetime.date,
    office: User,
    due: datetime.date | None = None,
    answered: datetime.date | None = None,
    status: str = ActionStatus.OPEN,
) -> Finding:
    finding = Finding.objects.create(
        inspection=inspection, severity=severity, description="Found.", created_by=office, created_at=at(created)
    )
    if due is not None:
        CorrectiveAction.objects.create(
            finding=finding, owner=office, due_date=due, status=status, answered_at=at(answered) if answered else None
        )
    return finding


def build() -> Built:
    office = UserFactory.create()
    university = PartnerFactory.create(name="University U")
    hospital = PartnerFactory.create(name="Hospital H", status=PartnerStatus.PROBATION)
    enterprise = PartnerFactory.create(name="Enterprise E")
    elsewhere = PartnerFactory.create(name="Unrelated X", status=PartnerStatus.PROBATION)
    far = PartnerFactory.create(name="Far F")
    programme = ProgrammeFactory.create(lead_university=university, first_intake_year=2024)
    for partner in (university, hospital):
        ParticipationFactory.create(programme=programme, partner=partner)
    cohort_2025 = CohortFactory.create(programme=programme, intake_year=2025)
    cohort_2026 = CohortFactory.create(programme=programme, intake_year=2026)
    s1 = StudentFactory.create(programme=programme, cohort=cohort_2025)
    s2 = StudentFactory.create(programme=programme, cohort=cohort_2026)
    PlacementFactory.create(student=s1, partner=enterprise)
    PlacementFactory.create(student=s2, partner=far)
    template = ChecklistTemplateFactory.create()

    def go(partner: Partner, planned: datetime.date, **extra: Any) -> Inspection:
        return inspect(template, office, partner, planned, **extra)

    i1 = go(hospital, D(2026, 3, 1), started=D(2026, 3, 1), closed=D(2026, 3, 5), published=D(2026, 3, 10))
    i2 = go(
        enterprise,
        D(2026, 5, 1),
        kind=InspectionKind.SPOT,
        started=D(2026, 5, 2),
        closed=D(2026, 5, 3),
        published=D(2026, 6, 2),
    )
    i3 = go(university, D(2026, 11, 1), started=D(2026, 11, 2), closed=D(2026, 11, 3))
    go(hospital, D(2026, 12, 15), kind=InspectionKind.SPOT)  # planned, secret
    go(university, D(2026, 12, 20))
    i6 = go(elsewhere, D(2026, 4, 1), started=D(2026, 4, 1), closed=D(2026, 4, 2), published=D(2026, 4, 3))
    i7 = go(far, D(2026, 4, 1), started=D(2026, 4, 1), closed=D(2026, 4, 2), published=D(2026, 4, 3))
    i0 = go(hospital, D(2025, 6, 1), started=D(2025, 6, 1), closed=D(2025, 6, 2), published=D(2025, 6, 9))

    find(i1, Severity.MINOR, D(2026, 3, 2), office, D(2026, 6, 1), D(2026, 5, 20), ActionStatus.VERIFIED)
    find(i1, Severity.MAJOR, D(2026, 3, 2), office, D(2026, 4, 1), D(2026, 4, 10), ActionStatus.ANSWERED)
    find(i2, Severity.CRITICAL, D(2026, 5, 2), office, D(2026, 5, 9))
    observation = find(i2, Severity.OBSERVATION, D(2026, 5, 2), office)
    find(i3, Severity.MAJOR, D(2026, 11, 2), office, D(2026, 12, 31))
    find(i3, Severity.MINOR, D(2026, 11, 2), office, D(2026, 12, 1), D(2026, 11, 20), ActionStatus.REOPENED)
    find(i6, Severity.CRITICAL, D(2026, 4, 1), office, D(2026, 4, 8))
    find(i7, Severity.MINOR, D(2026, 4, 1), office, D(2026, 5, 1), D(2026, 4, 20), ActionStatus.VERIFIED)
    find(i0, Severity.MINOR, D(2025, 6, 1), office, D(2025, 9, 1), D(2025, 10, 1), ActionStatus.VERIFIED)

    # The observation was recorded from a point a student review referred (only its existence is counted).
    round_ = ReviewRound.objects.create(
        programme=programme,
        key="test:lead",
        kind=RoundKind.MID_TERM,
        title="Round",
        opens_on=D(2026, 3, 1),
        due_on=D(2026, 3, 15),
        closes_on=D(2026, 3, 22),
    )
    review = Review.objects.create(
        round=round_,
        direction=Direction.STUDENT_PLACEMENT,
        form=current_form(Direction.STUDENT_PLACEMENT),
        reviewer=s1.user,
        partner=enterprise,
        task_key="lead",
        due_on=D(2026, 3, 15),
        author_student=s1,
    )
    raised = Concern.objects.create(
        review=review, category="safety", raised_by=s1.user, partner=enterprise, reply_due_on=D(2026, 3, 30)
    )
    InspectionLead.objects.create(
        inspection=i2, concern=raised, summary="The reviewer says...", finding=observation, created_by=office
    )

    items = {item.aspect: item for item in template.items.all()}
    for inspection, ratings in (
        (i1, (Rating.CONFORMING, Rating.MINOR_GAP, Rating.CONFORMING)),
        (i2, (Rating.MAJOR_GAP, Rating.CONFORMING, Rating.NOT_APPLICABLE)),
        (i6, (Rating.CONFORMING, Rating.CONFORMING, Rating.CONFORMING)),
    ):
        for aspect, rating in zip((Aspect.FEASIBILITY, Aspect.QUALITY, Aspect.RESULTS), ratings, strict=True):
            ChecklistResult.objects.create(
                inspection=inspection,
                item=items[aspect],
                rating=rating,
                recorded_by=office,
                recorded_at=inspection.started_at or at(inspection.planned_date),
            )

    def change(partner: Partner, before: str, after: str, day: datetime.date) -> None:
        PartnerStatusChange.objects.create(
            partner=partner,
            from_status=before,
            to_status=after,
            reason="Decided.",
            changed_by=office,
            changed_at=at(day),
        )

    change(hospital, PartnerStatus.ACTIVE, PartnerStatus.PROBATION, D(2026, 5, 10))
    # The enterprise was on probation through 2026 and came off it in 2027; the university went on in 2027.
    change(enterprise, PartnerStatus.ACTIVE, PartnerStatus.PROBATION, D(2026, 2, 1))
    change(enterprise, PartnerStatus.PROBATION, PartnerStatus.ACTIVE, D(2027, 1, 15))
    change(university, PartnerStatus.ACTIVE, PartnerStatus.PROBATION, D(2027, 1, 10))
    Partner.objects.filter(pk=university.pk).update(status=PartnerStatus.PROBATION)
    return Built(programme, cohort_2025, hospital, template, office)


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Built]:
    yield from built_once(django_db_blocker, build)


def values(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def frame(built: Built, **extra: Any) -> Frame:
    return Frame(programme_id=built.programme.pk, year=2026, **extra)


def test_inspections_and_publication(built: Built, db: None) -> None:
    section = external.section(frame(built))
    figures = values(section)
    assert section.key == "external"
    # The planned spot inspection is secret; the unrelated partner's inspection is not the programme's.
    assert figures["external.inspections_planned"] == 5
    assert figures["external.inspections_held"] == 4
    assert figures["external.spot_share"] == 0.25
    assert figures["external.inspections_closed"] == 4
    assert figures["external.inspections_published"] == 3
    assert figures["external.publication_days"] == 5.0  # the median of 5, 30 and 1 days
    assert figures["external.published_in_time"] == round(2 / 3, 4)
    assert figures["external.publication_overdue"] == 1
    assert section.figure("external.publication_overdue").drill == "/inspections/publication/"  # type: ignore[union-attr]
    assert all(f.people is None and not f.personal for f in section.figures)


def test_findings_and_ratings(built: Built, db: None) -> None:
    section = external.section(frame(built))
    figures = values(section)
    assert figures["external.findings"] == 7
    assert figures["external.findings_serious"] == 3
    assert figures["external.conforming_share"] == 0.6
    severity = section.table("external.findings_by_severity")
    assert severity is not None
    assert {r.key: r.values for r in severity.rows} == {
        "observation": [1, 1],
        "minor": [3, 0],
        "major": [2, 0],
        "critical": [1, 0],
    }
    assert severity.rows[0].translate and severity.rows[0].label == "Observation"
    aspects = section.table("external.ratings_by_aspect")
    assert aspects is not None and aspects.chart == "stacked"
    assert [c.key for c in aspects.columns] == ["conforming", "minor_gap", "major_gap", "not_applicable"]
    assert {r.key: r.values for r in aspects.rows} == {
        "feasibility": [1, 0, 1, 0],
        "quality": [1, 1, 0, 0],
        "results": [1, 0, 0, 1],
    }


def test_corrective_actions_on_the_reports_day(built: Built, db: None) -> None:
    section = external.section(frame(built))
    figures = values(section)
    assert figures["external.actions_due"] == 6
    assert figures["external.actions_on_time"] == 0.4
    assert figures["external.actions_late"] == 1
    assert figures["external.actions_overdue"] == 2  # unanswered, and an answer the inspector reopened
    assert section.figure("external.actions_overdue").drill == "/inspections/actions/?overdue=on"  # type: ignore[union-attr]
    table = section.table("external.actions_by_severity")
    assert table is not None
    # on time, late, overdue, not yet due
    assert {r.key: r.values for r in table.rows} == {
        "minor": [2, 0, 1, 0],
        "major": [0, 1, 0, 1],
        "critical": [0, 0, 1, 0],
    }
    # On 15 May the minor finding's answer (20 May) had not come: not yet due then, not on time; the
    # November findings did not exist yet.
    midyear = external.section(frame(built, as_of=D(2026, 5, 15)))
    rows = {r.key: r.values for r in midyear.table("external.actions_by_severity").rows}  # type: ignore[union-attr]
    assert rows == {"minor": [1, 0, 0, 1], "major": [0, 1, 0, 0], "critical": [0, 0, 1, 0]}


def test_partners_on_probation(built: Built, db: None) -> None:
    section = external.section(frame(built))
    assert values(section)["external.partners_on_probation"] == 2
    table = section.table("external.partners_on_probation")
    assert table is not None
    # findings in the year, overdue actions
    assert [(r.label, r.values) for r in table.rows] == [("Enterprise E", [2, 1]), ("Hospital H", [2, 0])]
    assert not table.personal and not any(r.translate for r in table.rows)
    # Side by side: held, findings, major and critical, overdue (the unrelated partner is not there).
    by_partner = section.table("external.by_partner")
    assert by_partner is not None
    assert [(r.label, r.values) for r in by_partner.rows] == [
        ("Enterprise E", [1, 2, 1, 1]),
        ("Far F", [1, 1, 0, 0]),
        ("Hospital H", [1, 2, 1, 0]),
        ("University U", [1, 2, 1, 1]),
    ]


def test_cohort_and_previous_year(built: Built, db: None) -> None:
    cohort = values(external.section(frame(built, cohort_id=built.cohort_2025.pk)))
    assert cohort["external.inspections_held"] == 3  # the far partner hosts only the other cohort
    assert cohort["external.publication_days"] == 17.5
    assert cohort["external.findings"] == 6
    previous = values(external.section(frame(built).previous()))
    assert previous["external.inspections_held"] == 1
    assert previous["external.publication_days"] == 7.0
    assert previous["external.actions_on_time"] == 0.0
    assert previous["external.partners_on_probation"] == 0


def test_queries_do_not_grow_with_the_data(built: Built, db: None) -> None:
    with CaptureQueriesContext(connection) as small:
        external.section(frame(built))
    for day in range(1, 5):
        inspection = inspect(
            built.template,
            built.office,
            built.hospital,
            D(2026, 8, day),
            started=D(2026, 8, day),
            closed=D(2026, 8, day + 1),
            published=D(2026, 8, day + 3),
        )
        find(inspection, Severity.MINOR, D(2026, 8, day), built.office, D(2026, 9, 1))
    with CaptureQueriesContext(connection) as large:
        section = external.section(frame(built))
    assert values(section)["external.inspections_held"] == 8
    assert len(small) == len(large) <= 15
    # What a report freezes: plain JSON (no Decimal, no lazy string).
    assert json.loads(json.dumps(section_to_json(section)))["key"] == section.key


def test_a_programme_with_nothing_yet(db: None) -> None:
    programme = ProgrammeFactory.create()
    section = external.section(Frame(programme_id=programme.pk, year=2026))
    assert section.figures and all(f.value in (0, None) for f in section.figures)
    assert all(not t.rows or all(v in (0, None) for r in t.rows for v in r.values) for t in section.tables)
