"""The agreement form keeps the chosen PDF after an error elsewhere on the form (issue 18: it was dropped
and had to be chosen again, which people missed): the next post saves it without choosing it again;
another file replaces it; "Do not attach it" drops it; a token is the uploader's own and a refused file
is never kept. Each post is a real multipart request."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programmes.models import Agreement
from tests.access.routes_lists import PDF_BYTES
from tests.conftest import World, client_for
from tests.programmes.test_views import _form

pytestmark = pytest.mark.django_db

OTHER_PDF = PDF_BYTES + b"% another version\n"
TITLE = "Enterprise R&D agreement"


def _pdf(name: str = "signed-2026.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _token(html: str) -> str:
    found = re.search(r'name="document_kept" value="([^"]+)"', html)
    assert found, "no kept document on the form"
    return found.group(1)


def _failed_post(client: Client, world: World, **files: SimpleUploadedFile) -> str:
    """Post the form with the dates the wrong way round, and return the page (an error, nothing saved)."""
    url = reverse("programmes:agreement-create", args=[world.programme.pk])
    before = Agreement.objects.count()
    response = client.post(url, {**_form(world, start_date="2029-01-01", end_date="2028-01-01"), **files})
    assert response.status_code == 200
    assert Agreement.objects.count() == before
    return str(response.content.decode())


def test_the_file_is_kept_after_an_error_and_saved_with_the_next_post(world: World) -> None:
    client = client_for(world.users["office"])
    html = _failed_post(client, world, document=_pdf())

    assert "The file “signed-2026.pdf” is kept" in html
    response = client.post(
        reverse("programmes:agreement-create", args=[world.programme.pk]),
        {**_form(world), "document_kept": _token(html)},
    )

    assert response.status_code == 302
    assert Agreement.objects.get(title=TITLE).document_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_a_file_kept_through_two_errors_stays_kept(world: World) -> None:
    client = client_for(world.users["office"])
    first = _failed_post(client, world, document=_pdf())
    url = reverse("programmes:agreement-create", args=[world.programme.pk])
    second = client.post(url, {**_form(world, title=""), "document_kept": _token(first)}).content.decode()

    assert 'data-testid="document-kept"' in second
    assert client.post(url, {**_form(world), "document_kept": _token(second)}).status_code == 302
    assert Agreement.objects.get(title=TITLE).document_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_another_file_replaces_the_kept_one_and_forgetting_drops_it(world: World) -> None:
    client = client_for(world.users["office"])
    url = reverse("programmes:agreement-create", args=[world.programme.pk])
    token = _token(_failed_post(client, world, document=_pdf()))

    client.post(url, {**_form(world), "document_kept": token, "document": _pdf("v2.pdf", OTHER_PDF)})
    assert Agreement.objects.get(title=TITLE).document_sha256 == hashlib.sha256(OTHER_PDF).hexdigest()

    token = _token(_failed_post(client, world, document=_pdf()))
    client.post(url, {**_form(world, title="Without a file"), "document_kept": token, "document_forget": "on"})
    assert not Agreement.objects.get(title="Without a file").document


def test_a_token_is_the_uploaders_own(world: World) -> None:
    token = _token(_failed_post(client_for(world.users["office"]), world, document=_pdf()))
    other_office = world.users["office"].__class__.objects.create_user(username="office-2")  # type: ignore[union-attr]
    from accounts.roles import PlatformRole, grant_platform_role

    grant_platform_role(other_office, PlatformRole.OFFICE)
    url = reverse("programmes:agreement-create", args=[world.programme.pk])

    client_for(other_office).post(url, {**_form(world), "document_kept": token})
    assert not Agreement.objects.get(title=TITLE).document


def test_a_refused_file_is_not_kept_and_the_form_says_so(world: World) -> None:
    client = client_for(world.users["office"])
    html = _failed_post(client, world, document=_pdf(data=b"<html>not a pdf</html>"))

    assert "document_kept" not in html
    assert "The file is not a PDF." in html


def test_without_a_file_the_form_says_none_is_attached(world: World) -> None:
    html = _failed_post(client_for(world.users["office"]), world)

    assert 'data-testid="document-choose-again"' in html
