"""A plan's versions: the rows of the versions page, the snapshots being compared and what changed
between two of them.

Stored snapshots hold every partner's placements: each reader gets only the placements the plan page shows
them (``snapshot_for_reader``), and a version summary that names a placement the reader may not see is
not shown to them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import AnyUser
from partners import access
from programmes.models import MilestoneKind
from students.models import CareerIntention, PlanVersion, TrainingPlan
from students.selectors.plan import placements_seen


def snapshot_for_reader(snapshot: dict[str, Any], seen: set[int] | None) -> dict[str, Any]:
    """A plan snapshot with only the placements in ``seen`` (all of them for None): stored snapshots hold
    every partner's placements, and a reader sees those the plan page shows them."""
    if seen is None:
        return snapshot
    return {**snapshot, "placements": [p for p in snapshot.get("placements", []) if p.get("id") in seen]}


def plan_versions(*, user: AnyUser, plan: TrainingPlan) -> QuerySet[PlanVersion]:
    """The plan's versions, newest first, without their snapshots (read only the two being compared).
    Their stored summaries name partners: pages show ``plan_version_rows`` instead."""
    versions = PlanVersion.objects.filter(plan=plan).select_related("created_by").defer("snapshot")
    return access.scope(versions, user, "view").order_by("-number")


def plan_version_snapshots(*, user: AnyUser, plan: TrainingPlan, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The snapshots of some versions of the plan, by version number, each with only the placements the
    user may see (a coordinator those at their partner, as on the plan page and in its PDF)."""
    seen = placements_seen(user=user, student=plan.student)
    versions = access.scope(PlanVersion.objects.filter(plan=plan, number__in=numbers), user, "view")
    return {v.number: snapshot_for_reader(v.snapshot, seen) for v in versions}


@dataclass(frozen=True)
class VersionRow:
    """One version of a plan as its reader sees it: a change to placements they may not see is not named."""

    number: int
    summary: str
    created_by: User
    created_at: datetime.datetime


def _placements_touched(before: dict[str, Any], after: dict[str, Any]) -> set[int]:
    """Ids of the placements added, removed or changed from one snapshot to the next."""
    old = {p["id"]: p for p in before.get("placements", [])}
    new = {p["id"]: p for p in after.get("placements", [])}
    return {pid for pid in old.keys() | new.keys() if old.get(pid) != new.get(pid)}


def plan_version_rows(*, user: AnyUser, plan: TrainingPlan) -> list[VersionRow]:
    """The plan's versions, newest first, for the versions page. A stored summary names the partner of the
    placement it changed ("Placement added at ..."): a reader who may not see that placement gets a summary
    that names nothing instead. Two queries for a reader who sees every placement, three otherwise (the
    snapshots are read to find what each version changed)."""
    versions = list(plan_versions(user=user, plan=plan))
    seen = placements_seen(user=user, student=plan.student)
    hidden_in: set[int] = set()
    if seen is not None:
        snapshots = dict(
            access.scope(PlanVersion.objects.filter(plan=plan), user, "view").values_list("number", "snapshot")
        )
        previous: dict[str, Any] = {}
        for number in sorted(snapshots):
            if _placements_touched(previous, snapshots[number]) - seen:
                hidden_in.add(number)
            previous = snapshots[number]
    return [
        VersionRow(
            number=v.number,
            summary=_("A change not shown to you.") if v.number in hidden_in else v.summary,
            created_by=v.created_by,
            created_at=v.created_at,
        )
        for v in versions
    ]


# Plan: comparing two versions.

PLACEMENT_FIELDS = ("partner", "site", "supervisor", "start_date", "end_date", "objectives", "notes")


def _goal_labels() -> dict[str, str]:
    return {
        "research_direction": _("Research direction"),
        "career_intention": _("Career intention"),
        "development_goals": _("Personal development goals"),
    }


def _placement_labels() -> dict[str, str]:
    return {
        "partner": _("Partner"),
        "site": _("Site"),
        "supervisor": _("Supervisor"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "objectives": _("Objectives"),
        "notes": _("Notes"),
    }


def _shown(field_name: str, value: Any) -> str:
    """A snapshot value as people read it."""
    if value in (None, "", [], {}):
        return ""
    if field_name == "career_intention":
        try:
            return str(CareerIntention(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _placement_title(placement: dict[str, Any]) -> str:
    return _("%(partner)s, %(start)s to %(end)s") % {
        "partner": placement.get("partner", ""),
        "start": placement.get("start_date", ""),
        "end": placement.get("end_date", ""),
    }


def plan_version_diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from snapshot ``a`` to snapshot ``b``: goal fields (old → new), placements added,
    removed or changed (matched by placement id, field by field, required hours per category), and
    milestone due dates."""
    goals = [
        {"field": name, "label": label, "old": _shown(name, a.get(name)), "new": _shown(name, b.get(name))}
        for name, label in _goal_labels().items()
        if a.get(name, "") != b.get(name, "")
    ]

    old_placements = {p["id"]: p for p in a.get("placements", [])}
    new_placements = {p["id"]: p for p in b.get("placements", [])}
    added = [
        {"id": pid, "title": _placement_title(p), "placement": p}
        for pid, p in new_placements.items()
        if pid not in old_placements
    ]
    removed = [
        {"id": pid, "title": _placement_title(p), "placement": p}
        for pid, p in old_placements.items()
        if pid not in new_placements
    ]
    changed = []
    labels = _placement_labels()
    for pid, new in new_placements.items():
        old = old_placements.get(pid)
        if old is None:
            continue
        changes = [
            {"label": labels[name], "old": _shown(name, old.get(name)), "new": _shown(name, new.get(name))}
            for name in PLACEMENT_FIELDS
            if old.get(name) != new.get(name)
        ]
        old_hours, new_hours = old.get("required_hours", {}), new.get("required_hours", {})
        for category in sorted(set(old_hours) | set(new_hours)):
            if old_hours.get(category) != new_hours.get(category):
                changes.append(
                    {
                        "label": _("Required hours: %(category)s") % {"category": category},
                        "old": _shown("hours", old_hours.get(category)),
                        "new": _shown("hours", new_hours.get(category)),
                    }
                )
        if changes:
            changed.append({"id": pid, "title": _placement_title(new), "changes": changes})

    old_due = {m["kind"]: m["due_date"] for m in a.get("milestones", [])}
    new_due = {m["kind"]: m["due_date"] for m in b.get("milestones", [])}
    milestones = []
    for kind in [k for k in MilestoneKind.values if k in old_due or k in new_due]:
        if old_due.get(kind) != new_due.get(kind):
            milestones.append(
                {
                    "kind": kind,
                    "label": str(MilestoneKind(kind).label),
                    "old": old_due.get(kind, ""),
                    "new": new_due.get(kind, ""),
                }
            )
    return {
        "goals": goals,
        "placements_added": added,
        "placements_removed": removed,
        "placements_changed": changed,
        "milestones": milestones,
        "is_empty": not (goals or added or removed or changed or milestones),
    }


def plan_default_comparison(plan: TrainingPlan) -> tuple[int, int] | None:
    """Which versions the versions page compares by default: the approved version against the current
    one when they differ, else the previous version against the current one (None for a plan at v1)."""
    if plan.approved_version and plan.approved_version != plan.version:
        return plan.approved_version, plan.version
    if plan.version > 1:
        return plan.version - 1, plan.version
    return None
