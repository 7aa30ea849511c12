"""Demo data for the projects app (``core.demo`` runs ``seed()`` after the base demo): a points scheme, one
large government-funded research project at the institute, five small projects (two entrepreneurial, one of
them a competition entry) concluded with verified outputs, so that ``student``'s points from small projects
together meet the programme's minimum, an output waiting for the office, and a board post from the
enterprise that ``student2`` has asked to join. The large project is paid from the institute's share of the
provincial training fund (``funds.demo``, which runs first) and its summer-school fees serve it (ADR 0038).

Idempotent: every project is looked up by its English title first. Everything goes through the services,
dated in the past where the story needs it (a scheme from 2024, conclusions in 2026).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import User
from funds.models import Allocation, Expenditure
from partners.models import Partner
from programmes.demo import PROGRAMME_CODE
from programmes.models import Programme
from projects import services
from projects.models import JoinRequest, PointsScheme, Project
from projects.services import board, points

SCHEME_FROM = datetime.date(2024, 1, 1)
PROJECT_POINTS = {
    "small": {"leader": "3", "core": "2", "participant": "2"},
    "medium": {"leader": "6", "core": "5", "participant": "4"},
    "large": {"leader": "12", "core": "10", "participant": "10"},
}
OUTPUT_POINTS = {
    "paper": "3",
    "patent": "5",
    "software_copyright": "2",
    "prototype": "2",
    "evaluation": "2",
    "award": "3",
    "venture": "4",
    "transfer_contract": "4",
}

#: title (en), title (zh), kind, lead partner, leader, start, months, budget, output (type, title, reference)
SMALL_PROJECTS = (
    (
        "Chest X-ray triage app",
        "胸片智能分诊应用",
        "venture",
        "IMG-E",
        "sup-enterprise",
        datetime.date(2025, 10, 1),
        6,
        "50000",
        ("venture", "Xinying Health Technology Ltd. registered", "Business licence 91330100MA2K"),
    ),
    (
        "Portable ultrasound: Internet+ innovation competition",
        "便携式超声“互联网+”创新大赛参赛项目",
        "competition",
        "LMU",
        "tutor",
        datetime.date(2025, 11, 1),
        5,
        "20000",
        ("award", "Provincial silver award, Internet+ competition", "Certificate 2026-ZJ-0412"),
    ),
    (
        "Paediatric CT dose audit",
        "儿童CT剂量审核",
        "research_commissioned",
        "AH",
        "sup-hospital",
        datetime.date(2025, 12, 1),
        4,
        "30000",
        ("evaluation", "Dose audit report, 1,200 paediatric scans", "AH-QA-2026-07"),
    ),
    (
        "Detector calibration toolkit",
        "探测器校准工具包",
        "research_commissioned",
        "IMG-E",
        "sup-enterprise",
        datetime.date(2026, 1, 1),
        4,
        "40000",
        ("software_copyright", "Calibration toolkit V1.0", "Software copyright 2026SR0123456"),
    ),
    (
        "MR protocol optimisation for knee imaging",
        "膝关节MR扫描方案优化",
        "research_commissioned",
        "AH",
        "sup-hospital",
        datetime.date(2026, 2, 1),
        5,
        "25000",
        ("paper", "Faster knee MR without loss of diagnostic quality", "doi:10.1000/demo.knee.2026"),
    ),
)
LARGE_TITLE = "Low-dose photon-counting CT reconstruction"
BOARD_TITLE = "Edge AI for CT dose monitoring"


def _end(start: datetime.date, months: int) -> datetime.date:
    return start + datetime.timedelta(days=round(months * 30.4375) - 1)


def _scheme(programme: Programme, office: User) -> PointsScheme:
    existing = PointsScheme.objects.filter(programme=programme).order_by("version").first()
    return existing or points.scheme_create(
        programme=programme,
        valid_from=SCHEME_FROM,
        project_points=PROJECT_POINTS,
        output_points=OUTPUT_POINTS,
        notes="Small projects accumulate without a cap: five small projects weigh what one large one does.",
        by=office,
        today=SCHEME_FROM,
    )


def _fund_large(office: User) -> None:
    """The large project is paid from the institute's provincial allocation; its course fees serve it."""
    from funds.demo import PROVINCIAL

    large = Project.objects.get(title_en=LARGE_TITLE)
    allocation = Allocation.objects.filter(fund__name=PROVINCIAL, partner=large.lead_partner).first()
    if allocation is None or large.fund_allocation_id is not None:
        return
    large = services.project_allocation_set(project=large, allocation=allocation, by=office)
    fees = Expenditure.objects.filter(allocation=allocation, payee="MR Physics Summer School").first()
    if fees is not None:
        services.project_expenditure_link(project=large, expenditure=fees, by=office)


def seed() -> None:
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "office", "tutor", "student", "student2", "sup-institute", "sup-enterprise", "sup-hospital",
        "coord-enterprise",
    ])}  # fmt: skip
    partners = {
        p.short_name: p for p in Partner.objects.filter(short_name__in=["LMU", "AH", "IMG-E", "BME-I", "GOV-H"])
    }
    office = users["office"]
    _scheme(programme, office)
    if not Project.objects.filter(title_en=LARGE_TITLE).exists():
        large = services.project_create(
            by=office,
            programme=programme,
            title_en=LARGE_TITLE,
            title_zh="低剂量光子计数CT重建",
            kind="research_government",
            lead_partner=partners["BME-I"],
            partners=[partners["LMU"], partners["GOV-H"]],
            leader=users["sup-institute"],
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2027, 12, 31),
            budget=Decimal("3000000"),
            funding_reference="Provincial Key R&D Programme 2025-ZD-017",
            description="Iterative reconstruction for photon-counting detectors at a quarter of today's dose.",
        )
        services.project_member_add(project=large, user=users["tutor"], role="core", by=office)
        services.project_member_add(project=large, user=users["student2"], role="participant", by=office)
        large = services.project_approve(project=large, by=office)
        large = services.project_start(project=large, by=office)
        patent = services.output_submit(
            project=large,
            output_type="patent",
            title="Photon-counting detector pile-up correction",
            reference="Patent ZL 2026 1 0123456.7",
            achieved_on=datetime.date(2026, 6, 1),
            by=users["sup-institute"],
        )
        services.output_verify(output=patent, note="Certificate checked.", by=office, on=datetime.date(2026, 6, 30))
        services.output_submit(
            project=large,
            output_type="paper",
            title="Spectral CT denoising with learned priors",
            reference="doi:10.1000/demo.pcct.2026",
            achieved_on=datetime.date(2026, 11, 1),
            by=users["sup-institute"],
        )
    _fund_large(office)
    for title_en, title_zh, kind, lead, leader, start, months, budget, made in SMALL_PROJECTS:
        if Project.objects.filter(title_en=title_en).exists():
            continue
        project = services.project_create(
            by=office,
            programme=programme,
            title_en=title_en,
            title_zh=title_zh,
            kind=kind,
            lead_partner=partners[lead],
            leader=users[leader],
            start_date=start,
            end_date=_end(start, months),
            budget=Decimal(budget),
        )
        services.project_member_add(project=project, user=users["student"], role="participant", by=office)
        project = services.project_approve(project=project, by=office)
        project = services.project_start(project=project, by=office)
        output_type, output_title, reference = made
        finished = _end(start, months)
        output = services.output_submit(
            project=project,
            output_type=output_type,
            title=output_title,
            reference=reference,
            achieved_on=finished,
            by=users[leader],
        )
        services.output_verify(output=output, note="Evidence checked.", by=office, on=finished)
        services.project_conclude(project=project, by=office, on=finished)
    if not Project.objects.filter(title_en=BOARD_TITLE).exists():
        venture = services.project_create(
            by=users["coord-enterprise"],
            programme=programme,
            title_en=BOARD_TITLE,
            title_zh="CT剂量监测边缘智能",
            kind="venture",
            lead_partner=partners["IMG-E"],
            leader=users["sup-enterprise"],
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 6, 30),
            budget=Decimal("80000"),
        )
        venture = services.project_approve(project=venture, by=office)
        venture = services.project_start(project=venture, by=users["sup-enterprise"])
        post = board.post_create(
            project=venture,
            places=2,
            skills_wanted="Python, DICOM, embedded Linux",
            pitch="Build a dose-monitoring box that sits beside the scanner and flags outliers in real time.",
            by=users["coord-enterprise"],
        )
        if not JoinRequest.objects.filter(post=post, student=users["student2"]).exists():
            board.join_request_create(
                post=post,
                message="I wrote our lab's DICOM parser and would love to work on this.",
                by=users["student2"],
            )
