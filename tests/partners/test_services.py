"""Partner services: who may write, what is validated, and what is recorded."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from partners import access, services
from partners.models import (
    Membership,
    MembershipRole,
    Partner,
    PartnerKind,
    PartnerStatus,
    PartnerStatusChange,
    Site,
)
from tests.conftest import World
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _partner_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Provincial Imaging Hospital",
        "short_name": "PIH",
        "kind": PartnerKind.HOSPITAL,
        "contact_email": "office@pih.example",
    }
    data.update(overrides)
    return data


# --- partner_create --------------------------------------------------------------------------------


def test_office_creates_partner_with_responsibilities_of_its_kind(office: User) -> None:
    partner = services.partner_create(by=office, **_partner_data(kind=PartnerKind.ENTERPRISE))

    partner.refresh_from_db()
    assert partner.name == "Provincial Imaging Hospital"
    assert partner.status == PartnerStatus.ACTIVE
    assert partner.responsibilities == services.DEFAULT_RESPONSIBILITIES[PartnerKind.ENTERPRISE]
    assert partner.responsibilities != services.DEFAULT_RESPONSIBILITIES[PartnerKind.UNIVERSITY]


def test_partner_create_keeps_responsibilities_that_were_given(office: User) -> None:
    partner = services.partner_create(by=office, **_partner_data(responsibilities="Only MR physics."))

    assert Partner.objects.get(pk=partner.pk).responsibilities == "Only MR physics."


def test_partner_create_records_initial_status_change(office: User) -> None:
    partner = services.partner_create(by=office, **_partner_data())

    changes = list(PartnerStatusChange.objects.filter(partner=partner))
    assert len(changes) == 1
    assert changes[0].from_status == ""
    assert changes[0].to_status == PartnerStatus.ACTIVE
    assert changes[0].changed_by == office
    assert changes[0].reason


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "tutor", "student_a", "inspector", "counsellor"])
def test_only_office_can_create_partner(persona: str, world: World) -> None:
    user = world.users[persona]
    assert user is not None
    before = Partner.objects.count()

    with pytest.raises(PermissionDenied):
        services.partner_create(by=user, **_partner_data())

    assert Partner.objects.count() == before
    assert not Partner.objects.filter(short_name="PIH").exists()


def test_partner_create_with_invalid_data_saves_nothing(office: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.partner_create(by=office, **_partner_data(contact_email="not-an-email"))

    assert "contact_email" in error.value.message_dict
    assert not Partner.objects.filter(short_name="PIH").exists()
    assert not PartnerStatusChange.objects.filter(partner__short_name="PIH").exists()


# --- partner_update --------------------------------------------------------------------------------


def test_coordinator_can_edit_own_partner(coordinator_a: User, world: World) -> None:
    services.partner_update(partner=world.partner_a, by=coordinator_a, contact_name="Dr Li")

    assert Partner.objects.get(pk=world.partner_a.pk).contact_name == "Dr Li"


def test_coordinator_cannot_edit_other_partner(coordinator_b: User, world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.partner_update(partner=world.partner_a, by=coordinator_b, contact_name="Intruder")

    assert Partner.objects.get(pk=world.partner_a.pk).contact_name != "Intruder"


def test_supervisor_cannot_edit_own_partner(supervisor_a: User, world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.partner_update(partner=world.partner_a, by=supervisor_a, contact_name="Supervisor")


def test_partner_update_with_invalid_email_names_the_field_and_saves_nothing(coordinator_a: User, world: World) -> None:
    original_name = world.partner_a.name

    with pytest.raises(ValidationError) as error:
        services.partner_update(
            partner=world.partner_a,
            by=coordinator_a,
            name="Renamed Hospital",
            contact_email="not-an-email",
        )

    assert list(error.value.message_dict) == ["contact_email"]
    fresh = Partner.objects.get(pk=world.partner_a.pk)
    assert fresh.name == original_name
    assert fresh.contact_email != "not-an-email"


def test_partner_update_does_not_change_status(coordinator_a: User, world: World) -> None:
    with pytest.raises(TypeError):
        services.partner_update(partner=world.partner_a, by=coordinator_a, status=PartnerStatus.SUSPENDED)  # type: ignore[call-arg]

    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE


# --- partner_change_status -------------------------------------------------------------------------


def test_office_puts_partner_on_probation_with_history(office: User, world: World) -> None:
    change = services.partner_change_status(
        partner=world.partner_a, status=PartnerStatus.PROBATION, reason="  Two major findings.  ", by=office
    )

    partner = Partner.objects.get(pk=world.partner_a.pk)
    assert partner.status == PartnerStatus.PROBATION
    row = PartnerStatusChange.objects.get(pk=change.pk)
    assert (row.partner_id, row.from_status, row.to_status) == (partner.pk, "active", "probation")
    assert row.changed_by == office
    assert row.reason == "Two major findings."

    record = partner.history.first()
    assert record is not None
    assert record.status == PartnerStatus.PROBATION
    assert record.history_user == office
    assert record.history_change_reason == "Two major findings."
    assert record.prev_record is not None
    assert record.prev_record.status == PartnerStatus.ACTIVE


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "tutor", "inspector"])
def test_only_office_can_change_partner_status(persona: str, world: World) -> None:
    user = world.users[persona]
    assert user is not None

    with pytest.raises(PermissionDenied):
        services.partner_change_status(
            partner=world.partner_a, status=PartnerStatus.SUSPENDED, reason="Because.", by=user
        )

    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE
    assert not PartnerStatusChange.objects.filter(partner=world.partner_a).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_status_change_without_reason_is_refused(reason: str, office: User, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.partner_change_status(
            partner=world.partner_a, status=PartnerStatus.PROBATION, reason=reason, by=office
        )

    assert "reason" in error.value.message_dict
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE
    assert not PartnerStatusChange.objects.filter(partner=world.partner_a).exists()


def test_status_change_to_same_status_is_refused(office: User, world: World) -> None:
    history_before = world.partner_a.history.count()

    with pytest.raises(ValidationError) as error:
        services.partner_change_status(partner=world.partner_a, status=PartnerStatus.ACTIVE, reason="Again.", by=office)

    assert "status" in error.value.message_dict
    assert not PartnerStatusChange.objects.filter(partner=world.partner_a).exists()
    assert world.partner_a.history.count() == history_before


def test_status_change_to_unknown_status_is_refused(office: User, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.partner_change_status(partner=world.partner_a, status="closed", reason="Gone.", by=office)

    assert "status" in error.value.message_dict


# --- Evidence guard ---------------------------------------------------------------------------------


def test_status_history_refuses_bulk_update(office: User, world: World) -> None:
    services.partner_change_status(partner=world.partner_a, status=PartnerStatus.PROBATION, reason="Audit.", by=office)

    with pytest.raises(TypeError):
        PartnerStatusChange.objects.update(reason="rewritten")
    with pytest.raises(TypeError):
        PartnerStatusChange.objects.filter(partner=world.partner_a).update(reason="rewritten")

    assert PartnerStatusChange.objects.get(partner=world.partner_a).reason == "Audit."


def test_status_history_refuses_bulk_delete(office: User, world: World) -> None:
    services.partner_change_status(partner=world.partner_a, status=PartnerStatus.PROBATION, reason="Audit.", by=office)

    with pytest.raises(TypeError):
        PartnerStatusChange.objects.delete()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        PartnerStatusChange.objects.filter(partner=world.partner_a).delete()

    assert PartnerStatusChange.objects.filter(partner=world.partner_a).count() == 1


# --- Sites ------------------------------------------------------------------------------------------


def test_coordinator_adds_site_to_own_partner(coordinator_a: User, world: World) -> None:
    site = services.site_create(partner=world.partner_a, by=coordinator_a, name="MR Suite", capacity=4)

    assert Site.objects.get(pk=site.pk).partner == world.partner_a
    assert site.history.first().history_user == coordinator_a  # type: ignore[attr-defined,union-attr]


def test_coordinator_cannot_add_site_to_other_partner(coordinator_b: User, world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.site_create(partner=world.partner_a, by=coordinator_b, name="Annex", capacity=4)

    assert not Site.objects.filter(name="Annex").exists()


def test_site_with_capacity_zero_is_refused_by_validation_naming_capacity(coordinator_a: User, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.site_create(partner=world.partner_a, by=coordinator_a, name="Closet", capacity=0)

    assert list(error.value.message_dict) == ["capacity"]
    assert not Site.objects.filter(name="Closet").exists()


def test_site_full_clean_refuses_capacity_zero(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        Site(partner=world.partner_a, name="Closet", capacity=0).full_clean()

    assert "capacity" in error.value.message_dict


def test_site_update_to_capacity_zero_is_refused(coordinator_a: User, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.site_update(site=world.site_a, by=coordinator_a, capacity=0)

    assert list(error.value.message_dict) == ["capacity"]

    assert Site.objects.get(pk=world.site_a.pk).capacity == world.site_a.capacity


def test_database_refuses_site_with_capacity_zero_when_clean_is_bypassed(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(partner=world.partner_a, name="Closet", capacity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=world.site_a.pk).update(capacity=0)

    assert not Site.objects.filter(name="Closet").exists()
    assert Site.objects.get(pk=world.site_a.pk).capacity > 0


def test_duplicate_site_name_at_same_partner_is_refused(coordinator_a: User, world: World) -> None:
    with pytest.raises(ValidationError):
        services.site_create(partner=world.partner_a, by=coordinator_a, name="Imaging A", capacity=3)

    assert Site.objects.filter(partner=world.partner_a, name="Imaging A").count() == 1


def test_database_refuses_duplicate_site_name_when_clean_is_bypassed(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(partner=world.partner_a, name="Imaging A", capacity=3)


def test_same_site_name_at_another_partner_is_allowed(office: User, world: World) -> None:
    site = services.site_create(partner=world.partner_b, by=office, name="Imaging A", capacity=3)

    assert site.partner == world.partner_b


def test_site_update_by_coordinator_of_other_partner_is_denied(coordinator_b: User, world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.site_update(site=world.site_a, by=coordinator_b, name="Taken over")

    assert Site.objects.get(pk=world.site_a.pk).name == "Imaging A"


def test_site_update_renaming_to_sibling_name_is_refused(coordinator_a: User, world: World) -> None:
    services.site_create(partner=world.partner_a, by=coordinator_a, name="CT Room", capacity=2)

    with pytest.raises(ValidationError):
        services.site_update(site=world.site_a, by=coordinator_a, name="CT Room")

    assert Site.objects.get(pk=world.site_a.pk).name == "Imaging A"


# --- Memberships ------------------------------------------------------------------------------------


def test_coordinator_adds_member_to_own_partner(coordinator_a: User, world: World) -> None:
    newcomer = UserFactory.create(username="newcomer")

    membership = services.membership_create(
        partner=world.partner_a, user=newcomer, role=MembershipRole.SUPERVISOR, by=coordinator_a
    )

    assert membership.start_date == TODAY()
    assert membership.is_active_on()
    assert access.can(newcomer, "view", world.site_a)


def test_overlapping_membership_is_refused(coordinator_a: User, supervisor_a: User, world: World) -> None:
    before = Membership.objects.filter(user=supervisor_a).count()

    with pytest.raises(ValidationError) as error:
        services.membership_create(
            partner=world.partner_a,
            user=supervisor_a,
            role=MembershipRole.SUPERVISOR,
            start_date=TODAY() + datetime.timedelta(days=30),
            by=coordinator_a,
        )

    assert "user" in error.value.message_dict
    assert Membership.objects.filter(user=supervisor_a).count() == before


def test_membership_after_an_ended_one_is_allowed(coordinator_a: User, world: World) -> None:
    person = UserFactory.create(username="returning")
    services.membership_create(
        partner=world.partner_a,
        user=person,
        role=MembershipRole.STAFF,
        start_date=TODAY() - datetime.timedelta(days=60),
        end_date=TODAY() - datetime.timedelta(days=30),
        by=coordinator_a,
    )

    again = services.membership_create(
        partner=world.partner_a, user=person, role=MembershipRole.STAFF, by=coordinator_a
    )

    assert again.is_active_on()
    assert Membership.objects.filter(user=person).count() == 2


def test_membership_ending_before_it_starts_is_refused_naming_end_date(coordinator_a: User, world: World) -> None:
    person = UserFactory.create(username="backwards")

    with pytest.raises(ValidationError) as error:
        services.membership_create(
            partner=world.partner_a,
            user=person,
            role=MembershipRole.STAFF,
            start_date=TODAY(),
            end_date=TODAY() - datetime.timedelta(days=1),
            by=coordinator_a,
        )

    assert list(error.value.message_dict) == ["end_date"]
    assert not Membership.objects.filter(user=person).exists()


def test_database_refuses_membership_ending_before_it_starts(coordinator_a: User, world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=coordinator_a).update(end_date=TODAY() - datetime.timedelta(days=400))


def test_tutor_membership_outside_a_university_is_refused(office: User, world: World) -> None:
    person = UserFactory.create(username="would-be-tutor")

    with pytest.raises(ValidationError) as error:
        services.membership_create(partner=world.partner_a, user=person, role=MembershipRole.TUTOR, by=office)

    assert "role" in error.value.message_dict
    assert not Membership.objects.filter(user=person).exists()


def test_tutor_membership_at_a_university_is_allowed(office: User, world: World) -> None:
    person = UserFactory.create(username="new-tutor")

    membership = services.membership_create(partner=world.university, user=person, role=MembershipRole.TUTOR, by=office)

    assert membership.role == MembershipRole.TUTOR


def test_coordinator_cannot_add_member_to_other_partner(coordinator_b: User, world: World) -> None:
    person = UserFactory.create(username="smuggled")

    with pytest.raises(PermissionDenied):
        services.membership_create(partner=world.partner_a, user=person, role=MembershipRole.STAFF, by=coordinator_b)

    assert not Membership.objects.filter(user=person).exists()


def _supervisor_a_membership(world: World) -> Membership:
    return Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)


def test_membership_end_before_start_is_refused(coordinator_a: User, world: World) -> None:
    membership = _supervisor_a_membership(world)

    with pytest.raises(ValidationError) as error:
        services.membership_end(
            membership=membership, end_date=membership.start_date - datetime.timedelta(days=1), by=coordinator_a
        )

    assert "end_date" in error.value.message_dict
    assert Membership.objects.get(pk=membership.pk).end_date is None


def test_ending_an_already_ended_membership_is_refused(coordinator_a: User, world: World) -> None:
    membership = _supervisor_a_membership(world)
    membership.start_date = TODAY() - datetime.timedelta(days=10)
    membership.save()
    yesterday = TODAY() - datetime.timedelta(days=1)
    services.membership_end(membership=membership, end_date=yesterday, reason="Moved away.", by=coordinator_a)

    with pytest.raises(ValidationError) as error:
        services.membership_end(membership=membership, by=coordinator_a)

    assert "end_date" in error.value.message_dict
    fresh = Membership.objects.get(pk=membership.pk)
    assert fresh.end_date == yesterday
    assert fresh.ended_reason == "Moved away."


def test_coordinator_cannot_end_membership_at_other_partner(coordinator_b: User, world: World) -> None:
    membership = _supervisor_a_membership(world)

    with pytest.raises(PermissionDenied):
        services.membership_end(membership=membership, by=coordinator_b)

    assert Membership.objects.get(pk=membership.pk).end_date is None


def test_ended_membership_grants_nothing(office: User, coordinator_a: User, world: World) -> None:
    membership = Membership.objects.get(user=coordinator_a, partner=world.partner_a)
    membership.start_date = TODAY() - datetime.timedelta(days=100)
    membership.save()
    assert access.can(coordinator_a, "change", world.partner_a)
    assert access.scope(Membership.objects.all(), coordinator_a).exists()

    services.membership_end(membership=membership, end_date=TODAY() - datetime.timedelta(days=1), by=office)

    assert not access.can(coordinator_a, "change", world.partner_a)
    assert not access.can(coordinator_a, "manage_members", world.partner_a)
    assert not access.can(coordinator_a, "view_internal", world.partner_a)
    assert not access.scope(Membership.objects.all(), coordinator_a).exists()
    assert not access.scope(Site.objects.all(), coordinator_a).exists()
    with pytest.raises(PermissionDenied):
        services.partner_update(partner=world.partner_a, by=coordinator_a, contact_name="Ex")


def test_membership_ending_today_grants_nothing_from_now(office: User, coordinator_a: User, world: World) -> None:
    # Security issue 22: an ended membership used to work until the next day (see test_membership_end.py).
    membership = Membership.objects.get(user=coordinator_a, partner=world.partner_a)

    services.membership_end(membership=membership, by=office)

    assert Membership.objects.get(pk=membership.pk).end_date == TODAY()
    assert not access.can(coordinator_a, "change", world.partner_a)
