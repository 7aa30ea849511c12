"""Projects and points through the services: scale by the scheme's rule, points from a frozen scheme, small
projects accumulating without a cap, outputs earning only once verified, reversals, the board."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import MemberRole, OutputStatus, PointAward, ProjectMember, RequestStatus, Scale
from projects.selectors import points_ledger, points_summary, project_list
from projects.services import board, points
from tests.conftest import World
from tests.factories.projects import PointsSchemeFactory
from tests.projects.helpers import output, project, scheme, user

pytestmark = pytest.mark.django_db


def _rule(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(next(iter(error.value.error_dict.values()))[0].code)


def test_scale_follows_budget_and_duration_by_the_scheme(world: World) -> None:
    assert project(world, budget="20000", months=6).scale == Scale.SMALL
    assert project(world, budget="200000", months=6).scale == Scale.MEDIUM
    assert project(world, budget="20000", months=13).scale == Scale.MEDIUM
    assert project(world, budget="5000000", months=6).scale == Scale.LARGE
    assert project(world, budget="0", months=36).scale == Scale.LARGE


def test_conclusion_awards_members_by_scale_and_role(world: World) -> None:
    made = project(world, budget="20000")
    services.project_member_add(
        project=made, user=user(world, "student_a"), role=MemberRole.PARTICIPANT, by=user(world, "supervisor_a")
    )
    services.project_conclude(project=made, by=user(world, "office"), on=datetime.date(2026, 6, 30))
    awards = {a.person.username: a for a in PointAward.objects.filter(project=made)}
    assert awards["supervisor_a"].points == Decimal("3.00") and awards["supervisor_a"].role == "leader"
    assert awards["student_a"].points == Decimal("2.00") and awards["student_a"].member_kind == "student"
    assert awards["student_a"].year == 2026 and awards["student_a"].scheme.version == 1


def test_five_small_projects_weigh_what_one_large_one_does(world: World) -> None:
    student_a, student_b = user(world, "student_a"), user(world, "student_b")
    for _ in range(5):
        small = project(world, budget="10000")
        services.project_member_add(project=small, user=student_a, role="participant", by=user(world, "office"))
        services.project_conclude(project=small, by=user(world, "office"), on=datetime.date(2026, 5, 1))
    large = project(world, budget="2000000")
    services.project_member_add(project=large, user=student_b, role="participant", by=user(world, "office"))
    services.project_conclude(project=large, by=user(world, "office"), on=datetime.date(2026, 5, 1))
    office = user(world, "office")
    total_a = points_summary(points_ledger(user=office, person=student_a.pk)).total
    total_b = points_summary(points_ledger(user=office, person=student_b.pk)).total
    assert total_a == total_b == Decimal("10.00")  # no cap, nothing counts only the largest


def test_points_come_from_the_scheme_in_force_which_is_then_frozen(world: World) -> None:
    office = user(world, "office")
    first = scheme(world)
    second = PointsSchemeFactory.create(
        programme=world.programme,
        created_by=office,
        valid_from=datetime.date(2026, 7, 1),
        project_points={"small": {"leader": "30", "core": "20", "participant": "20"}},
    )
    early = project(world)
    late = project(world)
    services.project_conclude(project=early, by=office, on=datetime.date(2026, 6, 30))
    services.project_conclude(project=late, by=office, on=datetime.date(2026, 7, 1))
    assert PointAward.objects.get(project=early).points == Decimal("3.00")
    assert PointAward.objects.get(project=early).scheme == first
    assert PointAward.objects.get(project=late).points == Decimal("30.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.frozen_at is not None and second.frozen_at is not None
    # A scheme never applies backwards, and a new version comes after the latest one.
    with pytest.raises(ValidationError) as backdated:
        points.scheme_create(
            programme=world.programme,
            valid_from=datetime.date(2026, 1, 1),
            project_points={},
            output_points={},
            by=office,
            today=datetime.date(2026, 8, 1),
        )
    assert _rule(backdated) == "scheme_backdated"
    third = points.scheme_create(
        programme=world.programme,
        valid_from=datetime.date(2026, 9, 1),
        project_points={"small": {"leader": 1}},
        output_points={"paper": "1.5"},
        by=office,
        today=datetime.date(2026, 8, 1),
    )
    assert third.version == 3 and third.output_points == {"paper": "1.50"}
    with pytest.raises(ValidationError) as unknown:
        points.scheme_create(
            programme=world.programme,
            valid_from=datetime.date(2026, 10, 1),
            project_points={"huge": {}},
            output_points={},
            by=office,
            today=datetime.date(2026, 8, 1),
        )
    assert _rule(unknown) == "invalid_rates"


def test_partner_kind_weights_the_points(world: World) -> None:
    scheme(world, partner_weights={"enterprise": "1.5"})
    made = project(world, lead="b", leader="supervisor_b")
    services.project_conclude(project=made, by=user(world, "office"), on=datetime.date(2026, 6, 30))
    award = PointAward.objects.get(project=made)
    assert (award.base_points, award.weight, award.points) == (Decimal("3.00"), Decimal("1.50"), Decimal("4.50"))


def test_an_output_earns_nothing_until_the_office_verifies_it(world: World) -> None:
    made = project(world)
    services.project_member_add(project=made, user=user(world, "student_a"), role="core", by=user(world, "office"))
    paper = output(world, made, by="student_a")
    assert not PointAward.objects.filter(output=paper).exists()
    with pytest.raises(PermissionDenied):
        services.output_verify(output=paper, by=user(world, "supervisor_a"))
    services.output_verify(output=paper, by=user(world, "office"), on=datetime.date(2026, 4, 1))
    awarded = sorted(PointAward.objects.filter(output=paper).values_list("person__username", "points"))
    assert awarded == [("student_a", Decimal("3.00")), ("supervisor_a", Decimal("3.00"))]
    with pytest.raises(ValidationError) as twice:
        services.output_verify(output=paper, by=user(world, "office"))
    assert _rule(twice) == "already_decided"


def test_a_rejected_output_keeps_its_reason_and_earns_nothing(world: World) -> None:
    made = project(world)
    patent = output(world, made, output_type="patent")
    with pytest.raises(ValidationError):
        services.output_reject(output=patent, note=" ", by=user(world, "office"))
    services.output_reject(output=patent, note="The certificate is for another patent.", by=user(world, "office"))
    patent.refresh_from_db()
    assert patent.status == OutputStatus.REJECTED and not PointAward.objects.filter(output=patent).exists()


def test_an_output_needs_evidence_and_member_contributors(world: World) -> None:
    made = project(world)
    with pytest.raises(ValidationError) as no_evidence:
        services.output_submit(
            project=made,
            output_type="paper",
            title="x",
            achieved_on=datetime.date(2026, 1, 1),
            by=user(world, "office"),
        )
    assert _rule(no_evidence) == "evidence_required"
    with pytest.raises(ValidationError) as stranger:
        services.output_submit(
            project=made,
            output_type="paper",
            title="x",
            achieved_on=datetime.date(2026, 1, 1),
            reference="doi",
            contributors=[user(world, "student_b")],
            by=user(world, "office"),
        )
    assert _rule(stranger) == "not_member"
    with pytest.raises(PermissionDenied):
        output(world, made, by="student_b")


def test_a_reversal_takes_points_back_once_with_a_reason(world: World) -> None:
    made = project(world, status="concluded")
    award = PointAward.objects.get(project=made)
    office = user(world, "office")
    with pytest.raises(ValidationError):
        points.award_reverse(award=award, reason="", by=office)
    reversal = points.award_reverse(award=award, reason="Counted twice.", by=office)
    assert reversal.points == -award.points and reversal.reverses == award
    with pytest.raises(ValidationError) as again:
        points.award_reverse(award=award, reason="Again.", by=office)
    assert _rule(again) == "already_reversed"
    assert points_summary(points_ledger(user=office, person=award.person_id)).total == 0


def test_abandoned_projects_award_nothing(world: World) -> None:
    made = project(world)
    services.project_abandon(project=made, reason="The partner withdrew.", by=user(world, "supervisor_a"))
    with pytest.raises(ValidationError) as closed:
        services.project_conclude(project=made, by=user(world, "office"))
    assert _rule(closed) == "wrong_status"
    assert not PointAward.objects.filter(project=made).exists()


def test_student_joins_from_the_board_when_the_leader_accepts(world: World) -> None:
    made = project(world, lead="b", leader="supervisor_b")
    post = board.post_create(project=made, places=1, skills_wanted="Python", by=user(world, "coordinator_b"))
    with pytest.raises(ValidationError) as staff:
        board.join_request_create(post=post, by=user(world, "tutor"))
    assert _rule(staff) == "students_only"
    request = board.join_request_create(post=post, message="I know DICOM.", by=user(world, "student_a"))
    with pytest.raises(ValidationError) as again:
        board.join_request_create(post=post, by=user(world, "student_a"))
    assert _rule(again) == "already_requested"
    with pytest.raises(PermissionDenied):
        board.join_request_answer(request=request, accept=True, by=user(world, "supervisor_a"))
    board.join_request_answer(request=request, accept=True, answer="Welcome.", by=user(world, "supervisor_b"))
    member = ProjectMember.objects.get(project=made, user=user(world, "student_a"))
    assert member.role == MemberRole.PARTICIPANT and member.kind == "student"
    other = board.join_request_create(post=post, by=user(world, "student_b"))
    with pytest.raises(ValidationError) as full:
        board.join_request_answer(request=other, accept=True, by=user(world, "supervisor_b"))
    assert _rule(full) == "no_places"
    with pytest.raises(ValidationError):
        board.join_request_answer(request=other, accept=False, answer="", by=user(world, "supervisor_b"))
    declined = board.join_request_answer(request=other, accept=False, answer="Full.", by=user(world, "supervisor_b"))
    assert declined.status == RequestStatus.DECLINED and declined.answered_by == user(world, "supervisor_b")


def test_project_scope_members_partners_office(world: World) -> None:
    at_a = project(world)
    at_b = project(world, lead="b", leader="supervisor_b", partners=[world.partner_a])
    services.project_member_add(project=at_b, user=user(world, "student_b"), role="core", by=user(world, "office"))

    def seen(persona: str) -> set[int]:
        return set(project_list(user=user(world, persona)).values_list("pk", flat=True))

    assert seen("office") == {at_a.pk, at_b.pk}
    assert seen("coordinator_a") == {at_a.pk, at_b.pk}  # A is involved in B's project
    assert seen("coordinator_b") == {at_b.pk}
    assert seen("student_b") == {at_b.pk}
    assert seen("student_a") == set() and seen("tutor") == set() and seen("inspector") == set()


def test_only_hosts_may_propose_at_their_partner(world: World) -> None:
    scheme(world)
    with pytest.raises(PermissionDenied):
        services.project_create(
            by=user(world, "coordinator_a"),
            programme=world.programme,
            title_en="Not theirs",
            kind="venture",
            lead_partner=world.partner_b,
            leader=user(world, "coordinator_a"),
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 3, 1),
        )
