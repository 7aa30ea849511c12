"""What integrity decisions do in the apps below it, through ``core.hooks`` (registered by ``IntegrityConfig.ready``):

- ``MILESTONE_CHECKS``: a milestone whose latest submission's check is pending, failed, awaiting review,
  referred or sent back for resubmission cannot be marked done;
- ``PLACEMENT_CHECKS``: a supervisor suspended from supervising by a decided case is refused for a new
  placement (with the case and the reason), and so is a suspended partner;
- ``PLAN_SECTIONS``: a student whose defence a case delayed sees it on the plan (as do their tutor and the
  office; nobody else reading the plan);
- ``SCORECARD_SECTIONS``: cases decided against a partner's people (or the partner) in the last 12 months
  count on its scorecard; two, or one sanction, propose probation;
- ``NAV_ITEMS``: the integrity pages for those who have some;
- ``reviews.hooks.CONCERN_OUTCOMES``: the office opens a violation from a review concern (on
  ``integrity:case-from-concern`` or through the concerns API), and the concern links to its case for those
  who may see the case (``integrity.services.concerns``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import AnyUser
from core import hooks
from integrity.models import (
    Case,
    CaseDecision,
    CaseStatus,
    CheckStatus,
    OriginalityReport,
    Outcome,
    Sanction,
    Submission,
)
from integrity.services.concerns import case_open_from_concern
from partners import access
from partners.models import Partner
from reviews import hooks as reviews_hooks
from students.models import Student

DECISION_STANDS = (CaseStatus.DECIDED, CaseStatus.APPEALED, CaseStatus.CLOSED)
#: Upheld cases within a year that propose probation.
PROBATION_CASES = 2


def milestone_check(*, milestone: Any) -> str:
    """Why the milestone's latest submission holds it back, or ""."""
    latest = Submission.objects.filter(milestone=milestone).order_by("-version", "-pk").first()
    if latest is None:
        return ""
    report = OriginalityReport.objects.filter(submission=latest).first()
    if report is None:
        return ""
    title = {"title": latest.title, "version": latest.version}
    if report.status != CheckStatus.DONE:
        return _("The originality check of %(title)s (version %(version)s) is not finished.") % title
    if report.outcome == Outcome.REVIEW:
        return _("The originality report of %(title)s (version %(version)s) awaits the tutor's decision.") % title
    if report.outcome == Outcome.REFERRED:
        return _("The originality report of %(title)s (version %(version)s) is referred to the office.") % title
    if report.outcome == Outcome.RESUBMIT:
        return _("%(title)s (version %(version)s) must be resubmitted after its originality check.") % title
    return ""


def placement_check(
    *, partner: Partner, supervisor: Any, start_date: datetime.date, **_ignored: Any
) -> dict[str, list[str]]:
    """A supervisor suspended by a decided case takes no new placement. (A suspended partner is refused by
    the students app itself, rule ``partner_suspended``.)"""
    errors: dict[str, list[str]] = {}
    case = (
        Case.objects.filter(subject_user=supervisor, sanction=Sanction.SUSPEND_SUPERVISION, status__in=DECISION_STANDS)
        .exclude(sanction_until__lt=start_date)
        .order_by("-decided_at")
        .first()
    )
    if case is not None:
        until = (
            _(" until %(day)s") % {"day": case.sanction_until.isoformat()} if case.sanction_until is not None else ""
        )
        errors["supervisor"] = [
            _("%(name)s is suspended from supervising%(until)s (integrity case %(number)s).")
            % {"name": supervisor, "until": until, "number": case.number}
        ]
    return errors


def plan_section(*, user: AnyUser, student: Any, today: datetime.date) -> Mapping[str, Any] | None:
    """The defence delayed by a case, for the student, their tutor and the office."""
    if not user.is_authenticated:
        return None
    if not (access.is_office(user) or user.pk in (student.user_id, student.tutor_id)):
        return None
    case = (
        Case.objects.filter(subject_student=student, sanction=Sanction.DELAY_DEFENCE, status__in=DECISION_STANDS)
        .filter(Q(sanction_until__gte=today))
        .order_by("-sanction_until")
        .first()
    )
    if case is None or case.sanction_until is None:
        return None
    return {
        "key": "integrity-defence",
        "title": _("Defence delayed"),
        "text": _("Your defence cannot take place before %(day)s (integrity case %(number)s).")
        % {"day": case.sanction_until.isoformat(), "number": case.number},
        "items": [
            {
                "label": _("Case %(number)s") % {"number": case.number},
                "url": reverse("integrity:case", args=[case.pk]),
                "count": None,
            }
        ],
    }


def scorecard_section(
    *, partner_ids: list[int], user: AnyUser | None, today: datetime.date
) -> Mapping[int, Mapping[str, Any]]:
    """Cases decided against each partner (its people, or itself) in the last 12 months, as the reader may
    know them; the office's card proposes probation after two, or after one sanction."""
    since = today - datetime.timedelta(days=365)
    # Without a reader (the office's digest and probation proposals) every case counts, as for the office.
    office = user is None or access.is_office(user)
    visible = Case.objects.all() if user is None else access.scope(Case.objects.all(), user, "view")
    cases = visible.filter(
        subject_partner_id__in=partner_ids, status__in=DECISION_STANDS, decided_at__date__gte=since
    ).exclude(decision=CaseDecision.DISMISSED)
    by_partner: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for partner_id, decision, sanction in cases.values_list("subject_partner_id", "decision", "sanction"):
        by_partner[partner_id].append((decision, sanction))
    built: dict[int, dict[str, Any]] = {}
    labels = dict(CaseDecision.choices)
    for partner_id in partner_ids:
        rows = by_partner.get(partner_id, [])
        counts: dict[str, int] = defaultdict(int)
        for decision, _sanction in rows:
            counts[decision] += 1
        context: dict[str, Any] = {
            "key": "integrity-cases",
            "title": _("Integrity cases decided (12 months)"),
            "items": [{"label": str(labels[d]), "count": n, "url": ""} for d, n in sorted(counts.items())],
            "empty": _("No integrity case decided against this partner's people."),
        }
        sanctions = sum(1 for _d, s in rows if s)
        if office and (len(rows) >= PROBATION_CASES or sanctions):
            context["probation_reason"] = _(
                "%(count)s integrity case(s) decided against the partner's people within 12 months."
            ) % {"count": len(rows)}
        built[partner_id] = context
    return built


def start_panel(user: Any) -> Mapping[str, Any] | None:
    """Reports waiting for this person's written decision: a tutor's tutees' in review; for the office, also
    the referred ones. Nothing when none wait (one query)."""
    if not user.is_authenticated:
        return None
    office = access.is_office(user)
    waiting = access.scope(OriginalityReport.objects.all(), user, "decide").filter(
        status=CheckStatus.DONE,
        outcome__in=[Outcome.REVIEW, Outcome.REFERRED] if office else [Outcome.REVIEW],
    )
    count = waiting.count()
    if not count:
        return None
    return {
        "key": "integrity-decisions",
        "title": _("Originality reports awaiting a decision"),
        "items": [{"label": _("Submissions"), "count": count, "url": reverse("integrity:submissions")}],
    }


def _sees_integrity(user: Any) -> bool:
    """The office, students and tutors (one query); investigators and subjects follow their notifications."""
    if not user.is_authenticated:
        return False
    return access.is_office(user) or Student.objects.filter(Q(user_id=user.pk) | Q(tutor_id=user.pk)).exists()


def concern_case_link(concern: Any, user: Any) -> tuple[str, str] | None:
    """The case opened from a concern, if the reader may know of it (one query)."""
    if not user.is_authenticated:
        return None
    case = access.scope(Case.objects.filter(source_concern_id=concern.pk), user, "view").only("pk", "number").first()
    if case is None:
        return None
    return _("Violation case %(number)s") % {"number": case.number}, reverse("integrity:case", args=[case.pk])


def _may_open_cases(user: Any) -> bool:
    return access.can(user, "open", Case)


def register() -> None:
    reviews_hooks.CONCERN_OUTCOMES.register(
        reviews_hooks.ConcernOutcome(
            key="violation",
            handle=case_open_from_concern,
            label=gettext_lazy("Open a violation"),
            page=lambda concern: reverse("integrity:case-from-concern", args=[concern.pk]),
            allowed=_may_open_cases,
            link=concern_case_link,
        )
    )
    hooks.MILESTONE_CHECKS.register(hooks.MilestoneCheck(key="originality_pending", check=milestone_check))
    hooks.PLACEMENT_CHECKS.register(hooks.PlacementCheck(key="integrity_suspension", check=placement_check))
    hooks.PLAN_SECTIONS.register(
        hooks.PlanSection(key="integrity_defence", build=plan_section, template="core/_panel.html", order=60)
    )
    hooks.SCORECARD_SECTIONS.register(
        hooks.ScorecardSection(key="integrity_cases", build=scorecard_section, template="core/_panel.html", order=60)
    )
    hooks.START_PANELS.register(
        hooks.StartPanel(key="integrity_decisions", build=start_panel, template="core/_panel.html", order=60)
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="integrity",
            label=gettext_lazy("Integrity"),
            url_name="integrity:submissions",
            visible=_sees_integrity,
            order=70,
        )
    )
