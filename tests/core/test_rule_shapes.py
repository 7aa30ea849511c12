"""Every reader's rule has a shape wherever a statement is compiled once per shape of rules.

The hot pages' statements are compiled once per shape of the reader's rules (``access.rule_template``:
student progress, ADR 0053; the lists' progress, 0059; the students lists' keys and rows, 0060 and 0067; the
inspection list, 0061). A rule that holds a queryset or an expression has no shape, and those selectors then
build their querysets for the call: the same answer, several times slower at a university's scale, and
nothing says so. This names every (action, model) those selectors read and every persona of the ``world``:
a rule added without a shape fails here rather than slowing a page in silence. A rule that allows nothing
has no template either, and needs none (the page is empty).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from partners import access
from practice.models import PracticeLog
from students.models import Placement, Student
from supervision.models import Inspection
from tests.conftest import PERSONAS, World

pytestmark = pytest.mark.django_db

#: What the compiled statements read of the reader's rules (``rule_template`` callers).
COMPILED_RULES: tuple[tuple[str, type[models.Model]], ...] = (
    ("view", Student),  # students.selectors.list_keys, list_rows
    ("view", Placement),  # list_rows, practice.progress_queries, progress_lists
    ("view_hours", Placement),  # practice.progress_queries, progress_lists
    ("view", PracticeLog),  # practice.progress_lists
    ("view", Inspection),  # supervision.list_queries
)


@pytest.mark.parametrize("persona", [name for name in PERSONAS if name != "anonymous"])
def test_every_readers_rule_has_a_shape_or_allows_nothing(world: World, persona: str) -> None:
    reader: Any = world.users[persona]
    for action, model in COMPILED_RULES:
        template = access.rule_template(reader, action, model)
        allows_nothing = access.scope(model._default_manager.all(), reader, action).query.is_empty()
        assert template is not None or allows_nothing, (
            f"{persona}'s {action} rule on {model._meta.label} has no shape: its compiled statements would be "
            "built for every call (see access.rule_template)"
        )


def test_a_rule_holding_a_queryset_is_caught(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a rule holding a queryset (an ``Exists``) has no template, and allows rows."""
    from django.db.models import Exists, OuterRef, Q

    reader: Any = world.users["tutor"]
    assert access.rule_template(reader, "view", Student) is not None
    unshaped = access.Rule(q=Q(Exists(Student.objects.filter(pk=OuterRef("pk"), tutor=reader))))
    monkeypatch.setattr(access, "_rule", lambda *_args, **_kw: unshaped)
    assert access.rule_template(reader, "view", Student) is None
    assert not access.scope(Student.objects.all(), reader, "view").query.is_empty()
