"""The fund statement PDF (read back, Chinese included), the XLSX export (formulas neutralised, scope kept), and
the import of expenditures (preview, row errors, all or nothing, idempotent)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funds import services
from funds.models import Category, Expenditure, Flag, FlagRule
from funds.services import imports
from tests.conftest import World, client_for
from tests.factories import funds as f
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _shared(world: World) -> tuple[object, object]:
    fund = f.fund(world, name="省联合培养专项资金 Provincial fund")
    a = f.allocation(
        world, the_fund=fund, budget={Category.TRAVEL: Decimal("1000"), Category.EQUIPMENT: Decimal("9000")}
    )
    b = f.allocation(world, partner=world.partner_b, the_fund=fund)
    f.spend(
        a,
        f.finance_officer(world.partner_a),
        category=Category.TRAVEL,
        amount=Decimal("1500"),
        payee="东方航空 China Eastern",
    )
    f.spend(b, f.finance_officer(world.partner_b), payee='=HYPERLINK("http://x")', amount=Decimal("77"))
    return a, b


def test_statement_pdf_has_totals_every_expenditure_and_flags_with_resolution_in_chinese(world: World) -> None:
    a, _b = _shared(world)
    flag = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY)
    services.flag_resolve(flag=flag, resolution="accepted", note="会议差旅已批准", by=f.user(world, "office"))
    response = client_for(f.user(world, "office")).get(reverse("funds:fund-statement", args=[a.fund_id]))  # type: ignore[attr-defined]
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "省联合培养专项资金" in text and "东方航空" in text
    assert "1,500" in text and "HYPERLINK" in text  # both partners' spending for the office
    assert "会议差旅已批准" in text and "Spending on Travel is 1,500 against a budget of" in text


def test_statement_for_a_coordinator_holds_only_their_partners_spending(world: World) -> None:
    a, _b = _shared(world)
    response = client_for(f.user(world, "coordinator_a")).get(reverse("funds:fund-statement", args=[a.fund_id]))  # type: ignore[attr-defined]
    text = pdf_text(response.content)
    assert "东方航空" in text and "HYPERLINK" not in text


def test_xlsx_export_writes_text_cells_never_formulas(world: World) -> None:
    a, _b = _shared(world)
    response = client_for(f.user(world, "office")).get(reverse("funds:fund-export", args=[a.fund_id]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    workbook = load_workbook(io.BytesIO(content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    payees = {row[5] for row in rows[1:]}
    assert '=HYPERLINK("http://x")' in payees
    cell = next(c for r in workbook.worksheets[0].iter_rows() for c in r if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"
    flag_rules = [row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "over_budget_category" in flag_rules


CSV = (
    "reference,date,category,amount,payee,description,student_number\n"
    "FIN-001,{d},consumables,120.50,Film Ltd,Films,\n"
    "FIN-002,{d},设备费,3000,Probe Co,Probe,\n"
    "FIN-003,{d},Travel,800,Rail,Trip,\n"
)


def test_import_previews_then_records_all_rows_and_a_second_import_adds_nothing(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    data = CSV.format(d=TODAY.isoformat()).encode()
    preview = imports.expenditures_import_preview(allocation=allocation, data=data, by=officer)
    assert preview.is_valid and preview.new_count == 3 and not Expenditure.objects.exists()
    created = imports.expenditures_import(allocation=allocation, data=data, by=officer)
    assert [e.category for e in created] == [Category.CONSUMABLES, Category.EQUIPMENT, Category.TRAVEL]
    assert imports.expenditures_import(allocation=allocation, data=data, by=officer) == []
    assert imports.expenditures_import_preview(allocation=allocation, data=data, by=officer).imported_count == 3
    assert Expenditure.objects.count() == 3


def test_import_with_a_row_in_error_is_all_or_nothing(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    data = (CSV.format(d=TODAY.isoformat()) + "FIN-004,yesterday,stipends,1,X,,\n").encode()
    preview = imports.expenditures_import_preview(allocation=allocation, data=data, by=officer)
    (bad,) = [row for row in preview.rows if row.status == "error"]
    assert bad.number == 5 and "YYYY-MM-DD" in " ".join(bad.errors)
    with pytest.raises(imports.ImportRefused):
        imports.expenditures_import(allocation=allocation, data=data, by=officer)
    assert not Expenditure.objects.exists()


def test_import_page_previews_and_confirms(world: World) -> None:
    allocation = f.allocation(world)
    client = client_for(f.finance_officer(world.partner_a))
    url = reverse("funds:import", args=[allocation.pk])
    upload = io.BytesIO(CSV.format(d=TODAY.isoformat()).encode())
    upload.name = "export.csv"
    page = client.post(url, {"file": upload})
    assert page.status_code == 200 and 'data-testid="import-preview"' in page.content.decode()
    token = page.context["token"]
    assert client.post(url, {"token": token}).status_code == 302
    assert Expenditure.objects.filter(allocation=allocation).count() == 3
    assert client_for(f.user(world, "coordinator_b")).get(url).status_code == 404
