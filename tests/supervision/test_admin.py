"""The supervision admin: the office opens a draw with its candidates; checklists in use are frozen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import ChecklistItem, TargetKind
from supervision.services.draw import draw_run
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


def _office_client(world: World) -> object:
    office = helpers.user(world, "office")
    office.is_staff = True
    office.is_superuser = True
    office.save(update_fields=["is_staff", "is_superuser"])
    return client_for(office)


def test_office_opens_a_draw_with_its_candidates(world: World) -> None:
    helpers.template_for(TargetKind.PARTNER)
    draw = draw_run(today=timezone.localdate())
    client = _office_client(world)
    response = client.get(reverse("admin:supervision_spotdraw_change", args=[draw.pk]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert world.partner_a.name in response.content.decode()


def test_checklist_items_are_frozen_once_an_inspection_uses_the_checklist(world: World) -> None:
    template = helpers.template_for(TargetKind.PARTNER)
    client = _office_client(world)
    url = reverse("admin:supervision_checklisttemplate_change", args=[template.pk])
    item = ChecklistItem.objects.filter(template=template).first()
    assert item is not None
    editable = client.get(url)  # type: ignore[attr-defined]
    assert 'name="items-0-text"' in editable.content.decode()
    helpers.plan(world)
    frozen = client.get(url)  # type: ignore[attr-defined]
    assert frozen.status_code == 200
    assert 'name="items-0-text"' not in frozen.content.decode()
    assert item.text in frozen.content.decode()
