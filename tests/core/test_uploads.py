"""Uploads larger than ``UPLOAD_MAX_BYTES`` (security issue 22, item 9d): every upload in Tandem answers
"too large" on its field, in a page or the API, and nothing is written: not to the media storage, and not
in full to a temporary file either (``core.uploads.LimitedUploadHandler`` stops receiving the file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from programmes.models import Agreement
from students.models import Milestone
from supervision.models import CorrectiveAction, Finding
from tests.conftest import World, api_client_for, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

PDF_HEAD = b"%PDF-1.4\n"


@pytest.fixture
def big(settings: Any) -> bytes:
    """A PDF one kilobyte over the limit."""
    return PDF_HEAD + b"0" * (settings.UPLOAD_MAX_BYTES + 1024 - len(PDF_HEAD))


@pytest.fixture(autouse=True)
def written(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Media and temporary files go to folders of the test's own; ``spooled`` counts the bytes Django's
    temporary-file handler was given (a file larger than the limit must never be written out in full)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    seen: dict[str, Any] = {"spooled": 0, "media": tmp_path / "media", "tmp": tmp_path / "tmp"}
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: Any, raw_data: bytes, start: int) -> Any:
        seen["spooled"] += len(raw_data)
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    yield seen


def _nothing_written(seen: dict[str, Any], settings: Any) -> None:
    media = seen["media"]
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*")), list(media.rglob("*"))
    assert not any(seen["tmp"].iterdir())
    assert seen["spooled"] <= settings.UPLOAD_MAX_BYTES


def _upload(content: bytes, name: str = "big.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_an_agreement_pdf_over_the_limit(world: World, big: bytes, written: dict[str, Any], settings: Any) -> None:
    response = client_for(world.users["office"]).post(
        reverse("programmes:agreement-create", args=[world.programme.pk]),
        {
            "title": "Too large",
            "reference": "BIG-1",
            "start_date": "2026-03-01",
            "end_date": "2029-02-28",
            "status": "signed",
            f"party_{world.partner_b.pk}": "on",
            "document": _upload(big),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["The file is too large: at most 10.0\xa0MB."]
    assert not Agreement.objects.filter(title="Too large").exists()
    _nothing_written(written, settings)


def test_milestone_evidence_over_the_limit(world: World, big: bytes, written: dict[str, Any], settings: Any) -> None:
    milestone = Milestone.objects.get(student=world.student_a)

    response = client_for(world.users["student_a"]).post(
        reverse("students:milestone-evidence", args=[milestone.pk]), {"evidence": _upload(big)}
    )

    assert response.status_code == 200
    assert "The file is too large: at most 10.0\xa0MB." in response.content.decode()
    assert not Milestone.objects.get(pk=milestone.pk).evidence
    _nothing_written(written, settings)


def test_a_student_import_over_the_limit(world: World, big: bytes, written: dict[str, Any], settings: Any) -> None:
    response = client_for(world.users["office"]).post(
        reverse("students:import"), {"file": _upload(big, "students.csv", "text/csv")}
    )

    assert response.status_code == 200
    assert "The file is too large: at most 2 MB." in response.content.decode()
    _nothing_written(written, settings)


def test_inspection_evidence_over_the_limit_on_the_finding_page(
    world: World, big: bytes, written: dict[str, Any], settings: Any
) -> None:
    inspection = helpers.start(world)

    response = client_for(world.users["inspector"]).post(
        reverse("supervision:finding-add", args=[inspection.pk]),
        {"severity": "major", "description": "Hours not met.", "evidence": _upload(big)},
    )

    assert response.status_code == 200
    assert "The file is too large: at most 10.0\xa0MB." in response.content.decode()
    assert not Finding.objects.exists()
    _nothing_written(written, settings)


def test_inspection_evidence_over_the_limit_in_the_api(
    world: World, big: bytes, written: dict[str, Any], settings: Any
) -> None:
    inspection = helpers.start(world)

    response = api_client_for(world.users["inspector"]).post(
        "/api/v1/findings/",
        {"inspection": inspection.pk, "severity": "major", "description": "Hours not met.", "evidence": _upload(big)},
        format="multipart",
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == ["evidence"]
    assert "too large" in error["fields"]["evidence"][0]
    assert not Finding.objects.exists()
    _nothing_written(written, settings)


def test_a_corrective_action_answer_over_the_limit_in_the_api(
    world: World, big: bytes, written: dict[str, Any], settings: Any
) -> None:
    finding = helpers.add_finding(world, helpers.start(world), "major")
    action = CorrectiveAction.objects.get(finding=finding)
    written["spooled"] = 0

    response = api_client_for(world.users["coordinator_a"]).post(
        reverse("api:corrective-action-answer", args=[action.pk]),
        {"answer": "Rota attached.", "evidence": _upload(big)},
        format="multipart",
    )

    assert response.status_code == 400, response.content
    assert "evidence" in response.json()["error"]["fields"]
    assert CorrectiveAction.objects.get(pk=action.pk).answer == ""
    _nothing_written(written, settings)


def test_a_file_at_the_limit_is_received_whole(world: World, written: dict[str, Any], settings: Any) -> None:
    # The limit is the per-file ceiling; the upload's own check then decides (here: not a PDF).
    milestone = Milestone.objects.get(student=world.student_a)
    content = b"x" * settings.UPLOAD_MAX_BYTES

    response = client_for(world.users["student_a"]).post(
        reverse("students:milestone-evidence", args=[milestone.pk]), {"evidence": _upload(content)}
    )

    assert response.status_code == 200
    assert "The file is not a PDF." in response.content.decode()
    assert written["spooled"] == settings.UPLOAD_MAX_BYTES
