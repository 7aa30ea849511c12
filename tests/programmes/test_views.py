"""Programme pages and agreement pages: what each persona sees, the office's agreement forms, the signed
document download, and constant query counts."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementStatus,
    CourseCategory,
    CreditRequirement,
    MilestoneKind,
    MilestoneTemplate,
    ObjectiveKind,
    Participation,
    ParticipationRole,
)
from tests.access.routes_lists import PDF_BYTES, agreement_a, programme_a
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.programmes import (
    AgreementFactory,
    AgreementPartyFactory,
    CohortFactory,
    ObjectiveFactory,
    ProgrammeFactory,
)
from tests.factories.students import StudentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _ok(user: User | None, url: str, **params: Any) -> Any:
    response = client_for(user).get(url, params)
    assert response.status_code == 200
    return response


# --- Programme list ---------------------------------------------------------------------------------


def test_programme_list_is_scoped(coordinator_b: User, office: User, world: World) -> None:
    only_a = programme_a(world)

    office_codes = {p.code for p in _ok(office, reverse("programmes:list")).context["programmes"]}
    b_codes = {p.code for p in _ok(coordinator_b, reverse("programmes:list")).context["programmes"]}

    assert office_codes == {"mit", only_a.code}
    assert b_codes == {"mit"}


def test_student_sees_own_programme_only(student_a: User, world: World) -> None:
    programme_a(world)

    codes = {p.code for p in _ok(student_a, reverse("programmes:list")).context["programmes"]}

    assert codes == {"mit"}


def test_inspector_sees_no_programme(inspector: User, world: World) -> None:
    response = _ok(inspector, reverse("programmes:list"))

    assert list(response.context["programmes"]) == []
    assert 'data-testid="empty"' in response.content.decode()


def test_programme_list_counts_partners_and_students(office: User, world: World) -> None:
    programme = next(p for p in _ok(office, reverse("programmes:list")).context["programmes"] if p.code == "mit")

    assert (programme.partner_count, programme.student_count) == (3, 2)


# --- Programme detail -------------------------------------------------------------------------------


def _furnish(world: World) -> None:
    programme = world.programme
    Participation.objects.filter(programme=programme, partner=world.university).update(
        role=ParticipationRole.LEAD, responsibilities="Curriculum and tutoring."
    )
    ObjectiveFactory.create(programme=programme, kind=ObjectiveKind.KNOWLEDGE, code="K1", description="Imaging physics")
    ObjectiveFactory.create(programme=programme, kind=ObjectiveKind.PRACTICAL, code="P1", description="Operate CT")
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.PROFESSIONAL_CORE, credits=12)
    ActivityCategory.objects.create(programme=programme, code="ct", name="CT operation", required_hours=240)
    ActivityCategory.objects.create(programme=programme, code="mr", name="MR operation", required_hours=200)
    MilestoneTemplate.objects.create(programme=programme, kind=MilestoneKind.PROPOSAL, offset_months=9)


def test_programme_page_shows_partners_objectives_requirements_and_cohorts(office: User, world: World) -> None:
    _furnish(world)

    response = _ok(office, reverse("programmes:detail", args=[world.programme.pk]))

    html = response.content.decode()
    overview = response.context["overview"]
    assert "Curriculum and tutoring." in html
    assert [label for label, _objectives in overview.objectives_by_kind] == ["Knowledge", "Practical ability"]
    assert "Imaging physics" in html
    assert "Professional core" in html
    assert "CT operation" in html
    assert overview.total_practice_hours == 440
    assert "9 months after enrolment" in html
    assert [(c.intake_year, c.student_count) for c in overview.cohorts] == [(2026, 2)]
    assert "2 students" in html
    assert reverse("programmes:agreement-create", args=[world.programme.pk]) in html


def test_agreement_ending_within_sixty_days_is_flagged(office: User, world: World) -> None:
    AgreementFactory.create(
        programme=world.programme,
        title="Expiring agreement",
        created_by=office,
        end_date=TODAY + datetime.timedelta(days=30),
    )

    response = _ok(office, reverse("programmes:detail", args=[world.programme.pk]))

    flagged = {a.title: a.ending_soon for a in response.context["overview"].agreements}
    assert flagged["Expiring agreement"] is True
    assert list(flagged.values()).count(True) == 1
    assert 'data-testid="ends-soon"' in response.content.decode()


def test_programme_page_shows_partner_people_only_their_agreements(coordinator_b: User, world: World) -> None:
    only_a = agreement_a(world)

    response = _ok(coordinator_b, reverse("programmes:detail", args=[world.programme.pk]))

    titles = {a.title for a in response.context["overview"].agreements}
    assert only_a.title not in titles
    assert only_a.title not in response.content.decode()
    assert reverse("programmes:agreement-create", args=[world.programme.pk]) not in response.content.decode()


def test_programme_of_other_partner_is_404(coordinator_b: User, world: World) -> None:
    only_a = programme_a(world)

    assert client_for(coordinator_b).get(reverse("programmes:detail", args=[only_a.pk])).status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow_programme(world: World, count: int) -> None:
    for index in range(count):
        ObjectiveFactory.create(programme=world.programme)
        CohortFactory.create(programme=world.programme, intake_year=2000 + len(str(index)) * 10 + index % 10)
        agreement = AgreementFactory.create(programme=world.programme, created_by=world.users["office"])
        AgreementPartyFactory.create(agreement=agreement, partner=world.partner_a)
        StudentFactory.create(programme=world.programme)


def test_programme_page_query_count_does_not_grow(coordinator_a: User, world: World) -> None:
    client = client_for(coordinator_a)
    url = reverse("programmes:detail", args=[world.programme.pk])
    client.get(url)
    _grow_programme(world, 2)
    small = _queries(client, url)

    _grow_programme(world, 12)
    large = _queries(client, url)

    assert small == large


def test_programme_and_agreement_lists_query_count_does_not_grow(tutor: User, world: World) -> None:
    client = client_for(tutor)
    client.get(reverse("programmes:list"))
    for _index in range(3):
        ProgrammeFactory.create(lead_university=world.university)
    _grow_programme(world, 3)
    small = (_queries(client, reverse("programmes:list")), _queries(client, reverse("programmes:agreements")))

    for _index in range(27):
        ProgrammeFactory.create(lead_university=world.university)
    _grow_programme(world, 20)
    large = (_queries(client, reverse("programmes:list")), _queries(client, reverse("programmes:agreements")))

    assert small == large


# --- Agreement list and detail ----------------------------------------------------------------------


def test_agreement_list_puts_ending_soon_first_and_filters(office: User, world: World) -> None:
    soon = AgreementFactory.create(
        programme=world.programme, title="Soon", created_by=office, end_date=TODAY + datetime.timedelta(days=10)
    )

    everything = _ok(office, reverse("programmes:agreements")).context["agreements"]
    only_soon = _ok(office, reverse("programmes:agreements"), ending="soon").context["agreements"]

    assert everything[0] == soon
    assert len(everything) == 2
    assert list(only_soon) == [soon]


def test_agreement_list_is_scoped(coordinator_b: User, world: World) -> None:
    only_a = agreement_a(world)

    agreements = _ok(coordinator_b, reverse("programmes:agreements")).context["agreements"]

    assert only_a not in agreements
    assert len(agreements) == 1


def test_agreement_detail_shows_parties_and_document_fingerprint(coordinator_a: User, world: World) -> None:
    agreement = agreement_a(world)
    Agreement.objects.filter(pk=agreement.pk).update(document_sha256=hashlib.sha256(PDF_BYTES).hexdigest())

    html = _ok(coordinator_a, reverse("programmes:agreement-detail", args=[agreement.pk])).content.decode()

    assert "Hospital A" in html
    assert "Lead University" in html
    assert hashlib.sha256(PDF_BYTES).hexdigest() in html
    assert reverse("programmes:agreement-document", args=[agreement.pk]) in html
    assert reverse("programmes:agreement-terminate", args=[agreement.pk]) not in html


def test_agreement_of_other_partner_is_404(coordinator_b: User, student_a: User, world: World) -> None:
    agreement = agreement_a(world)

    for user in (coordinator_b, student_a):
        client = client_for(user)
        assert client.get(reverse("programmes:agreement-detail", args=[agreement.pk])).status_code == 404
        assert client.get(reverse("programmes:agreement-document", args=[agreement.pk])).status_code == 404


def test_document_downloads_as_an_attachment(supervisor_a: User, world: World) -> None:
    agreement = agreement_a(world)

    response = client_for(supervisor_a).get(reverse("programmes:agreement-document", args=[agreement.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]


def test_agreement_without_document_has_no_download(office: User, world: World) -> None:
    agreement = Agreement.objects.get(programme=world.programme)

    assert client_for(office).get(reverse("programmes:agreement-document", args=[agreement.pk])).status_code == 404


# --- Creating an agreement --------------------------------------------------------------------------


def _form(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Enterprise R&D agreement",
        "reference": "LMU-ENT-7",
        "start_date": "2026-03-01",
        "end_date": "2029-02-28",
        "status": "signed",
        f"party_{world.partner_b.pk}": "on",
        f"responsibilities_{world.partner_b.pk}": "R&D projects",
        f"obligations_{world.partner_b.pk}": "Host four students a year",
    }
    data.update(overrides)
    return data


def test_office_creates_agreement_through_the_form(office: User, world: World) -> None:
    url = reverse("programmes:agreement-create", args=[world.programme.pk])
    form_html = _ok(office, url).content.decode()
    assert f'name="party_{world.partner_a.pk}"' in form_html

    response = client_for(office).post(
        url, {**_form(world), "document": SimpleUploadedFile("signed.pdf", PDF_BYTES, content_type="application/pdf")}
    )

    agreement = Agreement.objects.get(title="Enterprise R&D agreement")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:agreement-detail", args=[agreement.pk])
    parties = {p.partner_id: p for p in agreement.parties.all()}
    assert set(parties) == {world.partner_b.pk, world.university.pk}
    assert parties[world.partner_b.pk].obligations == "Host four students a year"
    assert agreement.document_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_invalid_agreement_keeps_typed_values_and_marks_the_field(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("programmes:agreement-create", args=[world.programme.pk]),
        _form(world, start_date="2029-01-01", end_date="2028-01-01"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Enterprise R&amp;D agreement"' in html
    assert "Host four students a year" in html
    assert "The end date cannot be before the start date." in html
    assert response.context["form"].errors["end_date"]
    assert not Agreement.objects.filter(title="Enterprise R&D agreement").exists()


def test_agreement_with_a_fake_pdf_is_refused_on_the_document_field(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("programmes:agreement-create", args=[world.programme.pk]),
        {**_form(world), "document": SimpleUploadedFile("signed.pdf", b"<html>not a pdf</html>")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["The file is not a PDF."]
    assert not Agreement.objects.filter(title="Enterprise R&D agreement").exists()


def test_agreement_without_a_partner_is_refused(office: User, world: World) -> None:
    data = _form(world)
    del data[f"party_{world.partner_b.pk}"]

    response = client_for(office).post(reverse("programmes:agreement-create", args=[world.programme.pk]), data)

    assert response.status_code == 200
    assert "Choose at least one partner besides the lead university." in response.content.decode()


def test_agreement_form_ignores_a_partner_outside_the_programme(office: User, world: World) -> None:
    only_a = programme_a(world)
    data = _form(world)  # ticks partner B, who does not take part in ``only_a``

    response = client_for(office).post(reverse("programmes:agreement-create", args=[only_a.pk]), data)

    assert response.status_code == 200
    assert not Agreement.objects.filter(title="Enterprise R&D agreement").exists()


@pytest.mark.parametrize("persona", ["coordinator_a", "tutor"])
def test_non_office_cannot_create_agreements(persona: str, world: World) -> None:
    client = client_for(world.users[persona])
    url = reverse("programmes:agreement-create", args=[world.programme.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _form(world)).status_code == 404
    assert not Agreement.objects.filter(title="Enterprise R&D agreement").exists()


# --- Terminating ------------------------------------------------------------------------------------


def test_office_terminates_with_a_reason_shown_on_the_agreement(office: User, world: World) -> None:
    agreement = agreement_a(world)
    client = client_for(office)

    response = client.post(
        reverse("programmes:agreement-terminate", args=[agreement.pk]), {"reason": "Department closed."}
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    html = _ok(office, reverse("programmes:agreement-detail", args=[agreement.pk])).content.decode()
    assert "Department closed." in html
    assert 'data-testid="termination"' in html


def test_terminate_without_reason_shows_the_error(office: User, world: World) -> None:
    agreement = agreement_a(world)

    response = client_for(office).post(reverse("programmes:agreement-terminate", args=[agreement.pk]), {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_coordinator_cannot_terminate(coordinator_a: User, world: World) -> None:
    agreement = agreement_a(world)

    response = client_for(coordinator_a).post(
        reverse("programmes:agreement-terminate", args=[agreement.pk]), {"reason": "Mine now."}
    )

    assert response.status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_document_file_missing_from_storage_is_404(office: User, world: World) -> None:
    agreement = AgreementFactory.create(programme=world.programme, created_by=office)
    agreement.document.save("gone.pdf", ContentFile(PDF_BYTES), save=True)
    agreement.document.storage.delete(str(agreement.document.name))

    assert client_for(office).get(reverse("programmes:agreement-document", args=[agreement.pk])).status_code == 404


def test_admin_shows_programmes_and_agreements_and_never_deletes_an_agreement(world: World) -> None:
    admin_user = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    agreement = Agreement.objects.get(programme=world.programme)
    client = client_for(admin_user)

    for url in (
        reverse("admin:programmes_programme_changelist"),
        reverse("admin:programmes_programme_change", args=[world.programme.pk]),
        reverse("admin:programmes_agreement_changelist"),
        reverse("admin:programmes_agreement_change", args=[agreement.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert (
        client.post(reverse("admin:programmes_agreement_delete", args=[agreement.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Agreement.objects.filter(pk=agreement.pk).exists()
