"""What the projects app plugs into the apps below it (``core.hooks``), registered by ``ProjectsConfig.ready``:

- the plan page and PDF: the student's project points against the programme's minimum, replacing the
  built-in "not yet recorded" line (``PLAN_SECTIONS``, ``replaces="project_points"``);
- the at-risk lists: behind on project points (``AT_RISK_REASONS``);
- the navigation: "Projects" for every signed-in person (the board is open to all) (``NAV_ITEMS``);
- the start page: join requests to answer, outputs to verify (``START_PANELS``);
- the funds pages (``funds.hooks``, funds stands below projects): the projects an allocation pays for
  (``ALLOCATION_SECTIONS``) and the project an expenditure serves (``EXPENDITURE_SECTIONS``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hooks
from partners import access


def plan_points(*, user: Any, student: Any, today: datetime.date) -> Mapping[str, Any]:
    """The plan's block: the student's points in their programme (total, per year, the rows) against the
    minimum. Whoever may read the plan reads this progress on it; two queries."""
    from projects.selectors import student_points

    summary, shown = student_points(user=user, student=student)
    required = student.programme.min_project_points
    return {
        "key": "project-points",
        "summary": summary,
        "rows": shown,
        "hidden": len(summary.rows) - len(shown),
        "required": required,
        "met": summary.total >= required,
        "own": user.pk == student.user_id,
    }


def behind_on_points(today: datetime.date) -> Any:
    from projects.selectors import behind_on_points as condition

    return condition(today)


def requests_panel(user: Any) -> Mapping[str, Any] | None:
    from projects.selectors import outputs_to_verify, requests_to_answer

    items = []
    requests = requests_to_answer(user=user).count()
    if requests:
        items.append({"label": _("Requests to join your projects"), "count": requests, "url": reverse("projects:list")})
    if access.is_office(user):
        outputs = outputs_to_verify(user=user).count()
        items.append({"label": _("Project outputs to verify"), "count": outputs, "url": reverse("projects:outputs")})
    if not items:
        return None
    return {"key": "projects", "title": _("Projects"), "items": items}


def allocation_projects(*, user: Any, obj: Any) -> Mapping[str, Any] | None:
    """The allocation page's block: the projects it pays for that the reader may see (two queries)."""
    from projects.selectors import allocation_projects as select

    shown, hidden = select(user=user, allocation=obj)
    if not shown and not hidden:
        return None
    return {"projects": shown, "hidden": hidden}


def expenditure_project(*, user: Any, obj: Any) -> Mapping[str, Any] | None:
    """The expenditure page's block: the project it serves, linked for those who may see the project."""
    from projects.models import ProjectExpenditure

    link = ProjectExpenditure.objects.select_related("project", "linked_by").filter(expenditure=obj).first()
    if link is None:
        return None
    return {"link": link, "visible": access.can(user, "view", link.project)}


def register() -> None:
    from funds import hooks as funds_hooks

    funds_hooks.ALLOCATION_SECTIONS.register(
        funds_hooks.FundsSection(
            key="projects", build=allocation_projects, template="projects/_allocation_projects.html"
        )
    )
    funds_hooks.EXPENDITURE_SECTIONS.register(
        funds_hooks.FundsSection(
            key="project", build=expenditure_project, template="projects/_expenditure_project.html"
        )
    )
    hooks.PLAN_SECTIONS.register(
        hooks.PlanSection(
            key="project-points",
            build=plan_points,
            template="projects/plan/_points.html",
            pdf_template="projects/plan/_points_pdf.html",
            replaces="project_points",
            order=50,
        )
    )
    hooks.AT_RISK_REASONS.register(
        hooks.RiskReason(
            key="project_points", label=gettext_lazy("Behind on project points"), condition=behind_on_points
        )
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="projects",
            label=gettext_lazy("Projects"),
            url_name="projects:list",
            visible=lambda user: bool(user.is_authenticated),
            order=60,
        )
    )
    hooks.START_PANELS.register(
        hooks.StartPanel(key="projects", build=requests_panel, template="core/_panel.html", order=60)
    )
