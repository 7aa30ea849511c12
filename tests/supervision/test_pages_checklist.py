"""The checklist (tablet first) and findings pages: each card saves its own item and keeps what was typed
in the others; a gap without a note is refused on the note with the rating kept; evidence is a PDF or
a photo, checked by content, stored under a name of ours and downloadable by whoever sees the
inspection; findings name only the inspected partner's placements and entries, open a corrective action
and tell its owner.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from practice.models import PracticeLog
from students.models import Placement
from supervision.models import (
    ActionStatus,
    ChecklistItem,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    Rating,
    Severity,
)
from tests.conftest import World, client_for
from tests.factories.practice import PracticeLogFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _c(world: World, persona: str) -> Client:
    return client_for(helpers.user(world, persona))


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', html)


def _card(html: str, item: ChecklistItem) -> str:
    """The HTML of one item's card."""
    return html.split(f'id="item-{item.pk}"')[1].split('data-testid="save-item"')[0]


@pytest.fixture
def inspection(world: World) -> Inspection:
    return helpers.start(world)


@pytest.fixture
def items(inspection: Inspection) -> list[ChecklistItem]:
    return list(inspection.template.items.order_by("aspect", "order", "code"))


def _url(name: str, inspection: Inspection) -> str:
    return reverse(f"supervision:{name}", args=[inspection.pk])


# --- The checklist ----------------------------------------------------------------------------------------------


def test_checklist_shows_one_card_per_item_grouped_by_aspect_with_a_sticky_progress_bar(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    html = _html(_c(world, "inspector").get(_url("checklist", inspection)))

    assert 'data-testid="sticky-progress"' in html and "sticky-top" in html
    assert html.count('data-testid="save-item"') == len(items) == 3
    assert [a for a in re.findall(r'id="aspect-(\w+)"', html)] == ["feasibility", "quality", "results"]
    # Four big buttons per item: radios styled as buttons, one per rating.
    assert html.count('class="btn-check"') == 4 * len(items)


def test_saving_one_item_keeps_what_was_typed_in_another_unsaved(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    first, second = items[0], items[1]
    data = {
        "item": first.pk,
        f"i{first.pk}-rating": Rating.CONFORMING,
        f"i{first.pk}-note": "",
        f"i{second.pk}-rating": Rating.MINOR_GAP,
        f"i{second.pk}-note": "Two logbooks unsigned.",
    }

    html = _html(_c(world, "inspector").post(_url("checklist", inspection), data))

    assert ChecklistResult.objects.get(inspection=inspection, item=first).rating == Rating.CONFORMING
    assert not ChecklistResult.objects.filter(inspection=inspection, item=second).exists()
    card = _card(html, second)
    assert "Two logbooks unsigned." in card
    assert re.search(r'value="minor_gap"[^>]*checked', card)
    assert 'data-testid="unsaved-badge"' in card
    assert 'data-testid="unsaved"' in html
    assert 'aria-valuetext="1 of 3 items rated"' in html


def test_saving_with_nothing_else_typed_goes_back_to_the_item(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    item = items[2]

    response = _c(world, "inspector").post(
        _url("checklist", inspection), {"item": item.pk, f"i{item.pk}-rating": Rating.NOT_APPLICABLE}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_url('checklist', inspection)}#item-{item.pk}"
    assert ChecklistResult.objects.get(inspection=inspection, item=item).rating == Rating.NOT_APPLICABLE


def test_rating_again_replaces_the_rating(world: World, inspection: Inspection, items: list[ChecklistItem]) -> None:
    item = items[0]
    client = _c(world, "inspector")
    client.post(_url("checklist", inspection), {"item": item.pk, f"i{item.pk}-rating": Rating.CONFORMING})

    client.post(
        _url("checklist", inspection),
        {"item": item.pk, f"i{item.pk}-rating": Rating.MAJOR_GAP, f"i{item.pk}-note": "No supervisor on site."},
    )

    result = ChecklistResult.objects.get(inspection=inspection, item=item)
    assert (result.rating, result.note) == (Rating.MAJOR_GAP, "No supervisor on site.")
    assert result.history.count() == 2  # type: ignore[attr-defined]


def test_a_gap_without_a_note_is_refused_on_the_note_keeping_the_rating(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    item = items[0]

    html = _html(
        _c(world, "inspector").post(
            _url("checklist", inspection), {"item": item.pk, f"i{item.pk}-rating": Rating.MAJOR_GAP}
        )
    )

    card = _card(html, item)
    assert _field_errors(card, "note") == ["Say what the gap is."]
    assert re.search(r'value="major_gap"[^>]*checked', card)
    assert not ChecklistResult.objects.exists()


def test_no_rating_is_refused_on_the_rating(world: World, inspection: Inspection, items: list[ChecklistItem]) -> None:
    item = items[0]

    html = _html(_c(world, "inspector").post(_url("checklist", inspection), {"item": item.pk}))

    assert _field_errors(_card(html, item), "rating") == ["Choose a rating."]
    assert not ChecklistResult.objects.exists()


def test_an_item_not_on_the_checklist_saves_nothing(world: World, inspection: Inspection) -> None:
    response = _c(world, "inspector").post(_url("checklist", inspection), {"item": "999999"})

    assert response.status_code == 400
    assert not ChecklistResult.objects.exists()


def test_a_photo_is_accepted_as_evidence_renamed_and_downloadable_by_who_sees_the_inspection(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    item = items[0]
    photo = SimpleUploadedFile("Dr Wang's office.jpg", JPEG, content_type="image/jpeg")

    response = _c(world, "inspector").post(
        _url("checklist", inspection),
        {"item": item.pk, f"i{item.pk}-rating": Rating.CONFORMING, f"i{item.pk}-evidence": photo},
    )

    assert response.status_code == 302
    result = ChecklistResult.objects.get(inspection=inspection, item=item)
    assert re.fullmatch(r"inspections/results/\d{4}/[0-9a-f]{32}\.jpg", str(result.evidence.name))
    download_url = reverse("supervision:evidence", args=["result", result.pk])
    download = _c(world, "coordinator_a").get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert f"inspection-evidence-result-{result.pk}.jpg" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == JPEG  # type: ignore[attr-defined]
    assert _c(world, "coordinator_b").get(download_url).status_code == 404
    assert _c(world, "supervisor_a").get(download_url).status_code == 404


def test_evidence_that_is_neither_a_pdf_nor_a_photo_is_refused(
    world: World, inspection: Inspection, items: list[ChecklistItem]
) -> None:
    item = items[0]
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")

    html = _html(
        _c(world, "inspector").post(
            _url("checklist", inspection),
            {"item": item.pk, f"i{item.pk}-rating": Rating.CONFORMING, f"i{item.pk}-evidence": fake},
        )
    )

    assert _field_errors(_card(html, item), "evidence") == ["Evidence must be a PDF or a photo (JPEG or PNG)."]
    assert not ChecklistResult.objects.exists()


def test_checklist_of_a_closed_inspection_goes_back_to_the_inspection(world: World) -> None:
    inspection = helpers.closed(world)

    response = _c(world, "inspector").get(_url("checklist", inspection))

    assert response.status_code == 302
    assert response["Location"] == _url("detail", inspection)


def test_the_office_may_read_but_not_rate(world: World, inspection: Inspection, items: list[ChecklistItem]) -> None:
    item = items[0]

    response = _c(world, "office").post(
        _url("checklist", inspection), {"item": item.pk, f"i{item.pk}-rating": Rating.CONFORMING}
    )

    assert response.status_code == 404
    assert not ChecklistResult.objects.exists()


# --- Findings ------------------------------------------------------------------------------------------------------


@pytest.fixture
def logs(world: World) -> tuple[PracticeLog, PracticeLog]:
    """An entry at placement A and one at placement B, both recent (placements running around today)."""
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=TODAY - datetime.timedelta(days=30), end_date=TODAY + datetime.timedelta(days=30)
        )
    day = TODAY - datetime.timedelta(days=2)
    entry_a = PracticeLogFactory.create(placement=Placement.objects.get(pk=world.placement_a.pk), date=day)
    entry_b = PracticeLogFactory.create(placement=Placement.objects.get(pk=world.placement_b.pk), date=day)
    return entry_a, entry_b


def _options(html: str, name: str) -> set[int]:
    found = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert found is not None, name
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', found.group(0))}


def test_finding_form_offers_only_the_inspected_partners_placements_supervisors_and_entries(
    world: World, inspection: Inspection, logs: tuple[PracticeLog, PracticeLog]
) -> None:
    html = _html(_c(world, "inspector").get(_url("finding-add", inspection)))

    assert _options(html, "placement") == {world.placement_a.pk}
    assert _options(html, "supervisor") == {helpers.user(world, "supervisor_a").pk}
    assert _ticks(html, "practice_logs") == {logs[0].pk}


def _ticks(html: str, name: str) -> set[int]:
    """The checkboxes of a checkbox list (the practice-hour entries' picker)."""
    assert f'<select name="{name}"' not in html
    return {int(pk) for pk in re.findall(rf'type="checkbox" name="{name}" value="(\d+)"', html)}


def test_the_entries_are_ticked_on_cards_with_date_hours_student_and_description(
    world: World, inspection: Inspection, logs: tuple[PracticeLog, PracticeLog]
) -> None:
    second = PracticeLogFactory.create(
        placement=logs[0].placement, date=logs[0].date, hours=2.5, description="Contrast injection protocol " * 10
    )
    client = _c(world, "inspector")

    html = _html(client.get(_url("finding-add", inspection)))
    picker = html.split('data-testid="log-picker"', 1)[1].split("</fieldset>", 1)[0]
    card = picker.split(f'value="{second.pk}"', 1)[1].split("</label>", 1)[0]
    assert f"{second.date:%Y-%m-%d}" in card and world.student_a.user.display_name in card and "2.5 h" in card
    assert "Contrast injection protocol" in card and "…" in card  # an excerpt, not the whole description
    assert f'value="{logs[0].pk}"' in picker
    assert 'data-select-all="practice_logs"' in picker

    # A refusal elsewhere keeps what was ticked.
    post = {"severity": Severity.MINOR, "practice_logs": [second.pk]}  # no description: refused
    refused = _html(client.post(_url("finding-add", inspection), post))
    assert re.search(rf'value="{second.pk}" id="[^"]+" checked', refused)
    assert not re.search(rf'value="{logs[0].pk}" id="[^"]+" checked', refused)


def test_a_major_finding_opens_an_action_due_in_30_days_and_tells_the_coordinator(
    world: World, inspection: Inspection, logs: tuple[PracticeLog, PracticeLog]
) -> None:
    evidence = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")

    response = _c(world, "inspector").post(
        _url("finding-add", inspection),
        {
            "severity": Severity.MAJOR,
            "description": "Supervision hours not met.",
            "placement": world.placement_a.pk,
            "supervisor": helpers.user(world, "supervisor_a").pk,
            "practice_logs": [logs[0].pk],
            "evidence": evidence,
        },
    )

    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_url('detail', inspection)}#finding-{finding.pk}"
    assert finding.placement_id == world.placement_a.pk
    assert list(finding.practice_logs.all()) == [logs[0]]
    assert str(finding.evidence.name).endswith(".pdf")
    action = CorrectiveAction.objects.get(finding=finding)
    assert action.due_date == TODAY + datetime.timedelta(days=30)
    assert action.owner == helpers.user(world, "coordinator_a")
    told = Notification.objects.get(user=action.owner, kind="corrective_action_opened")
    assert told.params == {"partner": world.partner_a.name, "due": action.due_date.isoformat()}
    assert told.link.endswith(f"#action-{action.pk}")


def test_an_observation_opens_no_action_and_tells_nobody(world: World, inspection: Inspection) -> None:
    before = Notification.objects.count()

    _c(world, "inspector").post(
        _url("finding-add", inspection), {"severity": Severity.OBSERVATION, "description": "Good induction."}
    )

    assert Finding.objects.count() == 1
    assert not CorrectiveAction.objects.exists()
    assert Notification.objects.count() == before


def test_a_finding_naming_another_partners_placement_or_entry_creates_nothing(
    world: World, inspection: Inspection, logs: tuple[PracticeLog, PracticeLog]
) -> None:
    html = _html(
        _c(world, "inspector").post(
            _url("finding-add", inspection),
            {
                "severity": Severity.MINOR,
                "description": "Kept on refusal.",
                "placement": world.placement_b.pk,
                "practice_logs": [logs[1].pk],
            },
        )
    )

    assert _field_errors(html, "placement") and _field_errors(html, "practice_logs")
    assert "Kept on refusal." in html
    assert not Finding.objects.exists()


def test_a_finding_without_description_is_refused_on_the_field(world: World, inspection: Inspection) -> None:
    html = _html(_c(world, "inspector").post(_url("finding-add", inspection), {"severity": Severity.CRITICAL}))

    assert _field_errors(html, "description") == ["Describe the finding."]
    assert re.search(r'<option value="critical" selected>', html)
    assert not Finding.objects.exists()


def test_the_coordinator_may_not_add_findings(world: World, inspection: Inspection) -> None:
    response = _c(world, "coordinator_a").post(
        _url("finding-add", inspection), {"severity": Severity.MINOR, "description": "Self-report."}
    )

    assert response.status_code == 404
    assert not Finding.objects.exists()


def test_a_png_answer_evidence_is_accepted(world: World, inspection: Inspection) -> None:
    action = helpers.add_finding(world, inspection, Severity.MINOR).corrective_action

    response = _c(world, "coordinator_a").post(
        reverse("supervision:action-answer", args=[action.pk]),
        {"answer": "New sign-off sheet.", "evidence": SimpleUploadedFile("sheet.png", PNG, content_type="image/png")},
    )

    action.refresh_from_db()
    assert response.status_code == 302
    assert action.status == ActionStatus.ANSWERED
    assert str(action.answer_evidence.name).endswith(".png")
