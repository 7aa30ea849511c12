"""Page content across partners: a page that gathers several partners' data shows each reader only their part.

``test_matrix.py`` holds every route to the status code docs/permissions.md promises; a leak inside a 200
page passes it. Here student A trains at two partners: first at partner A (Aurora, under supervisor A),
then at partner B (Borealis, under supervisor B), with practice hours at both and a plan whose versions
added and changed placements at both. Each page that gathers data across partners (the progress page,
the plan page, its PDF and versions, the student lists, the approval queue, the practice pages and
exports, the inspection pages, scorecards and the start page) is requested as each persona that sees one
partner only: coordinator and supervisor of A, of B, an inspector holding a grant on A
(``grant_partner_view``), and a co-supervisor. The other partner's distinctive strings (partner, short
name, site, supervisor, notes, hours, totals that include them) must be absent; the persona's own must be
present, so each check can fail.

Two sets of names are public and left out of the search: the partner directory (every signed-in person
sees partners' names; the list filters offer them, so those ``role="search"`` forms are cut out first)
and the student's record (name, tutor, co-supervisor), which everyone who may see the student reads.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.access import grant_partner_view
from partners.models import Partner, Site
from programmes.models import ActivityCategory, MilestoneKind
from students import services as plan_services
from students.models import Milestone, Placement, PlanVersion, Student
from supervision import services as supervision_services
from supervision.models import Inspection, InspectionKind, Severity, TargetKind
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Side:
    """What identifies one partner's part of student A's training on a page."""

    partner: str
    short_name: str
    site: str
    supervisor: str
    #: notes written on the placement in a later version of the plan
    notes: str
    #: approved and pending hours at the placement (distinctive: no other figure on a page reads so)
    approved: str
    pending: str
    #: hours the placement requires, as pages write them
    required: str
    #: an inspection of the partner: its scope and its finding
    scope: str
    finding: str

    @property
    def names(self) -> list[str]:
        return [self.partner, self.short_name, self.site, self.supervisor]

    @property
    def everything(self) -> list[str]:
        return [*self.names, self.notes, self.approved, self.pending, self.required, self.scope, self.finding]


A = Side(
    partner="Aurora General Hospital",
    short_name="AUR-H",
    site="Aurora Imaging Suite",
    supervisor="Ada Amberfield",
    notes="Aurora rota revised",
    approved="13.25",
    pending="2.75",
    required="123 h",
    scope="Aurora audit of night supervision",
    finding="Aurora logbooks left unsigned",
)
B = Side(
    partner="Borealis Devices Ltd",
    short_name="BOR-D",
    site="Borealis Robotics Lab",
    supervisor="Bruno Blackwood",
    notes="Borealis night shifts added",
    approved="41.5",
    pending="6.25",
    required="187 h",
    scope="Borealis audit of the robotics rota",
    finding="Borealis rota not displayed",
)
#: Approved hours at both partners together (13.25 + 41.5): only a reader of both may see this sum.
BOTH_APPROVED = "54.75"

#: Personas that see one partner only, and which.
ONE_PARTNER = {
    "coordinator_a": A,
    "supervisor_a": A,
    "inspector": A,
    "coordinator_b": B,
    "supervisor_b": B,
}
A_ONLY = [persona for persona, side in ONE_PARTNER.items() if side is A]


def _other(side: Side) -> Side:
    return B if side is A else A


@dataclass
class Shared:
    """The world of these tests: ids of what the pages are asked about."""

    world: World
    student: Student
    placement_a: Placement
    placement_b: Placement
    late_milestone: Milestone

    def user(self, persona: str) -> User:
        found = self.world.users[persona]
        assert found is not None, persona
        return found


def _rename(world: World) -> None:
    for partner, site, supervisor, side in (
        (world.partner_a, world.site_a, "supervisor_a", A),
        (world.partner_b, world.site_b, "supervisor_b", B),
    ):
        Partner.objects.filter(pk=partner.pk).update(name=side.partner, short_name=side.short_name)
        Site.objects.filter(pk=site.pk).update(name=side.site)
        User.objects.filter(username=supervisor).update(full_name=side.supervisor)
        partner.refresh_from_db()
        site.refresh_from_db()
    for user in world.users.values():
        if user is not None:
            user.refresh_from_db()


@pytest.fixture
def shared(world: World) -> Shared:
    """Student A: at partner A from 90 to 10 days ago (123 h of CT required), then at partner B from 9 days
    ago for four months (187 h of robot calibration required). Hours at A: 13.25 approved, 2.75 pending; at
    B: 41.5 approved, 6.25 pending. Plan versions: v1 (A only), v2 B added, v3 A's notes changed, v4 B's
    notes changed. A milestone of student A is late (the at-risk list shows them)."""
    _rename(world)
    today = timezone.localdate()
    tutor = world.users["tutor"]
    assert tutor is not None
    student = Student.objects.select_related("programme", "user").get(pk=world.student_a.pk)
    Student.objects.filter(pk=student.pk).update(enrolled_on=today - datetime.timedelta(days=365))
    student.refresh_from_db()
    ct = ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation", required_hours=300)
    robot = ActivityCategoryFactory.create(
        programme=world.programme, code="robot", name="Robot calibration", required_hours=200
    )

    placement_a = world.placement_a
    Placement.objects.filter(pk=placement_a.pk).update(
        start_date=today - datetime.timedelta(days=90), end_date=today - datetime.timedelta(days=10)
    )
    placement_a.refresh_from_db()
    placement_a.required_hours.create(category=ct, hours=123)
    plan = student.plan
    PlanVersion.objects.create(
        plan=plan, number=1, snapshot=plan_services.plan_snapshot(plan), summary="Plan created.", created_by=tutor
    )
    placement_b = plan_services.placement_create(
        plan=plan,
        by=tutor,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],  # type: ignore[arg-type]
        start_date=today - datetime.timedelta(days=9),
        end_date=today + datetime.timedelta(days=120),
        required_hours={robot: 187},
    )
    for placement, side, category in ((placement_a, A, ct), (placement_b, B, robot)):
        plan_services.placement_update(
            placement=placement,
            by=tutor,
            site=placement.site,
            supervisor=placement.supervisor,
            start_date=placement.start_date,
            end_date=placement.end_date,
            required_hours={category: int(side.required.split()[0])},
            notes=side.notes,
        )

    day_a = placement_a.start_date + datetime.timedelta(days=5)
    day_b = today - datetime.timedelta(days=1)
    for placement, category, day, approved, pending in (
        (placement_a, ct, day_a, ("10", "3.25"), "2.75"),
        (placement_b, robot, day_b, ("20", "20", "1.5"), "6.25"),
    ):
        for hours in approved:
            PracticeLogFactory.create(
                placement=placement, category=category, date=day, hours=Decimal(hours), approved=True
            )
        PracticeLogFactory.create(placement=placement, category=category, date=day, hours=Decimal(pending))
    late = Milestone.objects.create(
        student=student, kind=MilestoneKind.MIDTERM, due_date=today - datetime.timedelta(days=3)
    )
    return Shared(world, student, placement_a, placement_b, late)


def _grant_inspector(shared: Shared) -> None:
    """The inspector holds a grant on partner A only (an inspection in progress there)."""
    grant_partner_view(
        user=shared.user("inspector"),
        partner=shared.world.partner_a,
        until=timezone.now() + datetime.timedelta(days=1),
        reason="Inspection in progress",
    )


# --- Reading pages ------------------------------------------------------------------------------------------------


_SEARCH_FORMS = re.compile(r"<form\b[^>]*\brole=\"search\"[^>]*>.*?</form>", re.DOTALL)


def _html(user: User, url: str, params: dict[str, Any] | None = None) -> str:
    response = client_for(user).get(url, params or {})
    assert response.status_code == 200, (url, user.username, response.status_code)
    return _SEARCH_FORMS.sub("", response.content.decode())


def _streamed(user: User, url: str, params: dict[str, Any] | None = None) -> str:
    response = client_for(user).get(url, params or {})
    assert response.status_code == 200, (url, user.username, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return body.decode("utf-8-sig")


def _pdf_text(user: User, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, user.username, response.status_code)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    return "".join(text.split())  # the PDF wraps lines wherever it must


def _squeezed(values: list[str]) -> list[str]:
    return ["".join(value.split()) for value in values]


def _assert_content(text: str, *, present: list[str], absent: list[str], where: str) -> None:
    missing = [value for value in present if value not in text]
    leaked = [value for value in absent if value in text]
    assert not missing, f"{where}: the reader's own data is missing: {missing}"
    assert not leaked, f"{where}: shows what the reader may not see: {leaked}"


def _absent(side: Side) -> list[str]:
    """What a reader of ``side`` alone must never find: the other partner's strings and the joint sums."""
    return [*_other(side).everything, BOTH_APPROVED]


# --- The progress page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_progress_page_shows_only_the_readers_partner(shared: Shared, persona: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse("practice:progress", args=[shared.student.pk]))

    _assert_content(
        html,
        present=[side.partner, side.site, side.supervisor, side.approved, side.pending, side.required],
        absent=_absent(side),
        where=f"progress page as {persona}",
    )
    # The totals say what they count: the placements the reader may see, not the whole programme.
    assert 'data-testid="practice-scope"' in html


def test_progress_page_of_a_co_supervisor_shows_no_hours_of_the_other_partner(shared: Shared) -> None:
    """The practice co-supervisor (here supervisor A, as in the demo) may see every placement of the
    student (docs/permissions.md: placement, see), but practice hours only where they supervise."""
    Student.objects.filter(pk=shared.student.pk).update(practice_supervisor=shared.user("supervisor_a"))
    html = _html(shared.user("supervisor_a"), reverse("practice:progress", args=[shared.student.pk]))

    _assert_content(
        html,
        present=[A.site, A.approved, A.pending, A.required],
        absent=[B.approved, B.pending, BOTH_APPROVED],
        where="progress page as the co-supervisor",
    )
    assert 'data-testid="hours-not-shown"' in html


@pytest.mark.parametrize("persona", ["office", "tutor", "student_a"])
def test_progress_page_of_the_office_tutor_and_student_is_complete(shared: Shared, persona: str) -> None:
    html = _html(shared.user(persona), reverse("practice:progress", args=[shared.student.pk]))

    _assert_content(
        html, present=[*A.names[::2], *B.names[::2], A.approved, B.approved, BOTH_APPROVED], absent=[], where=persona
    )
    assert 'data-testid="practice-scope"' not in html
    assert "of 500 h approved" in html  # the programme's whole requirement (300 + 200)


# --- The plan page, its PDF and its versions ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_plan_page_shows_only_the_readers_partner(shared: Shared, persona: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse("students:plan", args=[shared.student.pk]))

    _assert_content(
        html,
        present=[side.partner, side.site, side.supervisor, side.notes, side.approved, side.required],
        absent=_absent(side),
        where=f"plan page as {persona}",
    )


def test_plan_page_of_a_co_supervisor_shows_no_hours_of_the_other_partner(shared: Shared) -> None:
    Student.objects.filter(pk=shared.student.pk).update(practice_supervisor=shared.user("supervisor_a"))
    html = _html(shared.user("supervisor_a"), reverse("students:plan", args=[shared.student.pk]))

    _assert_content(
        html,
        present=[A.site, A.approved],
        absent=[B.approved, B.pending, BOTH_APPROVED],
        where="plan page as the co-supervisor",
    )


@pytest.mark.parametrize("persona", ["coordinator_a", "inspector", "coordinator_b", "supervisor_b"])
def test_plan_pdf_shows_only_the_readers_partner(shared: Shared, persona: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    text = _pdf_text(shared.user(persona), reverse("students:plan-pdf", args=[shared.student.pk]))

    _assert_content(
        text,
        present=_squeezed([side.partner, side.site, side.supervisor]),
        absent=_squeezed([*_other(side).names, _other(side).notes, _other(side).required]),
        where=f"plan PDF as {persona}",
    )


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_plan_versions_page_shows_only_the_readers_partner(shared: Shared, persona: str) -> None:
    """The default comparison (v3 to v4: B's notes changed) and every version's summary."""
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse("students:plan-versions", args=[shared.student.pk]))

    _assert_content(html, present=[side.partner], absent=_absent(side), where=f"versions as {persona}")


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_comparing_two_plan_versions_shows_only_the_readers_partner(shared: Shared, persona: str) -> None:
    """v1 (A only) against v4 (A changed, B added): each reader sees the change at their partner only."""
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    html = _html(
        shared.user(persona), reverse("students:plan-versions", args=[shared.student.pk]), {"a": "1", "b": "4"}
    )

    # A's placement changed (its notes); B's was added (shown with its site and supervisor).
    present = [side.partner, side.notes] if side is A else [side.partner, side.site, side.supervisor]
    _assert_content(html, present=present, absent=_absent(side), where=f"v1 to v4 as {persona}")


def test_comparing_versions_where_only_another_partner_changed_shows_no_difference(shared: Shared) -> None:
    html = _html(
        shared.user("coordinator_a"), reverse("students:plan-versions", args=[shared.student.pk]), {"a": "3", "b": "4"}
    )

    assert 'data-testid="diff-empty"' in html
    _assert_content(html, present=[A.partner], absent=_absent(A), where="v3 to v4 as coordinator_a")


@pytest.mark.parametrize("persona", ["office", "tutor", "student_a"])
def test_plan_versions_of_the_office_tutor_and_student_are_complete(shared: Shared, persona: str) -> None:
    html = _html(shared.user(persona), reverse("students:plan-versions", args=[shared.student.pk]), {"a": 1, "b": 4})

    _assert_content(
        html, present=[A.partner, A.notes, B.partner, B.site, B.supervisor], absent=[], where=f"versions as {persona}"
    )


# --- Student lists --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
@pytest.mark.parametrize("route", ["students:list", "students:at-risk"])
def test_student_lists_show_only_the_readers_partner(shared: Shared, persona: str, route: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse(route))

    # Each row's practice hours are those at the reader's partner; "placed at today" is B for B's people.
    present = [shared.student.student_number, side.approved] + ([B.partner] if side is B else [])
    absent = [*_absent(side), shared.world.student_b.student_number] if side is A else _absent(side)
    _assert_content(html, present=present, absent=absent, where=f"{route} as {persona}")


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_plan_approval_queue_shows_no_partner_data(shared: Shared, persona: str) -> None:
    """The queue names students, programmes and tutors only; partners' people find no plan waiting there."""
    _grant_inspector(shared)
    plan_services.plan_submit(plan=shared.student.plan, by=shared.user("tutor"))
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse("students:approvals"))

    _assert_content(html, present=['data-testid="queue-none"'], absent=_absent(side), where=f"approvals as {persona}")
    tutor = _html(shared.user("tutor"), reverse("students:approvals"))
    assert shared.student.student_number in tutor


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_student_export_holds_only_students_in_scope(shared: Shared, persona: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    text = _streamed(shared.user(persona), reverse("students:export"), {"format": "csv"})

    absent = [*_absent(side), shared.world.student_b.student_number] if side is A else _absent(side)
    _assert_content(text, present=[shared.student.student_number], absent=absent, where=f"export as {persona}")


# --- Practice pages and exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor_a", "supervisor_b"])
def test_sign_off_queue_shows_only_the_readers_placements(shared: Shared, persona: str) -> None:
    side = ONE_PARTNER[persona]
    html = _html(shared.user(persona), reverse("practice:queue"))

    _assert_content(html, present=[side.partner, side.pending], absent=_absent(side), where=f"queue as {persona}")


@pytest.mark.parametrize("persona", ["supervisor_a", "supervisor_b"])
def test_log_page_of_a_supervisor_shows_only_their_placements_and_entries(shared: Shared, persona: str) -> None:
    """The log form for a supervisee, with the day's entries below it (the other partner's day)."""
    side = ONE_PARTNER[persona]
    mine = shared.placement_a if side is A else shared.placement_b
    theirs = shared.placement_b if side is A else shared.placement_a
    day = theirs.practice_logs.values_list("date", flat=True).first()  # type: ignore[attr-defined]
    html = _html(shared.user(persona), reverse("practice:log"), {"placement": mine.pk, "day": day})

    # The form names the partner in full for one placement (A), by short name in a choice of several (B).
    own = side.partner if side is A else side.short_name
    _assert_content(html, present=[own], absent=_absent(side), where=f"log page as {persona}")


@pytest.mark.parametrize("persona", list(ONE_PARTNER))
def test_practice_export_holds_only_the_readers_partner(shared: Shared, persona: str) -> None:
    _grant_inspector(shared)
    side = ONE_PARTNER[persona]
    rows = list(csv.reader(io.StringIO(_streamed(shared.user(persona), reverse("practice:export")))))

    partners = {row[4] for row in rows[1:]}
    hours = sorted(Decimal(row[8]) for row in rows[1:])
    assert partners == {side.partner}, persona
    own = (
        sorted(Decimal(h) for h in ("10", "3.25", "2.75"))
        if side is A
        else sorted(Decimal(h) for h in ("20", "20", "1.5", "6.25"))
    )
    assert hours == own, persona


# --- Inspections and scorecards -------------------------------------------------------------------------------------


@dataclass
class Inspections:
    of_a: Inspection
    of_b: Inspection


@pytest.fixture
def inspections(shared: Shared) -> Inspections:
    """A spot inspection of A's site by ``inspector`` and one of student A's placement at B by a second
    inspector (``inspector_b``), both started, each with a major finding (so an open corrective action)."""
    world = shared.world
    inspector_b = UserFactory.create(username="inspector_b", full_name="Iris Ironwood")
    grant_platform_role(inspector_b, PlatformRole.INSPECTOR)
    world.users["inspector_b"] = inspector_b
    office = shared.user("office")
    of_a = supervision_services.inspection_plan(
        kind=InspectionKind.SPOT,
        partner=world.partner_a,
        site=world.site_a,
        template=helpers.template_for(TargetKind.SITE),
        planned_date=timezone.localdate(),
        inspectors=[shared.user("inspector")],
        scope=A.scope,
        by=office,
    )
    of_b = supervision_services.inspection_plan(
        kind=InspectionKind.SPOT,
        partner=world.partner_b,
        placement=shared.placement_b,
        template=helpers.template_for(TargetKind.PLACEMENT),
        planned_date=timezone.localdate(),
        inspectors=[inspector_b],
        scope=B.scope,
        by=office,
    )
    for inspection, inspector, side in ((of_a, shared.user("inspector"), A), (of_b, inspector_b, B)):
        supervision_services.inspection_start(inspection=inspection, by=inspector)
        supervision_services.finding_add(
            inspection=inspection, severity=Severity.MAJOR, description=side.finding, by=inspector
        )
    return Inspections(of_a, of_b)


INSPECTION_READERS = {
    "coordinator_a": A,
    "inspector": A,
    "coordinator_b": B,
    "supervisor_b": B,
    "inspector_b": B,
}


def _inspection_absent(side: Side) -> list[str]:
    other = _other(side)
    return [other.scope, other.finding, other.site, other.supervisor]


@pytest.mark.parametrize("persona", list(INSPECTION_READERS))
def test_inspection_list_and_detail_show_only_the_readers_partner(
    shared: Shared, inspections: Inspections, persona: str
) -> None:
    side = INSPECTION_READERS[persona]
    user = shared.user(persona)
    own = inspections.of_a if side is A else inspections.of_b

    listed = _html(user, reverse("supervision:list"))
    _assert_content(listed, present=[side.scope], absent=_inspection_absent(side), where=f"inspections as {persona}")
    detail = _html(user, reverse("supervision:detail", args=[own.pk]))
    _assert_content(
        detail, present=[side.scope, side.finding], absent=_inspection_absent(side), where=f"inspection as {persona}"
    )


@pytest.mark.parametrize("persona", ["coordinator_a", "inspector", "coordinator_b", "inspector_b"])
def test_corrective_actions_and_inspectors_worklists_show_only_the_readers_partner(
    shared: Shared, inspections: Inspections, persona: str
) -> None:
    side = INSPECTION_READERS[persona]
    user = shared.user(persona)

    actions = _html(user, reverse("supervision:actions"))
    _assert_content(actions, present=[side.finding], absent=_inspection_absent(side), where=f"actions as {persona}")
    mine = _html(user, reverse("supervision:mine"))
    _assert_content(mine, present=[], absent=_inspection_absent(side), where=f"my inspections as {persona}")
    start = _html(user, reverse("core:start"))
    _assert_content(start, present=[], absent=_absent(side), where=f"start page as {persona}")


@pytest.mark.parametrize("persona", ["coordinator_a", "coordinator_b"])
def test_scorecard_of_a_coordinator_counts_only_their_partner(
    shared: Shared, inspections: Inspections, persona: str
) -> None:
    side = ONE_PARTNER[persona]
    partner = shared.world.partner_a if side is A else shared.world.partner_b
    html = _html(shared.user(persona), reverse("supervision:scorecard", args=[partner.pk]))

    _assert_content(html, present=[side.partner], absent=[_other(side).partner, _other(side).short_name], where=persona)


def test_the_personas_hold_what_these_tests_assume(shared: Shared) -> None:
    """Guard: each one-partner persona holds a membership of their own partner only (the inspector none)."""
    for persona, side in ONE_PARTNER.items():
        held = set(shared.user(persona).memberships.values_list("partner__name", flat=True))  # type: ignore[attr-defined]
        assert held == (set() if persona == "inspector" else {side.partner}), persona
    assert ActivityCategory.objects.filter(programme=shared.world.programme).count() == 2
