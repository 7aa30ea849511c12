"""The funds journey on the demo data: the enterprise's finance officer records spending with a receipt on a
category the provincial fund does not allow; the entry is flagged at once; the office finds the flag in the
queue and resolves it with a note, and it stays visible among the resolved ones.

Screenshot for a person to look at: /tmp/funds-allocation.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, FilePayload, expect

from funds.demo import PROVINCIAL

PAYEE = "Journey Patent Agency"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_finance_officer_records_with_a_receipt_and_office_resolves_the_flag(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    # --- The enterprise's finance officer: Funds, the provincial allocation, record spending with a receipt.
    finance = browser.new_context().new_page()
    login(finance, "finance-enterprise")
    finance.get_by_role("link", name="Funds", exact=True).first.click()
    expect(finance.get_by_role("heading", level=1)).to_have_text("Training funds")
    fund = finance.locator("section[data-fund]", has_text=PROVINCIAL)
    fund.get_by_role("link", name="Huaxin Imaging Equipment Co.").click()
    expect(finance.get_by_test_id("category-table")).to_be_visible()
    expect(finance.get_by_test_id("spending-line")).to_be_visible()
    finance.screenshot(path="/tmp/funds-allocation.png", full_page=True)
    finance.get_by_test_id("record-link").click()
    expect(finance.get_by_role("heading", level=1)).to_have_text("Record spending")
    finance.get_by_label("Category").select_option(label="Publication and patents")
    finance.get_by_label("Amount").fill("2300")
    finance.get_by_label("Payee").fill(PAYEE)
    finance.get_by_label("Description").fill("Utility patent filing fee")
    invoice: FilePayload = {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}
    finance.get_by_label("Receipt").set_input_files(files=[invoice])
    finance.get_by_role("button", name="Record", exact=True).click()

    expect(finance.get_by_role("heading", level=1)).to_contain_text(PAYEE)
    expect(finance.get_by_role("status").first).to_contain_text("awaits approval")
    expect(finance.get_by_test_id("receipts")).to_contain_text("Receipt 1")
    flag_row = finance.locator("tr[data-rule=category_not_allowed]")
    expect(flag_row).to_contain_text("not allowed by the fund")
    expect(finance.get_by_test_id("approve")).to_have_count(0)  # never one's own entry

    # --- The office: the flags queue, resolve it with a note; it stays visible, resolved.
    office = browser.new_context().new_page()
    login(office, "office")
    office.goto(live_server.url + "/funds/flags/")
    row = office.locator("tr[data-rule=category_not_allowed]", has_text=PAYEE)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Resolve").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Resolve a flag")
    office.get_by_label("Corrected").check()
    office.get_by_label("Note").fill("Moved to the bank fund's publication budget")
    office.get_by_test_id("resolve-submit").click()

    expect(office.get_by_role("status").first).to_have_text("Flag resolved.")
    expect(office.locator("tr[data-rule=category_not_allowed]", has_text=PAYEE)).to_have_count(0)
    office.get_by_test_id("resolved-link").click()
    resolved = office.locator("tr[data-rule=category_not_allowed]", has_text=PAYEE)
    expect(resolved).to_contain_text("Moved to the bank fund's publication budget")
    expect(resolved).to_contain_text("Corrected")
