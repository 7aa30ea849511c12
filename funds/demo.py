"""Demo data for training funds (``manage.py seed_demo`` runs ``seed()`` after the base demo).

A provincial government fund and a bank-sponsored fund, each allocated to the hospital, the enterprise and the
institute; a month of spending, mostly approved; and flags of several kinds: a split purchase at the
enterprise (three payments to one supplier, each under the finance officer's 5,000, together above it), the
hospital's travel budget overspent, a receipt still missing after 14 days at the institute, an approval beyond
authority refused and logged (35,000 > 20,000 at the enterprise; it waits for the office), and a stipend to a
student not placed at the institute. ``finance-enterprise`` records the enterprise's spending.

Idempotent: nothing is added once the provincial fund exists.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from core.demo import DemoLogin, demo_user
from funds import services
from funds.models import Allocation, Category, Expenditure, Fund
from partners.models import Membership, MembershipRole, Partner
from programmes.demo import PROGRAMME_CODE
from programmes.models import Programme
from students.models import Student

DEMO_LOGINS = (DemoLogin("finance-enterprise", "Guo Jun 郭军", "finance officer, imaging-equipment enterprise"),)

PROVINCIAL = "Provincial Joint Training Special Fund 省联合培养专项资金"
BANK = "Science Branch Talent Sponsorship 科技支行人才资助"

D = Decimal


def _receipt(label: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% receipt {label}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(f"{label}.pdf", body.encode(), content_type="application/pdf")


def _spend(
    allocation: Allocation,
    by: User,
    *,
    days_ago: int,
    category: str,
    amount: str,
    payee: str,
    description: str = "",
    student: Student | None = None,
    receipt: bool = True,
    approver: User | None = None,
) -> Expenditure:
    today = timezone.localdate()
    entry = services.ExpenditureInput(
        allocation=allocation,
        category=category,
        date=today - datetime.timedelta(days=days_ago),
        amount=D(amount),
        payee=payee,
        description=description,
        student=student,
    )
    label = f"{allocation.pk}-{payee}-{amount}-{days_ago}"
    spent = services.expenditure_create(
        entry=entry, by=by, receipts=[_receipt(label)] if receipt else [], check_flags=False
    )
    # A month of spending was entered over the month: the entry is dated the day it was booked.
    spent.entered_at = timezone.now() - datetime.timedelta(days=days_ago)
    spent.save(update_fields=["entered_at"])
    if approver is not None:
        services.expenditure_approve(expenditure=spent, by=approver)
    return spent


def seed() -> None:
    if Fund.objects.filter(name=PROVINCIAL).exists():
        return
    today = timezone.localdate()
    office = User.objects.get(username="office")
    partners = {
        p.short_name: p for p in Partner.objects.filter(short_name__in=["AH", "IMG-E", "BME-I", "GOV-H", "BANK"])
    }
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    finance = demo_user(DEMO_LOGINS[0])
    if not Membership.objects.filter(user=finance, partner=partners["IMG-E"], role=MembershipRole.FINANCE).exists():
        Membership.objects.create(user=finance, partner=partners["IMG-E"], role=MembershipRole.FINANCE)
    coordinators = {
        "AH": User.objects.get(username="coord-hospital"),
        "IMG-E": User.objects.get(username="coord-enterprise"),
        "BME-I": User.objects.get(username="coord-institute"),
    }
    start = today - datetime.timedelta(days=120)
    provincial = services.fund_create(
        name=PROVINCIAL,
        source=partners["GOV-H"],
        programme=programme,
        total=D("800000"),
        start_date=start,
        end_date=today + datetime.timedelta(days=600),
        purpose="Joint practice training of medical imaging Master's students at hospitals, enterprises and "
        "institutes. 支持医学影像专业硕士在医院、企业和研究院所的联合实践培养。",
        conditions="Publication and patent costs are not eligible; receipts within 14 days.",
        reference="HC-2026-017",
        allowed_categories=[c for c in Category.values if c != Category.PUBLICATION],
        document=_receipt("agreement HC-2026-017"),  # a placeholder PDF, downloadable from the dashboard
        by=office,
    )
    bank = services.fund_create(
        name=BANK,
        source=partners["BANK"],
        programme=programme,
        total=D("300000"),
        start_date=start,
        end_date=today + datetime.timedelta(days=365),
        purpose="Sponsorship of innovation projects and travel of the joint programme's students.",
        reference="CCB-SB-88",
        by=office,
    )
    budgets = {
        "AH": {
            Category.CONSUMABLES: "60000",
            Category.STIPENDS: "72000",
            Category.SUPERVISION: "48000",
            Category.TRAINING: "20000",
        },
        "IMG-E": {
            Category.EQUIPMENT: "120000",
            Category.CONSUMABLES: "30000",
            Category.STIPENDS: "54000",
            Category.SUPERVISION: "36000",
        },
        "BME-I": {Category.EQUIPMENT: "80000", Category.STIPENDS: "36000", Category.TRAINING: "24000"},
    }
    bank_budgets = {
        "AH": {Category.TRAVEL: "8000", Category.TRAINING: "12000"},
        "IMG-E": {Category.TRAVEL: "15000", Category.PUBLICATION: "20000"},
        "BME-I": {Category.TRAVEL: "10000", Category.PUBLICATION: "30000"},
    }
    allocations: dict[tuple[str, str], Allocation] = {}
    for fund, table in ((provincial, budgets), (bank, bank_budgets)):
        for short, lines in table.items():
            allocations[(fund.name, short)] = services.allocation_create(
                fund=fund,
                partner=partners[short],
                start_date=start,
                end_date=fund.end_date,
                budget={category: D(amount) for category, amount in lines.items()},
                reason="Annual allocation agreed by the programme committee",
                by=office,
            )
    student = Student.objects.get(user__username="student")
    student2 = Student.objects.get(user__username="student2")
    ah, ent, inst = (allocations[(PROVINCIAL, s)] for s in ("AH", "IMG-E", "BME-I"))
    # The hospital: its coordinator records, the office approves (nobody approves their own entry).
    hospital = coordinators["AH"]
    _spend(
        ah,
        hospital,
        days_ago=28,
        category=Category.CONSUMABLES,
        amount="6800",
        payee="Bracco Contrast Media",
        description="Contrast agent for teaching cases 教学病例造影剂",
        approver=office,
    )
    _spend(
        ah,
        hospital,
        days_ago=20,
        category=Category.STIPENDS,
        amount="1500",
        payee="Huang Xin 黄欣",
        description="Practice stipend",
        student=student,
        approver=office,
    )
    _spend(
        ah,
        hospital,
        days_ago=12,
        category=Category.SUPERVISION,
        amount="4000",
        payee="Liu Yang 刘洋",
        description="Practice supervision fee, one month",
        approver=office,
    )
    _spend(
        ah,
        hospital,
        days_ago=6,
        category=Category.TRAINING,
        amount="2600",
        payee="Radiology Society",
        description="Radiation protection course",
    )
    hospital_bank = allocations[(BANK, "AH")]
    _spend(
        hospital_bank,
        hospital,
        days_ago=25,
        category=Category.TRAVEL,
        amount="5400",
        payee="China Eastern",
        description="Flights to the national imaging congress",
        approver=office,
    )
    _spend(
        hospital_bank,
        hospital,
        days_ago=9,
        category=Category.TRAVEL,
        amount="3800",
        payee="Jinjiang Hotels",
        description="Congress accommodation 会议住宿",
    )  # over the 8,000 travel budget
    # The enterprise: the finance officer records; the coordinator approves up to 20,000.
    boss = coordinators["IMG-E"]
    _spend(
        ent,
        finance,
        days_ago=27,
        category=Category.CONSUMABLES,
        amount="3200",
        payee="Phantom Lab Supplies",
        description="QA phantoms",
        approver=boss,
    )
    _spend(
        ent,
        finance,
        days_ago=15,
        category=Category.STIPENDS,
        amount="1500",
        payee="Zhou Tao 周涛",
        description="Practice stipend",
        student=student2,
        approver=boss,
    )
    _spend(
        ent,
        finance,
        days_ago=3,
        category=Category.STIPENDS,
        amount="1500",
        payee="Huang Xin 黄欣",
        description="Practice stipend",
        student=student,
        approver=boss,
    )
    for days_ago, amount in ((14, "1800"), (10, "2100"), (6, "1600")):  # a split purchase: 5,500 > 5,000
        _spend(
            ent,
            finance,
            days_ago=days_ago,
            category=Category.EQUIPMENT,
            amount=amount,
            payee="Shenzhen Probe Parts Co.",
            description="Ultrasound probe parts 超声探头配件",
            approver=boss,
        )
    big = _spend(
        ent,
        finance,
        days_ago=4,
        category=Category.EQUIPMENT,
        amount="35000",
        payee="Huaxin Detector Tech",
        description="Flat-panel detector for the teaching CT",
    )
    # Beyond the coordinator's authority: refused, logged and flagged; it waits for the office.
    with contextlib.suppress(ValidationError):
        services.expenditure_approve(expenditure=big, by=boss)
    # The institute: its coordinator records; one entry still has no receipt after 20 days.
    lab = coordinators["BME-I"]
    _spend(
        inst,
        lab,
        days_ago=22,
        category=Category.EQUIPMENT,
        amount="12500",
        payee="Siemens Healthineers",
        description="MR coil service",
        receipt=False,
        approver=office,
    )
    _spend(
        inst,
        lab,
        days_ago=8,
        category=Category.TRAINING,
        amount="3000",
        payee="MR Physics Summer School",
        description="Course fees",
        approver=office,
    )
    _spend(
        inst,
        lab,
        days_ago=5,
        category=Category.STIPENDS,
        amount="1200",
        payee="Zhou Tao 周涛",
        description="Research assistant stipend",
        student=student2,
    )  # not placed at the institute
    services.flags_refresh(today=today)
