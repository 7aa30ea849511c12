"""Withdrawing from an offering: the student themself or the office, with a reason kept as evidence (who,
when, why); refused once a grade is entered, or when withdrawn already; on the page (confirmation, refusal
messages) and through the API (403 for those who see the enrolment but may not withdraw it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Enrolment, EnrolmentStatus, EnrolmentWithdrawal, GradeStatus, Offering
from curriculum.services import offerings
from tests.conftest import World, api_client_for, client_for
from tests.factories.curriculum import EnrolmentFactory, GradeFactory
from tests.factories.students import StudentFactory

pytestmark = pytest.mark.django_db


def _rule(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(next(iter(error.value.error_dict.values()))[0].code)


def test_student_withdraws_with_a_reason_kept_as_evidence(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    student: Any = world.users["student_a"]
    with pytest.raises(ValidationError) as refused:
        offerings.enrolment_withdraw(enrolment=enrolment, by=student, reason="  ")
    assert _rule(refused) == "reason_required" and not EnrolmentWithdrawal.objects.exists()
    offerings.enrolment_withdraw(enrolment=enrolment, by=student, reason="Clashes with my placement.")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    kept = EnrolmentWithdrawal.objects.get()
    assert (kept.enrolment, kept.by, kept.reason) == (enrolment, student, "Clashes with my placement.")
    assert enrolment.history.first().history_user == student  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as again:
        offerings.enrolment_withdraw(enrolment=enrolment, by=student, reason="Twice")
    assert _rule(again) == "not_enrolled"
    # Enrolling again keeps the withdrawal; the evidence is never bulk-edited.
    offerings.enrolment_create(offering=offering, student=world.student_a, by=student)
    assert EnrolmentWithdrawal.objects.count() == 1
    with pytest.raises(TypeError):
        EnrolmentWithdrawal.objects.update(reason="")


def test_only_the_student_or_the_office_withdraws(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    for name in ("supervisor_a", "tutor", "coordinator_a", "student_b"):
        with pytest.raises(PermissionDenied):
            offerings.enrolment_withdraw(enrolment=enrolment, by=world.users[name], reason="No")  # type: ignore[arg-type]
    offerings.enrolment_withdraw(enrolment=enrolment, by=world.users["office"], reason="Left the programme.")  # type: ignore[arg-type]
    assert EnrolmentWithdrawal.objects.get().by == world.users["office"]


def test_a_graded_enrolment_is_not_withdrawn(world: World, offering: Offering) -> None:
    office: Any = world.users["office"]
    submitted = GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    with pytest.raises(ValidationError) as locked:
        offerings.enrolment_withdraw(enrolment=submitted.enrolment, by=office, reason="Late")
    assert _rule(locked) == "already_graded" and "locked" in locked.value.messages[0]
    draft = GradeFactory.create(
        enrolment=EnrolmentFactory.create(offering=offering, student=world.student_b),
        status=GradeStatus.DRAFT,
        submitted_at=None,
    )
    with pytest.raises(ValidationError) as started:
        offerings.enrolment_withdraw(enrolment=draft.enrolment, by=office, reason="Late")
    assert _rule(started) == "already_graded" and "Ask the teacher" in started.value.messages[0]
    assert not EnrolmentWithdrawal.objects.exists()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.ENROLLED}


def test_withdraw_page_confirms_keeps_the_reason_and_says_why_not(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    url = reverse("curriculum:withdraw", args=[enrolment.pk])
    detail = reverse("curriculum:offering-detail", args=[offering.pk])
    student = client_for(world.users["student_a"])
    assert url in student.get(detail).content.decode()
    confirm = student.get(url).content.decode()
    assert 'data-testid="withdraw-form"' in confirm and offering.course.code in confirm
    assert "确定退选" in student.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    empty = student.post(url, {"reason": ""})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    assert student.post(url, {"reason": "Clashes with my placement."}).status_code == 302
    assert EnrolmentWithdrawal.objects.get().reason == "Clashes with my placement."
    # The evidence shows on the offering, to those who see the enrolment.
    assert "Clashes with my placement." in client_for(world.users["supervisor_a"]).get(detail).content.decode()
    again = student.get(url).content.decode()
    assert "withdrawn from this offering already" in again and 'data-testid="withdraw-form"' not in again
    # Teachers, tutors, coordinators and other students get 404.
    for name in ("supervisor_a", "tutor", "coordinator_a", "student_b", "coordinator_b"):
        assert client_for(world.users[name]).get(url).status_code == 404, name


def test_office_withdraws_a_student_from_the_list_and_is_refused_after_grading(
    world: World, offering: Offering
) -> None:
    ungraded = EnrolmentFactory.create(offering=offering, student=world.student_b)
    graded = GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    office = client_for(world.users["office"])
    detail = office.get(reverse("curriculum:offering-detail", args=[offering.pk])).content.decode()
    assert reverse("curriculum:withdraw", args=[ungraded.pk]) in detail
    assert reverse("curriculum:withdraw", args=[graded.enrolment.pk]) not in detail
    refused = office.post(reverse("curriculum:withdraw", args=[graded.enrolment.pk]), {"reason": "Moved away"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "submitted and locked" in page and "Moved away" in page
    done = office.post(reverse("curriculum:withdraw", args=[ungraded.pk]), {"reason": "Moved away"})
    assert done.status_code == 302
    assert Enrolment.objects.get(pk=ungraded.pk).status == EnrolmentStatus.WITHDRAWN


def test_withdraw_through_the_api(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    url = f"/api/v1/enrolments/{enrolment.pk}/withdraw/"
    body = {"reason": "Clashes with my placement."}
    for name in ("supervisor_a", "tutor", "coordinator_a"):
        assert api_client_for(world.users[name]).post(url, body, format="json").status_code == 403, name
    for name in ("student_b", "coordinator_b"):
        assert api_client_for(world.users[name]).post(url, body, format="json").status_code == 404, name
    student = api_client_for(world.users["student_a"])
    missing = student.post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    done = student.post(url, body, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn" and done.json()["withdrawals"][0]["reason"] == body["reason"]
    again = student.post(url, body, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_enrolled"
    graded = GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_b))
    locked = api_client_for(world.users["office"]).post(
        f"/api/v1/enrolments/{graded.enrolment.pk}/withdraw/", body, format="json"
    )
    assert locked.status_code == 400 and locked.json()["error"]["code"] == "already_graded"


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_offering_page_and_enrolment_list_keep_their_query_count_as_withdrawals_grow(
    world: World, offering: Offering
) -> None:
    office: Any = world.users["office"]

    def withdraw_one() -> None:
        enrolment = EnrolmentFactory.create(offering=offering, student=StudentFactory.create(programme=world.programme))
        offerings.enrolment_withdraw(enrolment=enrolment, by=office, reason="Left the programme.")
        EnrolmentFactory.create(offering=offering, student=StudentFactory.create(programme=world.programme))

    withdraw_one()
    page, api = client_for(office), api_client_for(office)
    detail = reverse("curriculum:offering-detail", args=[offering.pk])
    small = (_queries(page, detail), _queries(api, "/api/v1/enrolments/"))
    for _ in range(5):
        withdraw_one()
    assert (_queries(page, detail), _queries(api, "/api/v1/enrolments/")) == small
