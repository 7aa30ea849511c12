"""The curriculum API: scoped lists and 404s, enrolment with its refusal codes, bulk grades with
idempotency keys, teachers, and list query counts that do not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Grade, Offering
from tests.conftest import World, api_client_for
from tests.factories.curriculum import (
    CourseFactory,
    EnrolmentFactory,
    GradeFactory,
    OfferingFactory,
    OfferingTeacherFactory,
    TeacherProfileFactory,
)

pytestmark = pytest.mark.django_db


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_offerings_are_scoped(world: World, offering: Offering) -> None:
    other = OfferingFactory.create(site=world.site_b)
    assert _ids(api_client_for(world.users["coordinator_a"]).get("/api/v1/course-offerings/")) == {offering.pk}
    assert _ids(api_client_for(world.users["office"]).get("/api/v1/course-offerings/")) == {offering.pk, other.pk}
    assert (
        api_client_for(world.users["coordinator_b"]).get(f"/api/v1/course-offerings/{offering.pk}/").status_code == 404
    )


def test_grades_are_scoped_to_student_tutor_teacher_and_partner(world: World, offering: Offering) -> None:
    grade = GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    for name in ("office", "student_a", "tutor", "supervisor_a", "coordinator_a"):
        assert _ids(api_client_for(world.users[name]).get("/api/v1/grades/")) == {grade.pk}, name
    for name in ("student_b", "coordinator_b", "supervisor_b", "inspector"):
        assert _ids(api_client_for(world.users[name]).get("/api/v1/grades/")) == set(), name
        assert api_client_for(world.users[name]).get(f"/api/v1/grades/{grade.pk}/").status_code == 404


def test_enrolment_answers_the_refusal_rule(world: World, offering: Offering) -> None:
    client = api_client_for(world.users["student_a"])
    created = client.post("/api/v1/enrolments/", {"offering": offering.pk}, format="json")
    assert created.status_code == 201 and created.json()["student"] == world.student_a.pk
    again = client.post("/api/v1/enrolments/", {"offering": offering.pk}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_enrolled"
    hidden = OfferingFactory.create(site=world.site_b)  # another programme's: not in the student's scope
    missing = client.post("/api/v1/enrolments/", {"offering": hidden.pk}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "not_found"


def test_bulk_grades_with_idempotency_keys(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    client = api_client_for(world.users["supervisor_a"])
    body = {
        "grades": [
            {"enrolment": enrolment.pk, "percentage": "84", "idempotency_key": "sheet-1"},
            {"enrolment": enrolment.pk, "idempotency_key": "sheet-2"},
            {"percentage": "50"},
        ]
    }
    first = client.post("/api/v1/grades/bulk/", body, format="json").json()["results"]
    assert [r["status"] for r in first] == ["created", "refused", "refused"]
    assert first[1]["rule"] == "grade_locked" and first[2]["field"] == "enrolment"
    again = client.post("/api/v1/grades/bulk/", {"grades": body["grades"][:1]}, format="json").json()["results"]
    assert again[0] == {**first[0], "status": "duplicate"}
    assert Grade.objects.get().percentage == 84
    # Someone who does not teach the offering creates nothing.
    other = api_client_for(world.users["coordinator_a"])
    refused = other.post(
        "/api/v1/grades/bulk/",
        {"grades": [{"enrolment": enrolment.pk, "percentage": "10", "idempotency_key": "x"}]},
        format="json",
    ).json()["results"]
    assert refused[0]["rule"] == "not_your_offering" and Grade.objects.count() == 1


def test_teachers_are_scoped_to_their_partner(world: World) -> None:
    at_a = TeacherProfileFactory.create(partner=world.partner_a)
    at_b = TeacherProfileFactory.create(partner=world.partner_b)
    assert _ids(api_client_for(world.users["coordinator_a"]).get("/api/v1/teachers/")) == {at_a.pk}
    assert _ids(api_client_for(world.users["office"]).get("/api/v1/teachers/")) == {at_a.pk, at_b.pk}
    own = api_client_for(at_b.user).get(f"/api/v1/teachers/{at_b.pk}/")
    assert own.status_code == 200 and own.json()["name"] == at_b.user.display_name


def _count(user: Any, url: str) -> int:
    client = api_client_for(type(user).objects.get(pk=user.pk))  # a fresh user: no role cached from before
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_keep_their_query_count(world: World, offering: Offering) -> None:
    office = world.users["office"]
    urls = ["/api/v1/courses/", "/api/v1/course-offerings/", "/api/v1/grades/", "/api/v1/teachers/"]
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    small = [_count(office, url) for url in urls]
    for _ in range(5):
        more = OfferingFactory.create(course=CourseFactory.create(), site=world.site_b)
        OfferingTeacherFactory.create(offering=more, assigned_by=world.users["office"])
        GradeFactory.create(enrolment=EnrolmentFactory.create(offering=more, student=world.student_b))
    assert [_count(office, url) for url in urls] == small
