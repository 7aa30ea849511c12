"""The admin opens for the office with what it manages (migration programmes.0003), stays read-only where
services keep the rules, and never holds wellbeing content."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

migration = importlib.import_module("programmes.migrations.0003_office_admin_permissions")


@pytest.fixture
def office_staff(world: World) -> User:
    # The migration's grant, applied again: a transactional test elsewhere may have flushed the tables.
    migration.grant(apps, None)
    user = world.users["office"]
    assert user is not None
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_office_opens_the_admin_with_partners_programmes_and_periodic_tasks(office_staff: User) -> None:
    client = client_for(office_staff)

    index = client.get("/admin/")

    assert index.status_code == 200
    html = index.content.decode()
    assert "have permission to view or edit anything" not in html
    for path in (
        "/admin/partners/partner/",
        "/admin/programmes/programme/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/supervision/checklisttemplate/",
    ):
        assert client.get(path).status_code == 200, path
    assert "wellbeing" not in html.lower()


def test_office_changes_reference_data_but_not_evidence(office_staff: User, world: World) -> None:
    client = client_for(office_staff)
    assert client.get(f"/admin/partners/partner/{world.partner_a.pk}/change/").status_code == 200
    assert client.get("/admin/partners/partnerstatuschange/add/").status_code == 403
    assert client.get("/admin/programmes/programme/add/").status_code == 403  # set up on the pages


def test_office_group_holds_no_wellbeing_permission_and_reverse_removes_the_grants(office_staff: User) -> None:
    group = Group.objects.get(name="office")
    assert not group.permissions.filter(content_type__app_label="wellbeing").exists()
    assert group.permissions.filter(codename="change_periodictask").exists()

    migration.revoke(apps, None)

    assert not group.permissions.filter(codename="change_periodictask").exists()
    assert Permission.objects.filter(codename="change_periodictask").exists()
