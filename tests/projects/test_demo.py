"""The projects demo: the large institute project, five small concluded projects with verified outputs whose
points together meet ``student``'s minimum (shown on the plan), and ``student2``'s request on the
enterprise's board post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from core.demo import seed_demo
from projects.models import JoinRequest, OutputStatus, PointAward, Project, ProjectStatus, Scale
from projects.selectors import points_summary
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_demo_tells_the_small_projects_story() -> None:
    seed_demo()
    large = Project.objects.get(title_en="Low-dose photon-counting CT reconstruction")
    assert large.scale == Scale.LARGE and large.kind == "research_government"
    assert large.lead_partner.short_name == "BME-I"
    assert large.fund_allocation is not None and large.fund_allocation.partner_id == large.lead_partner_id
    assert large.expenditure_links.get().expenditure.payee == "MR Physics Summer School"
    small = Project.objects.filter(scale=Scale.SMALL, status=ProjectStatus.CONCLUDED)
    assert small.count() == 5
    assert small.filter(kind__in=["venture", "competition", "tech_transfer"]).count() == 2
    assert small.filter(kind="competition").count() == 1
    assert all(p.outputs.filter(status=OutputStatus.VERIFIED).exists() for p in small)
    student = User.objects.get(username="student")
    summary = points_summary(PointAward.objects.filter(person=student))
    from_small = summary.by_scale["small"]
    minimum = student.student.programme.min_project_points
    assert from_small == summary.total and from_small >= minimum
    request = JoinRequest.objects.get(student__username="student2")
    assert request.status == "pending" and request.post.project.lead_partner.short_name == "IMG-E"
    page = client_for(student).get(reverse("students:plan", args=[student.student.pk])).content.decode()
    assert f"of at least {minimum} points" in page and "not yet met" not in page
