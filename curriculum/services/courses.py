"""Writes about the catalogue: courses, their links, the objectives they cover, and programmes' curricula."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from curriculum.models import (
    Course,
    CourseLink,
    CourseObjective,
    CoverageLevel,
    CurriculumEntry,
    Grade,
    GradeStatus,
    LinkKind,
    PlacementObjective,
)
from curriculum.services.credits import earned_credits_refresh
from partners import access
from programmes.models import CourseCategory, Objective, Programme
from students.models import Placement

COURSE_FIELDS = (
    "code",
    "title_en",
    "title_zh",
    "category",
    "credits",
    "ie_credits",
    "hours",
    "teaching_partner",
    "language",
    "description",
    "assessment",
    "grading",
    "status",
)


def _check_course(course: Course) -> None:
    if course.category != CourseCategory.INTEGRATED and course.ie_credits:
        raise refuse("ie_credits", "ie_credits_not_integrated", _("Only an integrated course has I&E credits."))
    if course.ie_credits > course.credits:
        raise refuse("ie_credits", "ie_credits_exceed", _("The I&E credits cannot exceed the course's credits."))
    course.full_clean()


@transaction.atomic
def course_create(*, data: dict[str, Any], by: User) -> Course:
    """Add a course to the catalogue (the office)."""
    access.require(by, "create", Course)
    course = Course(**{name: data[name] for name in COURSE_FIELDS if name in data})
    course.ie_credits = course.ie_credits or Decimal("0")
    _check_course(course)
    course._history_user = by  # type: ignore[attr-defined]
    course.save()
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any], by: User) -> Course:
    """Change a course (the office; the coordinators of its teaching partner, who cannot hand it to
    another partner)."""
    access.require(by, "change", course)
    course = Course.objects.select_for_update().get(pk=course.pk)
    credits_before = course.credits
    for name in COURSE_FIELDS:
        if name in data:
            setattr(course, name, data[name])
    if "teaching_partner" in data and not access.can(by, "change", data["teaching_partner"]):
        raise refuse("teaching_partner", "not_your_partner", _("Choose a partner you coordinate."))
    course.ie_credits = course.ie_credits or Decimal("0")
    _check_course(course)
    course._history_user = by  # type: ignore[attr-defined]
    course.save()
    if course.credits != credits_before:  # every student who passed it has earned more, or less
        passed = Grade.objects.filter(enrolment__offering__course=course, status=GradeStatus.SUBMITTED, passed=True)
        earned_credits_refresh(passed.values_list("enrolment__student_id", flat=True).distinct())
    return course


def _requires(links: list[tuple[int, int]]) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = defaultdict(set)
    for course_id, other_id in links:
        graph[course_id].add(other_id)
    return graph


def _reaches(graph: dict[int, set[int]], start: int, goal: int) -> bool:
    seen: set[int] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return False


@transaction.atomic
def course_link_add(*, course: Course, other: Course, kind: str, by: User, note: str = "") -> CourseLink:
    """Link two courses: ``course`` requires ``other`` (prerequisite) or integrates with it. A prerequisite
    that closes a cycle is refused (``prerequisite_cycle``)."""
    access.require(by, "change", course)
    if course.pk == other.pk:
        raise refuse("other", "link_to_itself", _("A course cannot be linked to itself."))
    if CourseLink.objects.filter(course=course, other=other, kind=kind).exists():
        raise refuse("other", "link_exists", _("These courses are linked so already."))
    if kind == LinkKind.PREREQUISITE:
        # Serialise prerequisite changes, so two links made at once cannot close a cycle between them.
        list(Course.objects.select_for_update().filter(pk__in=[course.pk, other.pk]))
        pairs = list(CourseLink.objects.filter(kind=LinkKind.PREREQUISITE).values_list("course_id", "other_id"))
        if _reaches(_requires(pairs), other.pk, course.pk):
            raise refuse(
                "other",
                "prerequisite_cycle",
                _("%(other)s already requires %(course)s (directly or through other courses): a cycle is refused.")
                % {"other": other.code, "course": course.code},
            )
    link = CourseLink(course=course, other=other, kind=kind, note=note.strip())
    link._history_user = by  # type: ignore[attr-defined]
    link.save()
    return link


@transaction.atomic
def course_link_remove(*, link: CourseLink, by: User) -> None:
    """Remove a link between courses (the history keeps it)."""
    access.require(by, "change", link.course)
    link._history_user = by  # type: ignore[attr-defined]
    link.delete()


@transaction.atomic
def course_objective_set(
    *, course: Course, objective: Objective, level: int | None, by: User
) -> CourseObjective | None:
    """Say at which level a course addresses an objective (``None`` removes it)."""
    access.require(by, "change", course)
    if level is None:
        CourseObjective.objects.filter(course=course, objective=objective).delete()
        return None
    if level not in CoverageLevel.values:
        raise refuse("level", "invalid_level", _("Choose introduces, reinforces or masters."))
    row, _created = CourseObjective.objects.update_or_create(
        course=course, objective=objective, defaults={"level": level}
    )
    return row


@transaction.atomic
def placement_objective_set(*, placement: Placement, objective: Objective, level: int, by: User) -> PlacementObjective:
    """Say at which level a placement addresses one of its programme's objectives (the office)."""
    access.require(by, "manage_curriculum", placement.student.programme)
    if objective.programme_id != placement.student.programme_id:
        raise refuse("objective", "other_programme", _("The objective belongs to another programme."))
    row, _created = PlacementObjective.objects.update_or_create(
        placement=placement, objective=objective, defaults={"level": level}
    )
    return row


@transaction.atomic
def curriculum_entry_set(*, programme: Programme, course: Course, kind: str, term: int, by: User) -> CurriculumEntry:
    """Put a course in a programme's curriculum (or change its kind and term). A retired course is refused."""
    access.require(by, "manage_curriculum", programme)
    if course.status != "active":
        raise refuse("course", "course_retired", _("A retired course cannot join a curriculum."))
    entry = CurriculumEntry.objects.filter(programme=programme, course=course).first() or CurriculumEntry(
        programme=programme, course=course
    )
    entry.kind, entry.term = kind, term
    entry.full_clean()
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    return entry


@transaction.atomic
def curriculum_entry_remove(*, entry: CurriculumEntry, by: User) -> None:
    """Take a course out of a programme's curriculum (the history keeps it)."""
    access.require(by, "manage_curriculum", entry.programme)
    entry._history_user = by  # type: ignore[attr-defined]
    entry.delete()


__all__ = [
    "course_create",
    "course_link_add",
    "course_link_remove",
    "course_objective_set",
    "course_update",
    "curriculum_entry_remove",
    "curriculum_entry_set",
    "placement_objective_set",
]
