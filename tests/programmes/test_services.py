"""Agreement services: parties, dates, the signed PDF checked by content, termination with a reason,
and the rule that only the office writes them."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from programmes import services
from programmes.models import Agreement, AgreementParty, AgreementStatus
from programmes.services import PartyTerms
from students.services import agreement_covering
from tests.conftest import World
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import AgreementFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Clinical practice agreement",
        "reference": "LMU-AH-2026",
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2028, 12, 31),
        "status": AgreementStatus.SIGNED,
    }
    data.update(overrides)
    return data


def _create(
    world: World, *, by: User | None = None, parties: list[PartyTerms] | None = None, **kwargs: Any
) -> Agreement:
    return services.agreement_create(
        programme=world.programme,
        by=by or world.users["office"],  # type: ignore[arg-type]
        **_data(**kwargs.pop("data", {})),
        parties=parties if parties is not None else [PartyTerms(world.partner_a, "Clinical practice", "Two places")],
        **kwargs,
    )


def test_office_creates_agreement_with_parties_and_the_lead_university(office: User, world: World) -> None:
    agreement = _create(world)

    parties = {p.partner_id: p for p in AgreementParty.objects.filter(agreement=agreement)}
    assert set(parties) == {world.partner_a.pk, world.university.pk}
    assert parties[world.partner_a.pk].responsibilities == "Clinical practice"
    assert parties[world.partner_a.pk].obligations == "Two places"
    assert agreement.created_by == office
    assert agreement.history.first().history_user == office  # type: ignore[attr-defined]


def test_agreement_needs_a_partner_besides_the_lead_university(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(world, parties=[PartyTerms(world.university)])

    assert "besides the lead university" in str(raised.value.message_dict["parties"])
    assert not Agreement.objects.filter(title="Clinical practice agreement").exists()


def test_agreement_refuses_a_partner_outside_the_programme(world: World) -> None:
    outsider = PartnerFactory.create(name="Outsider Hospital")

    with pytest.raises(ValidationError) as raised:
        _create(world, parties=[PartyTerms(outsider)])

    assert "Outsider Hospital does not take part in this programme." in raised.value.message_dict["parties"]


def test_agreement_refuses_end_before_start(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(world, data={"start_date": datetime.date(2027, 1, 1), "end_date": datetime.date(2026, 1, 1)})

    assert raised.value.message_dict["end_date"] == ["The end date cannot be before the start date."]


def test_agreement_cannot_be_created_terminated(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(world, data={"status": AgreementStatus.TERMINATED})

    assert "status" in raised.value.message_dict


def test_agreement_requires_a_title(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(world, data={"title": ""})

    assert "title" in raised.value.message_dict


def test_signed_document_is_stored_with_its_sha256(world: World) -> None:
    agreement = _create(world, document=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"))

    assert str(agreement.document.name).endswith(".pdf")
    assert agreement.document_sha256 == hashlib.sha256(PDF).hexdigest()
    with agreement.document.open("rb") as stored:
        assert stored.read() == PDF


def test_document_that_is_not_a_pdf_is_refused_whatever_its_name(world: World) -> None:
    fake = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as raised:
        _create(world, document=fake)

    assert raised.value.message_dict["document"] == ["The file is not a PDF."]
    assert not Agreement.objects.filter(title="Clinical practice agreement").exists()


def test_document_over_ten_megabytes_is_refused(world: World) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * services.MAX_DOCUMENT_BYTES)

    agreement = AgreementFactory.create(programme=world.programme, created_by=world.users["office"])
    with pytest.raises(ValidationError) as raised:
        services.agreement_attach_document(agreement=agreement, by=world.users["office"], upload=big)  # type: ignore[arg-type]

    assert "too large" in str(raised.value.message_dict["document"])
    agreement.refresh_from_db()
    assert not agreement.document


def test_attach_document_later(office: User, world: World) -> None:
    agreement = _create(world)

    services.agreement_attach_document(agreement=agreement, by=office, upload=SimpleUploadedFile("x.pdf", PDF))

    agreement.refresh_from_db()
    assert agreement.document_sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize("persona", ["coordinator_a", "tutor", "student_a"])
def test_only_the_office_writes_agreements(persona: str, world: World) -> None:
    agreement = AgreementFactory.create(programme=world.programme, created_by=world.users["office"])
    user = world.users[persona]

    with pytest.raises(PermissionDenied):
        _create(world, by=user)
    with pytest.raises(PermissionDenied):
        services.agreement_update(agreement=agreement, by=user, title="Changed")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.agreement_terminate(agreement=agreement, by=user, reason="No.")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.agreement_attach_document(
            agreement=agreement,
            by=user,  # type: ignore[arg-type]
            upload=SimpleUploadedFile("x.pdf", PDF),
        )

    agreement.refresh_from_db()
    assert agreement.title != "Changed"
    assert agreement.status == AgreementStatus.SIGNED


def test_update_changes_terms_and_parties(office: User, world: World) -> None:
    agreement = _create(world)

    services.agreement_update(
        agreement=agreement,
        by=office,
        end_date=datetime.date(2029, 6, 30),
        parties=[PartyTerms(world.partner_b, "R&D")],
    )

    agreement.refresh_from_db()
    assert agreement.end_date == datetime.date(2029, 6, 30)
    assert set(agreement.parties.values_list("partner_id", flat=True)) == {world.partner_b.pk, world.university.pk}


def test_update_refuses_bad_dates_and_changes_nothing(office: User, world: World) -> None:
    agreement = _create(world)

    with pytest.raises(ValidationError):
        services.agreement_update(agreement=agreement, by=office, end_date=datetime.date(2020, 1, 1))

    agreement.refresh_from_db()
    assert agreement.end_date == datetime.date(2028, 12, 31)


def test_terminate_keeps_the_agreement_with_its_reason(office: User, world: World) -> None:
    agreement = _create(world)

    services.agreement_terminate(agreement=agreement, by=office, reason="  The hospital closed the department. ")

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    record = agreement.history.first()  # type: ignore[attr-defined]
    assert record.history_change_reason == "The hospital closed the department."
    assert record.history_user == office
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_terminated_agreement_no_longer_covers_placements(office: User, world: World) -> None:
    # A partner whose only agreement is this one (the world's agreement names A and B).
    hospital = PartnerFactory.create(name="Solo Hospital")
    ParticipationFactory.create(programme=world.programme, partner=hospital)
    agreement = _create(world, parties=[PartyTerms(hospital)])
    start, end = datetime.date(2026, 10, 1), datetime.date(2027, 1, 31)
    assert agreement_covering(programme=world.programme, partner=hospital, start=start, end=end) == agreement

    services.agreement_terminate(agreement=agreement, by=office, reason="Ended early.")

    assert agreement_covering(programme=world.programme, partner=hospital, start=start, end=end) is None


def test_terminate_needs_a_short_reason(office: User, world: World) -> None:
    agreement = _create(world)

    with pytest.raises(ValidationError) as blank:
        services.agreement_terminate(agreement=agreement, by=office, reason="   ")
    with pytest.raises(ValidationError) as long:
        services.agreement_terminate(agreement=agreement, by=office, reason="x" * 101)

    assert "reason" in blank.value.message_dict
    assert "reason" in long.value.message_dict
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_terminated_agreement_cannot_be_terminated_or_changed_again(office: User, world: World) -> None:
    agreement = _create(world)
    services.agreement_terminate(agreement=agreement, by=office, reason="Ended.")

    with pytest.raises(ValidationError, match="terminated"):
        services.agreement_terminate(agreement=agreement, by=office, reason="Again.")
    with pytest.raises(ValidationError, match="terminated"):
        services.agreement_update(agreement=agreement, by=office, title="Revived")
    with pytest.raises(ValidationError, match="terminated"):
        services.agreement_attach_document(agreement=agreement, by=office, upload=SimpleUploadedFile("x.pdf", PDF))


def test_party_named_twice_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(world, parties=[PartyTerms(world.partner_a), PartyTerms(world.partner_a)])

    assert "Hospital A is named twice." in raised.value.message_dict["parties"]
