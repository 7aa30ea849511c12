"""Demo data for ``manage.py seed_demo``: every role's login, on a realistic joint programme.

Idempotent: every step looks rows up by their natural keys first, so running it again changes nothing.
Later issues add their own steps to ``STEPS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.db import transaction

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.models import Membership, MembershipRole, Partner, PartnerKind, Site
from partners.services import default_responsibilities

DEMO_PASSWORD = "tandem-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str


LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("office", "Wang Fang 王芳", "graduate office"),
    DemoLogin("coord-hospital", "Li Na 李娜", "coordinator, affiliated hospital"),
    DemoLogin("coord-enterprise", "Zhang Wei 张伟", "coordinator, imaging-equipment enterprise"),
    DemoLogin("sup-hospital", "Liu Yang 刘洋", "supervisor, hospital imaging department"),
    DemoLogin("sup-enterprise", "Chen Jing 陈静", "supervisor, enterprise R&D lab"),
    DemoLogin("sup-institute", "Yang Min 杨敏", "supervisor, research institute"),
    DemoLogin("coord-institute", "Sun Hao 孙浩", "coordinator, research institute"),
    DemoLogin("tutor", "Zhao Lei 赵磊", "academic tutor, university"),
    DemoLogin("student", "Huang Xin 黄欣", "student"),
    DemoLogin("student2", "Zhou Tao 周涛", "student"),
    DemoLogin("inspector", "Wu Qiang 吴强", "external inspector"),
    DemoLogin("counsellor", "Xu Li 徐丽", "counsellor"),
)

PARTNERS: tuple[tuple[str, str, PartnerKind, list[tuple[str, int]]], ...] = (
    # short name, name, kind, sites
    ("LMU", "Lead Medical University", PartnerKind.UNIVERSITY, [("School of Medical Imaging", 60)]),
    ("AH", "Affiliated Hospital of Lead Medical University", PartnerKind.HOSPITAL, [("Imaging Department", 12)]),
    ("IMG-E", "Huaxin Imaging Equipment Co.", PartnerKind.ENTERPRISE, [("CT R&D Lab", 6)]),
    ("BME-I", "Institute of Biomedical Engineering", PartnerKind.RESEARCH_INSTITUTE, [("MR Physics Lab", 4)]),
    ("GOV-H", "Provincial Health Commission", PartnerKind.GOVERNMENT, []),
    ("STSC", "Medical Technology Transfer Centre", PartnerKind.SERVICE_INTERMEDIARY, []),
    ("BANK", "City Commercial Bank, Science Branch", PartnerKind.FINANCIAL_INSTITUTION, []),
)

MEMBERSHIPS = (
    ("coord-hospital", "AH", MembershipRole.COORDINATOR),
    ("coord-enterprise", "IMG-E", MembershipRole.COORDINATOR),
    ("sup-hospital", "AH", MembershipRole.SUPERVISOR),
    ("sup-enterprise", "IMG-E", MembershipRole.SUPERVISOR),
    ("sup-institute", "BME-I", MembershipRole.SUPERVISOR),
    ("coord-institute", "BME-I", MembershipRole.COORDINATOR),
    ("tutor", "LMU", MembershipRole.TUTOR),
)

PLATFORM_ROLES = (
    ("office", PlatformRole.OFFICE),
    ("inspector", PlatformRole.INSPECTOR),
    ("counsellor", PlatformRole.COUNSELLOR),
)


def _users() -> dict[str, User]:
    users = {login.username: demo_user(login) for login in LOGINS}
    if not users["office"].is_staff:
        # Saved only when it changes: every save adds a row to the user's history.
        users["office"].is_staff = True
        users["office"].save(update_fields=["is_staff"])
    return users


def _partners() -> dict[str, Partner]:
    partners = {}
    for short_name, name, kind, sites in PARTNERS:
        partner, _created = Partner.objects.get_or_create(
            short_name=short_name,
            defaults={
                "name": name,
                "kind": kind,
                "responsibilities": default_responsibilities(kind),
                "contact_email": f"office@{short_name.lower()}.example",
            },
        )
        for site_name, capacity in sites:
            Site.objects.get_or_create(partner=partner, name=site_name, defaults={"capacity": capacity})
        partners[short_name] = partner
    return partners


def seed_foundation() -> None:
    """Partners, sites, users, memberships and platform roles."""
    users = _users()
    partners = _partners()
    for username, short_name, role in MEMBERSHIPS:
        if (
            not Membership.objects.active()
            .filter(user=users[username], partner=partners[short_name], role=role)
            .exists()
        ):
            Membership.objects.create(user=users[username], partner=partners[short_name], role=role)
    for username, platform_role in PLATFORM_ROLES:
        grant_platform_role(users[username], platform_role)


def seed_programmes_and_students() -> None:
    """The demo programme, then students whose plans span the partners (the training-plan issue)."""
    from programmes.demo import seed_programme
    from students.demo import seed_students

    seed_programme()
    seed_students()


def seed_practice_hours() -> None:
    """A month of practice hours for ``student`` (the practice-hours issue)."""
    from practice.demo import seed_practice_hours as seed

    seed()


def seed_supervision() -> None:
    """Checklists and an inspection at each stage: published, in progress, planned (the supervision issue)."""
    from supervision.demo import seed_supervision as seed

    seed()


STEPS: list[Callable[[], None]] = [
    seed_foundation,
    seed_programmes_and_students,
    seed_practice_hours,
    seed_supervision,
]

#: Apps whose ``<app>/demo.py`` offers ``seed()`` (and optionally ``DEMO_LOGINS``), run after ``STEPS`` in
#: this order (their floors): each app adds its own demo without editing this module.
APP_DEMOS = ("curriculum", "reviews", "funds", "integrity", "projects", "wellbeing", "quality")


def _app_demo(app: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{app}.demo")
    except ModuleNotFoundError as missing:
        if missing.name != f"{app}.demo":
            raise
        return None


def all_logins() -> tuple[DemoLogin, ...]:
    """Every demo login: the foundation's and those the apps' demos add (``DEMO_LOGINS``)."""
    extra = [login for app in APP_DEMOS for login in getattr(_app_demo(app), "DEMO_LOGINS", ())]
    return (*LOGINS, *extra)


def demo_user(login: DemoLogin) -> User:
    """The demo user of ``login``, created with the demo password on first use (apps' demos call this)."""
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={"full_name": login.full_name, "email": f"{login.username}@tandem.example"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_demo() -> None:
    """Run every demo step in one transaction, then each app's own demo."""
    for step in STEPS:
        step()
    for app in APP_DEMOS:
        module = _app_demo(app)
        if module is not None and hasattr(module, "seed"):
            module.seed()
