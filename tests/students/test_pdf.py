"""The plan as a PDF: rendered by ``core.pdf.render_pdf`` (the real WeasyPrint), read back as text.

Chinese names must come out; what a student types comes out as text, never as markup that makes the
renderer fetch or attach a file.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from core.pdf import render_pdf
from programmes.models import ActivityCategory
from students import selectors, services
from students.models import PlacementHours, TrainingPlan
from tests.conftest import World, client_for
from tests.pdfs import pdf_attachments, pdf_font_names, pdf_text_sizes

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    """A persona's user (never the anonymous one here)."""
    user = world.users[persona]
    assert user is not None
    return user


HOSTILE = "<link rel=attachment href=file:///etc/hostname>"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _plan_pdf(user: User, world: World) -> bytes:
    plan = TrainingPlan.objects.select_related("student__user", "student__programme", "student__cohort").get(
        student=world.student_a
    )
    overview = selectors.plan_overview(user=user, plan=plan)
    return render_pdf("students/pdf/plan.html", {"plan": plan, "student": plan.student, "overview": overview})


def test_plan_pdf_reads_back_with_the_chinese_name_and_the_plan(world: World) -> None:
    student_user = _u(world, "student_a")
    assert student_user is not None
    student_user.full_name = "黄欣"
    student_user.save()
    category = ActivityCategory.objects.create(
        programme=world.programme, code="ct", name="CT operation", required_hours=240
    )
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=120)

    text = _text(_plan_pdf(student_user, world))

    assert "黄欣" in text
    assert world.student_a.student_number in text
    assert "Hospital A" in text
    assert "Imaging A" in text
    assert "Thesis proposal" in text
    assert "CT operation" in text
    assert "not yet recorded" in text


def test_hostile_goals_come_out_as_text_and_attach_nothing(world: World, tmp_path: Path) -> None:
    student_user = _u(world, "student_a")
    assert student_user is not None
    services.plan_update_goals(
        plan=TrainingPlan.objects.get(student=world.student_a), by=student_user, development_goals=HOSTILE
    )

    pdf = _plan_pdf(student_user, world)

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    text = _text(pdf)
    assert "<link rel=attachment" in text.replace("\n", " ")
    assert "file:///etc/hostname" in text.replace("\n", "")
    assert pdf_attachments(pdf) == []


def test_plan_pdf_downloads_as_an_attachment_named_after_the_student(world: World) -> None:
    response = client_for(_u(world, "tutor")).get(reverse("students:plan-pdf", args=[world.student_a.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="plan-{world.student_a.student_number}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert "Hospital A" in _text(response.content)


def test_plan_pdf_of_a_student_elsewhere_is_404(world: World) -> None:
    response = client_for(_u(world, "coordinator_b")).get(reverse("students:plan-pdf", args=[world.student_a.pk]))

    assert response.status_code == 404


def test_coordinator_pdf_holds_only_the_placements_at_their_partner(world: World) -> None:
    from tests.factories.students import PlacementFactory

    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 6, 30),
    )
    coordinator = _u(world, "coordinator_a")
    assert coordinator is not None

    text = _text(_plan_pdf(coordinator, world))

    assert "Imaging A" in text
    assert "Lab B" not in text


def test_plan_pdf_shows_the_hours_the_page_shows(world: World) -> None:
    """The PDF read "not yet recorded" while the page showed hours approved and pending: both read the
    practice selector now, for the same reader."""
    from decimal import Decimal

    from tests.factories.practice import PracticeLogFactory

    category = ActivityCategory.objects.create(
        programme=world.programme, code="ct", name="CT operation", required_hours=240
    )
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=120)
    PracticeLogFactory.create(placement=world.placement_a, category=category, hours=Decimal("6.5"), approved=True)
    PracticeLogFactory.create(placement=world.placement_a, category=category, hours=Decimal("3"))
    client = client_for(world.users["student_a"])
    page = client.get(reverse("students:plan", args=[world.student_a.pk])).content.decode()
    assert "6.5 h approved, 3 h pending" in page
    response = client.get(reverse("students:plan-pdf", args=[world.student_a.pk]))
    assert response.status_code == 200
    text = " ".join(_text(response.content).split())
    assert "6.5 h approved, 3 h pending" in text


LONG_HOSPITAL = "Shanghai Sixth People's Hospital Affiliated to Shanghai Jiao Tong University School of Medicine"
LONG_ENTERPRISE = "上海联影医疗科技股份有限公司医学影像研发中心"


def _timeline_plan(world: World) -> None:
    """Student A at two partners with long names, and the thesis due a week before the defence (the page's
    timeline draws their labels over each other at this distance)."""
    from programmes.models import MilestoneKind
    from tests.factories.students import MilestoneFactory, PlacementFactory

    type(world.partner_a).objects.filter(pk=world.partner_a.pk).update(name=LONG_HOSPITAL)
    type(world.partner_b).objects.filter(pk=world.partner_b.pk).update(name=LONG_ENTERPRISE)
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=_u(world, "supervisor_b"),
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 6, 30),
    )
    MilestoneFactory.create(student=world.student_a, kind=MilestoneKind.THESIS, due_date=datetime.date(2028, 5, 1))
    MilestoneFactory.create(student=world.student_a, kind=MilestoneKind.DEFENCE, due_date=datetime.date(2028, 5, 8))


def test_plan_pdf_timeline_names_partners_in_full_and_lists_every_milestone_at_a_readable_size(
    world: World,
) -> None:
    # Issue 18 §6: the PDF's timeline was the page's SVG shrunk to about 5 pt, partner names cut at 24
    # characters, "Thesis submission" drawn over "Defence". On paper it is a table now.
    _timeline_plan(world)

    pdf = _plan_pdf(_u(world, "office"), world)

    squeezed = "".join(_text(pdf).split())
    for name in (LONG_HOSPITAL, LONG_ENTERPRISE, "Thesis submission", "Defence", "2028-05-01", "2028-05-08"):
        assert "".join(name.split()) in squeezed, name
    sizes = pdf_text_sizes(pdf)
    assert sizes, "no text read back"
    smallest = min(size for _text_piece, size in sizes)
    assert smallest >= 8, [piece for piece in sizes if piece[1] < 8][:10]
    # Each milestone on its own line: "Thesis submission" and "Defence" are never set over each other.
    lines = _text(pdf).splitlines()
    assert any("Thesis submission" in line and "Defence" not in line for line in lines)
    assert any("Defence" in line and "Thesis submission" not in line for line in lines)


def test_chinese_plan_pdf_is_set_in_the_simplified_chinese_face_only(world: World) -> None:
    # Issue 18 §6: a few characters fell back to the Japanese Noto face (different glyph shapes).
    from django.utils import translation

    _timeline_plan(world)
    with translation.override("zh-hans"):
        pdf = _plan_pdf(_u(world, "office"), world)

    fonts = pdf_font_names(pdf)
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in fonts), fonts
    assert not any("JP" in name or "KR" in name or "TC" in name or "HK" in name for name in fonts), fonts
    assert "".join(LONG_ENTERPRISE.split()) in "".join(_text(pdf).split())
