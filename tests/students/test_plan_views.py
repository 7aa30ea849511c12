"""Training-plan pages: what each persona sees and may do, the timeline and requirements, the workflow
buttons, placements through the form, versions and their difference, milestones, and a constant number
of queries on the plan page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from partners.models import MembershipRole
from students import services
from students.models import (
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementHours,
    PlacementStatus,
    PlanStatus,
    PlanVersion,
    TrainingPlan,
)
from students.selectors import plan_version_diff
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory
from tests.factories.programmes import ActivityCategoryFactory, ObjectiveFactory
from tests.factories.students import PlacementFactory

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    """A persona's user (never the anonymous one here)."""
    user = world.users[persona]
    assert user is not None
    return user


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _plan(world: World) -> TrainingPlan:
    return TrainingPlan.objects.get(student=world.student_a)


def _url(name: str, pk: int) -> str:
    return reverse(f"students:{name}", args=[pk])


def _page(user: User | None, world: World) -> str:
    response = client_for(user).get(_url("plan", world.student_a.pk))
    assert response.status_code == 200
    return response.content.decode()


def _approve_all(world: World) -> TrainingPlan:
    plan = _plan(world)
    services.plan_submit(plan=plan, by=_u(world, "student_a"))
    services.plan_tutor_approve(plan=plan, by=_u(world, "tutor"))
    return services.plan_approve(plan=plan, by=_u(world, "office"))


def _milestone(world: World) -> Milestone:
    return Milestone.objects.get(student=world.student_a)


# --- The plan page -------------------------------------------------------------------------------------


def test_student_sees_my_training_plan_and_others_see_whose_it_is(student_a: User, tutor: User, world: World) -> None:
    own = _page(student_a, world)
    other = _page(tutor, world)

    assert "My training plan" in own
    assert f"Training plan of {student_a.display_name}" in other
    assert re.search(r'data-testid="plan-version"[^>]*>v1<', own)
    assert "Not approved yet" in own


@pytest.mark.parametrize("persona", ["coordinator_b", "supervisor_b", "student_b", "inspector", "counsellor"])
def test_plan_pages_of_a_student_elsewhere_are_404(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    milestone = _milestone(world)

    for url in (
        _url("plan", world.student_a.pk),
        _url("plan-pdf", world.student_a.pk),
        _url("plan-versions", world.student_a.pk),
        _url("plan-goals", world.student_a.pk),
        _url("placement-create", world.student_a.pk),
        _url("placement-edit", world.placement_a.pk),
        _url("milestone-evidence", milestone.pk),
        _url("milestone-evidence-download", milestone.pk),
    ):
        assert client.get(url).status_code == 404, url


def test_plan_of_a_student_who_does_not_exist_is_404(office: User, world: World) -> None:
    assert client_for(office).get(_url("plan", 999999)).status_code == 404


def test_plan_mine_takes_a_student_to_their_plan(student_a: User, office: User, world: World) -> None:
    response = client_for(student_a).get(reverse("students:plan-mine"))

    assert response.status_code == 302
    assert response["Location"] == _url("plan", world.student_a.pk)
    assert client_for(office).get(reverse("students:plan-mine")).status_code == 404


def test_timeline_draws_live_placements_milestones_and_today(student_a: User, world: World) -> None:
    Placement.objects.filter(pk=world.placement_a.pk).update(status=PlacementStatus.CANCELLED)
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 8, 31),
    )

    html = _page(student_a, world)

    assert html.count('class="timeline-bar"') == 1
    assert "Enterprise B · Lab B · 2027-03-01 \u2013 2027-08-31" in html
    assert 'role="group"' in html  # a group of links, not an image (main's b8a8316)
    assert "Thesis proposal · due 2027-06-01" in html
    assert ("timeline-today" in html) == (world.student_a.enrolled_on <= timezone.localdate())


def test_requirements_show_planned_hours_and_not_yet_recorded_never_zero(student_a: User, world: World) -> None:
    category = ActivityCategoryFactory.create(programme=world.programme, name="CT operation", required_hours=240)
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=160)

    html = _page(student_a, world)

    table = html[html.index('data-testid="hours"') :]
    row = table[table.index("CT operation") : table.index("</tr>", table.index("CT operation"))]
    assert "240 h" in row
    assert "160 h" in row
    assert "not yet recorded" in row
    assert "0 h" not in row.replace("240 h", "").replace("160 h", "")
    assert "0 of at least 0 points" in html  # the factory programme asks for none (the projects app's block)


def test_objectives_show_which_placements_serve_them(student_a: User, world: World) -> None:
    served = ObjectiveFactory.create(programme=world.programme, code="P1", description="Operate CT safely.")
    ObjectiveFactory.create(programme=world.programme, code="R1", description="Run an experiment.")
    world.placement_a.objectives.add(served)

    html = _page(student_a, world)

    assert "Operate CT safely." in html
    assert "No placement yet" in html  # R1


def test_coordinator_sees_only_the_placements_at_their_partner(coordinator_a: User, tutor: User, world: World) -> None:
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 8, 31),
    )

    assert "Lab B" not in _page(coordinator_a, world)
    assert "Lab B" in _page(tutor, world)


def test_buttons_follow_the_rights_and_the_status(world: World) -> None:
    student_page = _page(_u(world, "student_a"), world)
    supervisor_page = _page(_u(world, "supervisor_a"), world)
    submit_url = _url("plan-submit", world.student_a.pk)

    assert submit_url in student_page
    assert _url("placement-create", world.student_a.pk) in student_page
    assert _url("plan-approve", world.student_a.pk) not in student_page
    assert submit_url not in supervisor_page
    assert _url("plan-goals", world.student_a.pk) not in supervisor_page
    assert _url("plan-pdf", world.student_a.pk) in supervisor_page

    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    tutor_page = _page(_u(world, "tutor"), world)
    assert _url("plan-tutor-approve", world.student_a.pk) in tutor_page
    assert _url("plan-return", world.student_a.pk) in tutor_page
    assert _url("placement-create", world.student_a.pk) not in tutor_page  # waiting: not editable

    services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))
    assert _url("plan-approve", world.student_a.pk) in _page(_u(world, "office"), world)
    assert _url("plan-return", world.student_a.pk) not in _page(_u(world, "tutor"), world)


def test_next_steps_follow_the_plan(student_a: User, world: World) -> None:
    Milestone.objects.filter(student=world.student_a).update(due_date=timezone.localdate() - datetime.timedelta(days=2))

    assert "submit the plan to the tutor" in _page(student_a, world)
    assert "is late" in _page(student_a, world)

    services.plan_submit(plan=_plan(world), by=student_a)
    assert "Waiting for the tutor" in _page(student_a, world)

    services.plan_return(plan=_plan(world), by=_u(world, "tutor"), reason="Add the institute.")
    html = _page(student_a, world)
    assert "Add the institute." in html
    assert 'data-testid="return-reason"' in html


def test_plan_history_lists_who_did_what(student_a: User, world: World) -> None:
    services.plan_submit(plan=_plan(world), by=student_a)
    services.plan_return(plan=_plan(world), by=_u(world, "tutor"), reason="Hours are short.")

    html = _page(_u(world, "office"), world)
    history = html[html.index('data-testid="plan-history"') :]

    assert "Returned" in history
    assert "Submitted" in history
    assert _u(world, "tutor").display_name in history
    assert "Hours are short." in history


def test_hostile_goals_are_shown_as_text(student_a: User, world: World) -> None:
    services.plan_update_goals(plan=_plan(world), by=student_a, development_goals="<script>alert(1)</script>")

    html = _page(student_a, world)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _add_placements(world: World, count: int) -> None:
    objective = ObjectiveFactory.create(programme=world.programme)
    category = ActivityCategoryFactory.create(programme=world.programme)
    world.placement_a.objectives.add(objective)
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=10)
    for month in range(count):
        placement = PlacementFactory.create(
            student=world.student_a,
            partner=world.partner_a if month % 2 else world.partner_b,
            site=world.site_a if month % 2 else world.site_b,
            supervisor=_u(world, "supervisor_a"),
            start_date=datetime.date(2027, 3 + month, 1),
            end_date=datetime.date(2027, 3 + month, 20),
        )
        placement.objectives.add(objective)
        PlacementHours.objects.create(placement=placement, category=category, hours=10)


@pytest.mark.parametrize("persona", ["student_a", "tutor", "coordinator_a"])
def test_plan_page_costs_the_same_queries_for_one_or_six_placements(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    url = _url("plan", world.student_a.pk)
    _add_placements(world, 0)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    _add_placements(world, 5)
    assert Placement.objects.filter(student=world.student_a).count() == 6
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)

    assert response.content.decode().count('id="placement-') >= (6 if persona != "coordinator_a" else 3)
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


# --- Goals -----------------------------------------------------------------------------------------------


def test_student_changes_goals_through_the_form(student_a: User, world: World) -> None:
    response = client_for(student_a).post(
        _url("plan-goals", world.student_a.pk),
        {"research_direction": "Low-dose CT", "career_intention": "research", "development_goals": "Publish."},
        follow=True,
    )

    plan = _plan(world)
    assert "Goals saved (version 2)." in response.content.decode()
    assert plan.student.research_direction == "Low-dose CT"
    assert PlanVersion.objects.get(plan=plan, number=2).created_by == student_a


def test_goals_of_an_approved_plan_are_refused_keeping_what_was_typed(student_a: User, world: World) -> None:
    _approve_all(world)
    form_page = client_for(student_a).get(_url("plan-goals", world.student_a.pk)).content.decode()
    assert 'data-testid="plan-locked"' in form_page

    response = client_for(student_a).post(
        _url("plan-goals", world.student_a.pk),
        {"research_direction": "Something new", "career_intention": "research"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "start an amendment" in html
    assert 'value="Something new"' in html
    world.student_a.refresh_from_db()
    assert world.student_a.research_direction == ""


def test_supervisor_cannot_open_the_goals_form(supervisor_a: User, world: World) -> None:
    assert client_for(supervisor_a).get(_url("plan-goals", world.student_a.pk)).status_code == 404


# --- Placements ------------------------------------------------------------------------------------------


def _placement_post(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": _u(world, "supervisor_a").pk,
        "start_date": "2027-03-01",
        "end_date": "2027-06-30",
    }
    data.update(overrides)
    return data


def test_placement_form_offers_the_programmes_objectives_and_categories(student_a: User, world: World) -> None:
    ObjectiveFactory.create(programme=world.programme, code="P1", description="Operate CT safely.")
    ObjectiveFactory.create(code="X9", description="Another programme's objective.")
    ActivityCategoryFactory.create(programme=world.programme, name="MR operation")

    html = client_for(student_a).get(_url("placement-create", world.student_a.pk)).content.decode()

    assert "Operate CT safely." in html
    assert "Another programme" not in html
    assert "MR operation" in html
    assert f"{_u(world, 'supervisor_a').display_name} — Hospital A" in html


def test_student_adds_a_placement_with_objectives_and_hours(student_a: User, world: World) -> None:
    objective = ObjectiveFactory.create(programme=world.programme, code="P1")
    category = ActivityCategoryFactory.create(programme=world.programme, name="CT operation")

    response = client_for(student_a).post(
        _url("placement-create", world.student_a.pk),
        _placement_post(world, objectives=[objective.pk], **{f"hours_{category.pk}": "120"}),
    )

    assert response.status_code == 302
    placement = Placement.objects.get(student=world.student_a, start_date=datetime.date(2027, 3, 1))
    assert list(placement.objectives.all()) == [objective]
    assert placement.required_hours.get().hours == 120
    assert _plan(world).version == 2


def test_placement_at_a_site_of_another_partner_shows_the_error_on_the_site(student_a: User, world: World) -> None:
    response = client_for(student_a).post(
        _url("placement-create", world.student_a.pk), _placement_post(world, site=world.site_b.pk, notes="Typed")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This site belongs to another partner." in html
    assert "is-invalid" in html
    assert "Typed" in html
    assert 'value="2027-03-01"' in html
    assert Placement.objects.filter(student=world.student_a).count() == 1


def test_placement_under_another_partners_supervisor_is_refused_on_the_field(student_a: User, world: World) -> None:
    response = client_for(student_a).post(
        _url("placement-create", world.student_a.pk),
        _placement_post(world, supervisor=_u(world, "supervisor_b").pk),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["supervisor"]
    assert Placement.objects.filter(student=world.student_a).count() == 1


def test_student_cannot_name_a_site_outside_their_programme(student_a: User, world: World) -> None:
    outsider = PartnerFactory.create(name="Outsider Hospital")
    site = SiteFactory.create(partner=outsider, name="Outsider site")
    supervisor = UserFactory.create(username="outsider-supervisor")
    MembershipFactory.create(user=supervisor, partner=outsider, role=MembershipRole.SUPERVISOR)
    client = client_for(student_a)

    form_html = client.get(_url("placement-create", world.student_a.pk)).content.decode()
    response = client.post(
        _url("placement-create", world.student_a.pk), _placement_post(world, site=site.pk, supervisor=supervisor.pk)
    )

    assert "Outsider site" not in form_html
    assert "outsider-supervisor" not in form_html
    assert set(response.context["form"].errors) == {"site", "supervisor"}
    assert not Placement.objects.filter(site=site).exists()


def test_placement_edit_changes_dates_but_never_the_partner(tutor: User, world: World) -> None:
    url = _url("placement-edit", world.placement_a.pk)
    client = client_for(tutor)
    assert 'value="2026-10-01"' in client.get(url).content.decode()

    response = client.post(
        url, _placement_post(world, partner=world.partner_b.pk, start_date="2026-10-15", end_date="2027-01-31")
    )

    assert response.status_code == 302
    world.placement_a.refresh_from_db()
    assert world.placement_a.start_date == datetime.date(2026, 10, 15)
    assert world.placement_a.partner == world.partner_a


def test_coordinator_cannot_edit_a_placement_at_their_partner(coordinator_a: User, world: World) -> None:
    assert client_for(coordinator_a).get(_url("placement-edit", world.placement_a.pk)).status_code == 404


def test_placement_cancel_needs_a_reason(student_a: User, world: World) -> None:
    url = _url("placement-cancel", world.placement_a.pk)
    client = client_for(student_a)

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "The department closed."})

    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert done.status_code == 302
    world.placement_a.refresh_from_db()
    assert world.placement_a.status == PlacementStatus.CANCELLED


# --- Workflow ------------------------------------------------------------------------------------------


def test_student_submits_from_the_plan_page(student_a: User, world: World) -> None:
    response = client_for(student_a).post(_url("plan-submit", world.student_a.pk), follow=True)

    assert "Plan submitted for the tutor" in response.content.decode()
    assert _plan(world).status == PlanStatus.SUBMITTED


def test_refused_submit_shows_the_reason_and_changes_nothing(student_a: User, world: World) -> None:
    Placement.objects.filter(student=world.student_a).update(status=PlacementStatus.CANCELLED)

    response = client_for(student_a).post(_url("plan-submit", world.student_a.pk), follow=True)

    assert "Add at least one placement before submitting the plan." in response.content.decode()
    assert "alert-danger" in response.content.decode()
    assert _plan(world).status == PlanStatus.DRAFT


def test_workflow_buttons_answer_405_to_get(student_a: User, world: World) -> None:
    for name in ("plan-submit", "plan-tutor-approve", "plan-approve"):
        assert client_for(student_a).get(_url(name, world.student_a.pk)).status_code == 405


def test_tutor_then_office_approve_from_the_plan_page(tutor: User, office: User, world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    client_for(tutor).post(_url("plan-tutor-approve", world.student_a.pk))
    assert _plan(world).status == PlanStatus.TUTOR_APPROVED
    response = client_for(office).post(_url("plan-approve", world.student_a.pk), follow=True)

    plan = _plan(world)
    assert plan.status == PlanStatus.APPROVED
    assert f"Approved version: v{plan.version}" in response.content.decode()


def test_another_tutor_cannot_approve(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    other = UserFactory.create(username="other-tutor")
    MembershipFactory.create(user=other, partner=world.university, role=MembershipRole.TUTOR)

    assert client_for(other).post(_url("plan-tutor-approve", world.student_a.pk)).status_code == 404
    assert _plan(world).status == PlanStatus.SUBMITTED


def test_return_needs_a_reason_and_sends_the_plan_back(tutor: User, world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    url = _url("plan-return", world.student_a.pk)
    client = client_for(tutor)

    refused = client.post(url, {"reason": "  "})
    done = client.post(url, {"reason": "Add the institute."}, follow=True)

    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert "Plan returned to the student." in done.content.decode()
    assert _plan(world).status == PlanStatus.RETURNED


def test_returning_a_draft_is_refused_with_a_message(tutor: User, world: World) -> None:
    response = client_for(tutor).post(_url("plan-return", world.student_a.pk), {"reason": "Why?"}, follow=True)

    assert "This plan is not waiting for you." in response.content.decode()
    assert _plan(world).status == PlanStatus.DRAFT


def test_amendment_from_the_page_reopens_an_approved_plan(student_a: User, world: World) -> None:
    _approve_all(world)

    response = client_for(student_a).post(
        _url("plan-amend", world.student_a.pk), {"reason": "The enterprise moved the project."}, follow=True
    )

    html = response.content.decode()
    assert "amendment in progress" in html
    assert _url("placement-create", world.student_a.pk) in html
    assert _plan(world).is_amendment


# --- Versions --------------------------------------------------------------------------------------------


def test_versions_page_lists_versions_and_shows_what_changed(student_a: User, world: World) -> None:
    plan = _plan(world)
    PlanVersion.objects.create(
        plan=plan, number=1, snapshot=services.plan_snapshot(plan), summary="Created.", created_by=student_a
    )
    services.plan_update_goals(plan=_plan(world), by=student_a, research_direction="Photon CT")
    services.placement_create(
        plan=_plan(world),
        by=student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 6, 30),
    )
    url = _url("plan-versions", world.student_a.pk)
    client = client_for(_u(world, "tutor"))

    default = client.get(url)
    chosen = client.get(url, {"a": 2, "b": 3})
    nonsense = client.get(url, {"a": "x", "b": "99"})

    assert default.context["pair"] == (2, 3)
    html = chosen.content.decode()
    assert 'data-testid="diff-added"' in html
    assert "Enterprise B, 2027-03-01 to 2027-06-30" in html
    assert "Placement added at Enterprise B" in html
    goals = client.get(url, {"a": 1, "b": 2}).content.decode()
    assert '<ins class="diff-new pre-line">Photon CT</ins>' in goals
    assert nonsense.context["pair"] == (2, 3)
    # A's coordinator compares the same versions without B's placement (tests/access/test_page_content.py).
    theirs = client_for(_u(world, "coordinator_a")).get(url, {"a": 2, "b": 3}).content.decode()
    assert 'data-testid="diff-empty"' in theirs
    assert "Enterprise B" not in theirs and "Lab B" not in theirs
    assert "A change not shown to you." in theirs
    goals = client_for(_u(world, "coordinator_a")).get(url, {"a": 1, "b": 2}).content.decode()
    assert '<ins class="diff-new pre-line">Photon CT</ins>' in goals


def test_versions_page_compares_the_approved_version_with_the_amendment(student_a: User, world: World) -> None:
    approved = _approve_all(world)
    services.plan_amend(plan=_plan(world), by=student_a, reason="Change.")
    services.plan_update_goals(plan=_plan(world), by=student_a, research_direction="MR")
    services.plan_update_goals(plan=_plan(world), by=student_a, research_direction="MR physics")

    response = client_for(student_a).get(_url("plan-versions", world.student_a.pk))

    assert response.context["pair"] == (approved.version, approved.version + 2)


def test_version_diff_compares_goals_placements_and_milestones() -> None:
    placement = {
        "id": 7,
        "partner": "Hospital A",
        "site": "CT room",
        "supervisor": "Dr Li",
        "start_date": "2026-10-01",
        "end_date": "2027-01-31",
        "objectives": ["P1"],
        "required_hours": {"CT": 100},
        "notes": "",
    }
    old = {
        "research_direction": "CT",
        "career_intention": "hospital",
        "development_goals": "",
        "placements": [placement, {**placement, "id": 8, "partner": "Enterprise B"}],
        "milestones": [{"kind": "proposal", "due_date": "2027-06-01"}],
    }
    changed = {
        **placement,
        "end_date": "2027-02-28",
        "objectives": ["P1", "P2"],
        "required_hours": {"CT": 120, "MR": 40},
    }
    new = {
        **old,
        "career_intention": "research",
        "placements": [changed, {**placement, "id": 9, "partner": "Institute C"}],
        "milestones": [{"kind": "proposal", "due_date": "2027-07-01"}],
    }

    diff = plan_version_diff(old, new)

    assert [(g["field"], g["old"], g["new"]) for g in diff["goals"]] == [("career_intention", "Hospital", "Research")]
    assert [p["id"] for p in diff["placements_added"]] == [9]
    assert [p["id"] for p in diff["placements_removed"]] == [8]
    changes = {c["label"]: (c["old"], c["new"]) for c in diff["placements_changed"][0]["changes"]}
    assert changes == {
        "End date": ("2027-01-31", "2027-02-28"),
        "Objectives": ("P1", "P1, P2"),
        "Required hours: CT": ("100", "120"),
        "Required hours: MR": ("", "40"),
    }
    assert diff["milestones"] == [
        {"kind": "proposal", "label": "Thesis proposal", "old": "2027-06-01", "new": "2027-07-01"}
    ]
    assert plan_version_diff(old, old)["is_empty"] is True


# --- Milestones --------------------------------------------------------------------------------------


def test_tutor_marks_a_milestone_done_and_a_future_date_is_refused(tutor: User, world: World) -> None:
    url = _url("milestone-done", _milestone(world).pk)
    client = client_for(tutor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    refused = client.post(url, {"completed_on": tomorrow.isoformat()})
    done = client.post(url, {"completed_on": "2026-01-15"})

    assert refused.context["form"].errors["completed_on"]
    assert done.status_code == 302
    assert _milestone(world).status == MilestoneStatus.DONE


def test_office_waives_a_milestone(office: User, tutor: User, world: World) -> None:
    url = _url("milestone-waive", _milestone(world).pk)

    assert client_for(tutor).get(url).status_code == 404
    response = client_for(office).post(url, {"reason": "Recognised prior work."}, follow=True)

    assert "Waived" in response.content.decode()
    assert _milestone(world).status == MilestoneStatus.WAIVED


def test_student_uploads_evidence_and_whoever_sees_the_plan_downloads_it(
    student_a: User, supervisor_a: User, settings: Any, tmp_path: Any, world: World
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    milestone = _milestone(world)
    upload = SimpleUploadedFile("my proposal.pdf", PDF_BYTES, content_type="application/pdf")
    response = client_for(student_a).post(_url("milestone-evidence", milestone.pk), {"evidence": upload})
    assert response.status_code == 302

    download = client_for(supervisor_a).get(_url("milestone-evidence-download", milestone.pk))

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="proposal-{world.student_a.student_number}.pdf"' in download["Content-Disposition"]
    assert client_for(_u(world, "student_b")).get(_url("milestone-evidence-download", milestone.pk)).status_code == 404


def test_evidence_that_is_not_a_pdf_is_refused_on_the_field(
    student_a: User, settings: Any, tmp_path: Any, world: World
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("proposal.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client_for(student_a).post(_url("milestone-evidence", _milestone(world).pk), {"evidence": upload})

    assert response.status_code == 200
    assert "The file is not a PDF." in response.content.decode()
    assert not _milestone(world).evidence


def test_download_without_evidence_is_404(student_a: User, world: World) -> None:
    assert client_for(student_a).get(_url("milestone-evidence-download", _milestone(world).pk)).status_code == 404
