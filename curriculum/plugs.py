"""What the curriculum plugs into lower apps through ``core.hooks`` (registered by ``CurriculumConfig.ready``):
credits earned on the plan page and PDF, a credit shortfall on the at-risk list, the navigation, and the
teacher's start panel (grades to enter)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hooks
from curriculum import selectors


def plan_credits(*, user: Any, student: Any, today: datetime.date) -> Mapping[str, Any] | None:
    """The plan's credits block: earned against required by category (I&E share of integrated courses
    included), counted over the grades the reader may see."""
    rows, whole = selectors.credits_earned(user=user, student=student)
    return {
        "key": "credits",
        "rows": rows,
        "whole": whole,
        "transcript_url": reverse("curriculum:transcript", args=[student.pk]) if whole else "",
    }


def teacher_panel(user: Any) -> Mapping[str, Any] | None:
    """A teacher's start card: their offerings with grades still to enter or submit."""
    if not selectors.teaches_any(user=user):
        return None
    waiting = selectors.grades_to_enter(user=user)
    return {
        "key": "grades-to-enter",
        "title": _("Grades to enter"),
        "items": [
            {
                "label": f"{o.course.code} {o.course.title_en} ({o.term})",
                "count": o.waiting,  # type: ignore[attr-defined]
                "url": reverse("curriculum:grade-sheet", args=[o.pk]),
            }
            for o in waiting
        ],
        "empty": _("Every grade of your offerings is submitted."),
    }


def register() -> None:
    hooks.PLAN_SECTIONS.register(
        hooks.PlanSection(
            key="curriculum-credits",
            build=plan_credits,
            template="curriculum/_plan_credits.html",
            pdf_template="curriculum/pdf/_plan_credits.html",
            replaces="credits",
            order=10,
        )
    )
    hooks.AT_RISK_REASONS.register(
        hooks.RiskReason(
            key="credit_shortfall",
            label=gettext_lazy("Credits behind (under half after a year)"),
            condition=selectors.credit_shortfall,
            whole=selectors.credit_shortfall_over_all,
        )
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="curriculum-courses",
            label=gettext_lazy("Courses"),
            url_name="curriculum:catalogue",
            visible=lambda user: bool(user.is_authenticated),
            order=20,
        )
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="curriculum-offerings",
            label=gettext_lazy("Offerings"),
            url_name="curriculum:offerings",
            visible=lambda user: bool(user.is_authenticated),
            order=21,
        )
    )
    hooks.START_PANELS.register(
        hooks.StartPanel(key="curriculum-grades", build=teacher_panel, template="core/_panel.html", order=20)
    )
