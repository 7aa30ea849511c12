"""The projects admin reads, scoped, and writes nothing (services own every change)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.projects.helpers import project, user

pytestmark = pytest.mark.django_db


def test_office_reads_projects_in_the_admin_but_cannot_add(world: World) -> None:
    made = project(world, title_en="Admin venture")
    office = user(world, "office")
    office.is_staff = office.is_superuser = True  # the admin's own permissions; the scope still applies
    office.save(update_fields=["is_staff", "is_superuser"])
    client = client_for(office)
    assert "Admin venture" in client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert client.get(reverse("admin:projects_project_change", args=[made.pk])).status_code == 200
    assert client.get(reverse("admin:projects_project_add")).status_code == 403
