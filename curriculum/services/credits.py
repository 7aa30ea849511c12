"""The credits each student has earned, kept beside the grades (``EarnedCredits``, ADR 0070).

The grades are the evidence; the kept sum is derived from them. Every service that changes what a student has
earned calls ``earned_credits_refresh`` for the students concerned, inside its own transaction: entering,
submitting or correcting a grade (``grades``, and the bulk and file paths through them) and changing a
course's credits (``courses``). Anything that writes grades another way (a bulk load, a hand-made SQL fix)
must be followed by ``manage.py earned_credits --rebuild``; ``manage.py earned_credits`` says whether the
kept sums agree with the grades.

Each refresh works the sums out again from the grades rather than adding the change: there is no "before" to
get wrong, and a refresh repairs whatever it touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from curriculum.models import EarnedCredits
from curriculum.selectors import earned_by_student
from students.models import Student

#: Students refreshed per statement (a course's credits changed: every student who passed it).
BATCH = 2000


def earned_credits_refresh(student_ids: Iterable[int]) -> None:
    """Work out again, from their grades, the credits each of ``student_ids`` has earned, and keep them.

    Runs in the caller's transaction, after its write. The students' rows are locked first, in key order:
    two grades written for one student at the same moment are summed one after the other, the second seeing
    the first, instead of the later transaction overwriting the sum with one that misses the other's grade."""
    ids = sorted({int(pk) for pk in student_ids})
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            list(Student.objects.select_for_update().filter(pk__in=batch).order_by("pk").values_list("pk", flat=True))
            sums = earned_by_student(student_ids=batch)
            EarnedCredits.objects.bulk_create(
                [EarnedCredits(student_id=pk, credits=sums.get(pk, Decimal("0"))) for pk in batch],
                update_conflicts=True,
                unique_fields=["student"],
                update_fields=["credits"],
            )


@transaction.atomic
def earned_credits_rebuild() -> int:
    """Work out every student's credits again from the grades and keep them (after a write outside the
    services, or to repair what ``manage.py earned_credits`` reported). The kept sums' table is locked
    meanwhile on PostgreSQL, so that a grade written at the same moment waits and then writes its own sum.
    Returns how many students' sums it wrote."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(EarnedCredits._meta.db_table)} IN EXCLUSIVE MODE")
    sums = earned_by_student()
    EarnedCredits.objects.all().delete()
    EarnedCredits.objects.bulk_create(
        [EarnedCredits(student_id=pk, credits=credits) for pk, credits in sums.items()], batch_size=BATCH
    )
    return len(sums)
