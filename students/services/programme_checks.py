"""What the students app says about a change to a programme (registered with ``programmes.services.setup``
from ``StudentsConfig.ready``): a duration that existing plans exceed is refused."""

from __future__ import annotations

from django.utils.translation import gettext as _

from programmes.models import Programme
from students.models import Placement, PlacementStatus, Student, add_months


def duration_exceeded(programme: Programme, months: int) -> str | None:
    """Why ``months`` is too short for the programme: the placements (not cancelled) that would end after
    their student's programme end; ``None`` when none would."""
    students = Student.objects.filter(programme=programme).only("pk", "enrolled_on")
    ends = {s.pk: add_months(s.enrolled_on, months) for s in students}
    if not ends:
        return None
    placements = (
        Placement.objects.filter(student__programme=programme)
        .exclude(status=PlacementStatus.CANCELLED)
        .values_list("student_id", "end_date")
    )
    beyond = sum(1 for student_id, end in placements if end >= ends[student_id])
    if not beyond:
        return None
    return _(
        "%(count)s placements of existing training plans run past %(months)s months after enrolment: "
        "shorten or move them first, or keep the duration."
    ) % {"count": beyond, "months": months}
