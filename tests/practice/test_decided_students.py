"""``practice.selectors.decided_students`` names every student whose entries a person may decide on: the queue
and the badge of entries to decide claim to read those students' entries only (``navcache.narrowed``, ADR
0069), and a claim that left one out would keep a page past a write to rows it showed. Held to the ``decide``
rule for every persona, with entries at every placement in every status."""

from __future__ import annotations

import pytest

from accounts.models import User
from partners import access
from practice.models import EntryStatus, PracticeLog
from practice.selectors import decided_students, supervisor_pending_count
from students.models import PlacementStatus
from tests.conftest import PERSONAS, World
from tests.factories.practice import PracticeLogFactory
from tests.factories.students import PlacementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _person(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def entries(world: World) -> None:
    """Entries of both students in every status, and an ended placement of student A under supervisor B."""
    ended = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],
        status=PlacementStatus.COMPLETED,
    )
    for placement in (world.placement_a, world.placement_b, ended):
        for status in (EntryStatus.PENDING, EntryStatus.APPROVED, EntryStatus.REJECTED):
            PracticeLogFactory.create(
                placement=placement, status=status, rejection_reason="No." if status == EntryStatus.REJECTED else ""
            )


@pytest.mark.parametrize("persona", [name for name in PERSONAS if name != "anonymous"])
def test_every_entry_a_person_may_decide_is_of_a_named_student(world: World, entries: None, persona: str) -> None:
    user = _person(world, persona)
    decidable = set(access.scope(PracticeLog.objects.all(), user, "decide").values_list("student_id", flat=True))

    assert decidable <= set(decided_students(user=user))


def test_the_badge_counts_what_the_rule_allows(world: World, entries: None) -> None:
    for persona in ("supervisor_a", "supervisor_b", "student_a", "office"):
        user = _person(world, persona)
        pending = access.scope(PracticeLog.objects.filter(status=EntryStatus.PENDING), user, "decide").count()
        assert supervisor_pending_count(user=user) == pending
    supervisor_b = _person(world, "supervisor_b")
    assert supervisor_pending_count(user=supervisor_b) == 2  # student B's, and A's at the ended one
    assert decided_students(user=supervisor_b) == sorted([world.student_a.pk, world.student_b.pk])
