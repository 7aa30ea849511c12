"""The hot pages' access rules have a shape (``partners.access.compiled_rows``): once a page has been worked out
for one reader, asking for it again compiles no rule's UNION, for any kind of reader.

A rule holding a queryset has no shape and is compiled on every call (a few milliseconds of Django each time:
the plan page's grades, the student list's programmes for a partner's people, issue #19); a rule's subqueries
are ``core.compiled`` subqueries instead."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from partners import access
from students.models import TrainingPlan
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

READERS = ["student_a", "tutor", "supervisor_a", "coordinator_a", "inspector", "office"]
PAGES = ["students:plan", "practice:queue", "students:list", "students:at-risk", "supervision:list"]


@pytest.mark.parametrize("route", PAGES)
def test_a_hot_page_compiles_no_rule_a_second_time(world: World, route: str, monkeypatch: pytest.MonkeyPatch) -> None:
    TrainingPlan.objects.get_or_create(student=world.student_a)
    url = reverse(route, args=[world.student_a.pk] if route == "students:plan" else [])
    compiled: list[str] = []
    build = access._rows_sql

    def counted(model: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(model.__name__)
        return build(model, *args, **kwargs)

    monkeypatch.setattr(access, "_rows_sql", counted)
    answered = 0
    for persona in READERS:
        client = client_for(world.users[persona])
        first = client.get(url)  # compiles what this reader's rules need, once for the process
        compiled.clear()
        again = client.get(url)
        assert again.status_code == first.status_code
        answered += again.status_code == 200
        assert compiled == [], (persona, compiled)  # each a rule without a shape, compiled for its call
    assert answered >= 2  # the page answered some of its readers (the others: not theirs, 404)
