"""What waits for a person on the start page, from the training plans (``core.hooks.INBOX``).

A student: their late milestones and a plan returned to them; a tutor: plans waiting for their approval;
the office: plans waiting for its approval and students at risk (the at-risk list's keys, kept: ADR 0068).
At most four queries, whatever the data.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import AnyUser
from core.hooks import InboxItem
from partners import access
from students.models import Milestone, MilestoneStatus, PlanStatus, Student, TrainingPlan
from students.selectors import list_keys
from students.selectors.lists import plan_approval_queue, student_at_risk_list


def plan_inbox(user: AnyUser) -> list[InboxItem]:
    """The plan lines of ``user``'s inbox (only those that can apply to the user are counted)."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    items: list[InboxItem] = []
    own = access.scope(TrainingPlan.objects.filter(student__user__pk=user.pk), user, "view").first()
    if own is not None:
        late = access.scope(
            Milestone.objects.filter(student_id=own.student_id, status=MilestoneStatus.PENDING, due_date__lt=today),
            user,
            "view",
        ).count()
        plan_url, mine = reverse("students:plan", args=[own.student_id]), reverse("students:plan-mine")
        items.append(InboxItem(_("Late milestones in your plan"), late, plan_url, late=True, nav_url=mine))
        if own.status == PlanStatus.RETURNED:
            items.append(
                InboxItem(_("Your plan was returned: change it and submit it again"), 1, plan_url, nav_url=mine)
            )
    queue = plan_approval_queue(user=user)
    approvals, students = reverse("students:approvals"), reverse("students:list")  # badge: "Students"
    if access.can(user, "approve", TrainingPlan):
        waiting = queue["for_office"].count()
        items.append(InboxItem(_("Plans waiting for the office's approval"), waiting, approvals, nav_url=students))
        # The at-risk list's own keys, kept between writes to what they weigh (ADR 0068): the badge and the
        # list agree, and neither weighs every student again after a write elsewhere.
        keys = list_keys.at_risk_keys(user=user, filters={}, today=today, using=Student.objects.db)
        at_risk = len(keys) if keys is not None else student_at_risk_list(user=user, today=today).count()
        items.append(InboxItem(_("Students at risk"), at_risk, reverse("students:at-risk"), late=True))
    else:
        waiting = queue["for_me"].count()
        items.append(InboxItem(_("Plans waiting for your approval as tutor"), waiting, approvals, nav_url=students))
    return items
