"""Outcomes after training: the office records each graduate's destination beside the plan's career
intention, and compares them by cohort and partner."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from students import selectors
from students.models import CareerIntention, Student, StudentDestination, StudentStatus
from students.services.destinations import destination_record
from tests.conftest import World, client_for
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _graduate(student: Student, intention: str = CareerIntention.ENTREPRENEURSHIP) -> Student:
    Student.objects.filter(pk=student.pk).update(status=StudentStatus.GRADUATED, career_intention=intention)
    student.refresh_from_db()
    return student


def test_office_records_a_destination_beside_the_intention_and_corrections_keep_history(world: World) -> None:
    office = _u(world, "office")
    student = _graduate(world.student_a)

    first = destination_record(student=student, by=office, kind="enterprise", employer_partner=world.partner_b)
    assert first.employer == world.partner_b.name
    assert first.career_intention == CareerIntention.ENTREPRENEURSHIP
    assert not first.fulfils_intention

    corrected = destination_record(student=student, by=office, kind="own_venture", employer="Scan Start-up")

    assert corrected.pk == first.pk and corrected.fulfils_intention
    assert corrected.history.count() == 2  # type: ignore[attr-defined]
    assert corrected.history.first().history_user == office  # type: ignore[attr-defined]


def test_destination_only_at_graduation_and_only_by_the_office(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        destination_record(student=world.student_a, by=_u(world, "office"), kind="hospital")
    assert error.value.error_dict["kind"][0].code == "not_graduated"
    _graduate(world.student_a)
    with pytest.raises(PermissionDenied):
        destination_record(student=world.student_a, by=_u(world, "tutor"), kind="hospital")


def test_comparison_by_cohort_and_partner(world: World) -> None:
    office = _u(world, "office")
    destination_record(student=_graduate(world.student_a), by=office, kind="own_venture")
    destination_record(student=_graduate(world.student_b, CareerIntention.HOSPITAL), by=office, kind="research")

    outcomes = selectors.outcome_comparison(user=office)

    assert outcomes.total.recorded == 2
    assert outcomes.total.fulfilled == 1 and outcomes.total.fulfilled_percent == 50
    assert outcomes.total.own_venture == 1 and outcomes.total.intended_venture == 1
    partners = {g.label: g for g in outcomes.by_partner}
    assert partners["Hospital A"].destinations["own_venture"] == 1  # student A trained at A
    assert partners["Enterprise B"].destinations["research"] == 1
    assert [g.recorded for g in outcomes.by_cohort] == [2]
    assert selectors.outcome_comparison(user=_u(world, "coordinator_a")).total.recorded == 0


def test_outcomes_page_for_the_office_lists_missing_destinations_and_is_404_for_others(world: World) -> None:
    _graduate(world.student_a)
    url = reverse("students:outcomes")
    page = client_for(_u(world, "office")).get(url).content.decode()
    assert reverse("students:destination", args=[world.student_a.pk]) in page
    assert client_for(_u(world, "coordinator_a")).get(url).status_code == 404

    response = client_for(_u(world, "office")).post(
        reverse("students:destination", args=[world.student_a.pk]), {"kind": "own_venture", "employer": "Start-up"}
    )

    assert response.status_code == 302
    assert StudentDestination.objects.get(student=world.student_a).kind == "own_venture"
    assert "1 destinations recorded" in client_for(_u(world, "office")).get(url).content.decode()


def test_outcomes_page_query_count_does_not_grow(world: World) -> None:
    office = _u(world, "office")
    client = client_for(office)
    url = reverse("students:outcomes")

    def add(n: int) -> None:
        for _ in range(n):
            student = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
            PlacementFactory.create(student=student, partner=world.partner_a, site=world.site_a)
            destination_record(student=_graduate(student), by=office, kind="hospital")

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(4)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_office_start_page_has_the_set_up_card_with_its_counts(world: World) -> None:
    _graduate(world.student_a)
    office_page = client_for(_u(world, "office")).get(reverse("core:start")).content.decode()
    assert 'data-testid="office-setup-panel"' in office_page
    assert reverse("students:outcomes") in office_page
    coordinator_page = client_for(_u(world, "coordinator_a")).get(reverse("core:start")).content.decode()
    assert 'data-testid="office-setup-panel"' not in coordinator_page
