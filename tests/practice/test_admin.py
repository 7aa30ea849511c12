"""The practice admin reads entries, rule versions and reopenings, with history, and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory, RuleSetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(world: World) -> Client:
    superuser = User.objects.create_superuser(username="root", email="root@example.org", password="x")
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def log(world: World, office: User) -> PracticeLog:
    RuleSetFactory.create(programme=world.programme, created_by=office)
    MonthReopening.objects.create(
        programme=world.programme,
        month=datetime.date(2026, 10, 1),
        until=datetime.date(2026, 12, 1),
        reason="Outage.",
        by=office,
    )
    return PracticeLogFactory.create(placement=world.placement_a, status=EntryStatus.PENDING)


@pytest.mark.parametrize("model", [PracticeLog, RuleSet, MonthReopening])
def test_admin_lists_and_shows_but_never_adds_changes_or_deletes(
    admin_client_: Client, log: PracticeLog, model: type[PracticeLog | RuleSet | MonthReopening]
) -> None:
    name = f"admin:practice_{model._meta.model_name}"
    row = model.objects.order_by("pk").first()
    assert row is not None

    assert admin_client_.get(reverse(f"{name}_changelist")).status_code == 200
    page = admin_client_.get(reverse(f"{name}_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'type="submit"' not in page.content.split(b'id="content-main"')[1].split(b"</form>")[0]
    assert admin_client_.get(reverse(f"{name}_add")).status_code == 403
    assert admin_client_.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_admin_shows_an_entrys_history_and_filters_by_status_and_partner(
    admin_client_: Client, world: World, log: PracticeLog
) -> None:
    assert admin_client_.get(reverse("admin:practice_practicelog_history", args=[log.pk])).status_code == 200

    listed = admin_client_.get(
        reverse("admin:practice_practicelog_changelist"),
        {"status__exact": "pending", "placement__partner__id__exact": str(world.partner_b.pk)},
    )
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == []
    listed = admin_client_.get(
        reverse("admin:practice_practicelog_changelist"),
        {"status__exact": "pending", "placement__partner__id__exact": str(world.partner_a.pk)},
    )
    assert list(listed.context["cl"].result_list) == [log]
