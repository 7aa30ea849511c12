"""URL arguments and request bodies for the projects routes of the matrix (docs/permissions.md, "Projects").

Object **A** is a running venture led by partner A (leader ``supervisor_a``, ``student_a`` a member; partner
B not involved), made through the real services (``tests/projects/helpers.py``): its output awaiting
verification (with a small PDF as evidence), its board post, ``student_b``'s pending request to join, and
(for ``point-detail`` and the reversals) ``student_a``'s points from a concluded project of partner A.
For ``allocation`` and ``expenditure-link``, project A is paid from partner A's allocation of the funds
matrix (``routes_funds.allocation_a``) and the link names its expenditure A. Bodies are valid for the people
allowed to act, so allowed means done (``supervisor_a`` manages project A but reads no fund allocation: the
form refuses the allocation, 200; the link page is a 404 for them).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import BoardPost, JoinRequest, PointAward, Project, ProjectOutput
from projects.services import board
from tests.access import routes_funds
from tests.conftest import World
from tests.factories.projects import OUTPUT_POINTS
from tests.projects import helpers

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def project_a(world: World) -> Project:
    existing = Project.objects.filter(title_en="Project A").first()
    if existing:
        return existing
    made = helpers.project(world, title_en="Project A")
    services.project_member_add(
        project=made, user=helpers.user(world, "student_a"), role="core", by=helpers.user(world, "office")
    )
    return made


def funded_a(world: World) -> Project:
    """Project A, paid from partner A's allocation."""
    made = project_a(world)
    if made.fund_allocation_id is None:
        allocation = routes_funds.allocation_a(world)
        made = services.project_allocation_set(project=made, allocation=allocation, by=helpers.user(world, "office"))
    return made


def output_a(world: World) -> ProjectOutput:
    existing = ProjectOutput.objects.filter(title="Output A").first()
    if existing:
        return existing
    return services.output_submit(
        project=project_a(world),
        output_type="paper",
        title="Output A",
        achieved_on=datetime.date(2026, 3, 1),
        evidence=SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf"),
        by=helpers.user(world, "supervisor_a"),
    )


def post_a(world: World) -> BoardPost:
    existing = BoardPost.objects.filter(project__title_en="Project A").first()
    return existing or board.post_create(
        project=project_a(world), places=2, skills_wanted="Python", by=helpers.user(world, "coordinator_a")
    )


def request_a(world: World) -> JoinRequest:
    existing = JoinRequest.objects.filter(post__project__title_en="Project A").first()
    return existing or board.join_request_create(post=post_a(world), by=helpers.user(world, "student_b"))


def award_a(world: World) -> PointAward:
    done = helpers.project(world, title_en="Concluded A", status="running")
    services.project_member_add(
        project=done, user=helpers.user(world, "student_a"), role="participant", by=helpers.user(world, "office")
    )
    services.project_conclude(project=done, by=helpers.user(world, "office"), on=datetime.date(2026, 6, 30))
    return PointAward.objects.get(project=done, person=helpers.user(world, "student_a"))


def _pk(make: Callable[[World], Any]) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"pk": make(world).pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "projects:detail": _pk(project_a),
    "projects:status": _pk(project_a),
    "projects:member-add": _pk(project_a),
    "projects:allocation": _pk(project_a),
    "projects:expenditure-link": _pk(funded_a),
    "projects:output-create": _pk(project_a),
    "projects:post-create": _pk(project_a),
    "projects:output-decide": _pk(output_a),
    "projects:output-evidence": _pk(output_a),
    "projects:join": _pk(post_a),
    "projects:request-answer": _pk(request_a),
    "api:project-detail": _pk(project_a),
    "api:project-output-detail": _pk(output_a),
    "api:project-output-verify": _pk(output_a),
    "api:project-output-reject": _pk(output_a),
    "api:point-detail": _pk(award_a),
    "api:point-reverse": _pk(award_a),
    "projects:award-reverse": _pk(award_a),
}


def _create_body(world: World) -> dict[str, Any]:
    helpers.scheme(world)
    return {
        "programme": world.programme.pk,
        "title_en": "A new venture",
        "kind": "venture",
        "lead_partner": world.partner_a.pk,
        "leader": helpers.user(world, "supervisor_a").pk,
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "budget": "30000",
    }


def _scheme_body(world: World) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": world.programme.pk,
        "valid_from": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
        "medium_budget_from": "100000",
        "large_budget_from": "1000000",
        "medium_months_from": "12",
        "large_months_from": "24",
    }
    for scale in ("small", "medium", "large"):
        for role in ("leader", "core", "participant"):
            body[f"p_{scale}_{role}"] = "2"
    for kind, value in OUTPUT_POINTS.items():
        body[f"o_{kind}"] = value
    return body


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "projects:create": _create_body,
    "projects:status": lambda world: {"action": "abandon", "reason": "The partner withdrew."},
    "projects:member-add": lambda world: {"user": helpers.user(world, "student_b").pk, "role": "participant"},
    "projects:output-create": lambda world: {
        "output_type": "prototype",
        "title": "A prototype",
        "achieved_on": "2026-02-01",
        "reference": "Lab notebook 12",
    },
    "projects:post-create": lambda world: {"places": "2", "skills_wanted": "C++"},
    "projects:allocation": lambda world: {"fund_allocation": routes_funds.allocation_a(world).pk},
    "projects:expenditure-link": lambda world: {"expenditure": routes_funds.expenditure_a(world).pk},
    "projects:output-decide": lambda world: {"decision": "verify"},
    "projects:join": lambda world: {"message": "I would like to join."},
    "projects:request-answer": lambda world: {"accept": "yes"},
    "projects:scheme-create": _scheme_body,
    "api:project-output-reject": lambda world: {"note": "The file is another paper."},
    "api:point-reverse": lambda world: {"reason": "Counted twice."},
    "projects:award-reverse": lambda world: {"reason": "Counted twice."},
}
