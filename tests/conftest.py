"""Personas shared by every test: the people of architecture.md, at two partners.

``world`` builds partner A (a hospital), partner B (an enterprise) and the university, with a site each,
and one user per persona. Tests ask for a persona by name (``office``, ``coordinator_a``, ...) or for
``personas``: every persona, anonymous included, for the access matrix.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.models import MembershipRole, Partner, PartnerKind, Site
from programmes.models import Programme
from students.models import Placement, Student
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory
from tests.factories.programmes import (
    AgreementFactory,
    AgreementPartyFactory,
    CohortFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.students import MilestoneFactory, PlacementFactory, StudentFactory, TrainingPlanFactory

#: A flushing test never runs before one that needs the migrated rows (checked after every reordering).
pytest_plugins = ["tests.ordering"]

PERSONAS = (
    "office",
    "coordinator_a",
    "supervisor_a",
    "coordinator_b",
    "supervisor_b",
    "tutor",
    "student_a",
    "student_b",
    "inspector",
    "counsellor",
    "anonymous",
)


#: Where SQLite and the filesystem broker (``make run``'s defaults) behave differently from PostgreSQL and
#: Redis, these tests also run on them in CI (README, "Which tests run where"): the broker, the worker, the
#: health check, the demo that ``make run`` loads, settings, PDFs' fonts; browser journeys and real-worker
#: tests (marked ``browser`` and ``worker``); and tests whose names say they check database behaviour.
EMBEDDED_MODULES = {
    "tests/core/test_healthz.py",
    "tests/core/test_worker.py",
    "tests/core/test_test_broker.py",
    "tests/core/test_demo.py",
    "tests/core/test_pdf_fonts.py",
    "tests/practice/test_demo.py",
    "tests/funds/test_demo.py",
    "tests/quality/test_demo.py",
    "tests/config/test_env.py",
}
#: Browser tests of markup and style only (axe-core, a phone's width, wrapping, the API docs' page): the
#: database under them makes no difference, so they run once, in the PostgreSQL run, to keep CI in budget.
MARKUP_ONLY_BROWSER_MODULES = {
    "tests/browser/test_accessibility.py",
    "tests/browser/test_phone.py",
    "tests/browser/test_api_docs.py",
    "tests/browser/test_axe_watch.py",
    "tests/browser/test_long_words.py",
    "tests/browser/test_wide_tables.py",
    "tests/browser/test_character_counter.py",
}
EMBEDDED_NAMES = re.compile(
    r"concurren|race|lock|constraint|integrity|twice|idempot|atomic|rollback|all_or_nothing|partial|unique"
)
#: A test module whose text names PostgreSQL, reads query plans (``EXPLAIN``) or runs the bench (whose loaders
#: write PostgreSQL's SQL) also runs on SQLite in CI: what it does there is skip, and its skips are what keep
#: ``make test`` green on a fresh machine. Twice a test that needed PostgreSQL without saying so failed only
#: there, while CI's PostgreSQL run passed (sessions 16 and 17).
VENDOR_WORDS = re.compile(r"postgres|\bEXPLAIN\b|\bbench\b", re.IGNORECASE)
TESTS_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _names_a_vendor(path: str) -> bool:
    """Whether the test module at ``path`` mentions what ``VENDOR_WORDS`` looks for (read once a run)."""
    return bool(VENDOR_WORDS.search(Path(path).read_text(encoding="utf-8")))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that run on both configurations ``embedded`` (see ``EMBEDDED_MODULES``)."""
    for item in items:
        module = Path(str(item.path)).resolve().relative_to(TESTS_ROOT).as_posix()
        if (
            module in EMBEDDED_MODULES
            or (module not in MARKUP_ONLY_BROWSER_MODULES and _names_a_vendor(str(item.path)))
            or (module.startswith("tests/browser/") and module not in MARKUP_ONLY_BROWSER_MODULES)
            or item.get_closest_marker("worker") is not None
            # The function's own name: a parameter (a route such as "integrity:report") says nothing of it.
            or EMBEDDED_NAMES.search(getattr(item, "originalname", item.name))
        ):
            item.add_marker(pytest.mark.embedded)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The run's own broker folders (config/settings/test.py): the filesystem transport needs them first."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for name in ("data_folder_in", "control_folder", "processed_folder"):
        if options.get(name):
            Path(options[name]).mkdir(parents=True, exist_ok=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave the broker as the run found it: this run's queue folder or Redis keys go (tests/workers.py)."""
    from tests.workers import forget_test_broker

    forget_test_broker()


UNANSWERING_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
"""``CACHES`` for a cache that does not answer (a Redis outage): what is kept in the cache must cost the work,
never the page."""


@dataclass
class World:
    partner_a: Partner
    partner_b: Partner
    university: Partner
    site_a: Site
    site_b: Site
    programme: Programme
    student_a: Student
    student_b: Student
    placement_a: Placement
    placement_b: Placement
    users: dict[str, User | None] = field(default_factory=dict)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def build_world() -> World:
    """The two partners, the university and one user per persona (the ``world`` fixture's data), built in
    the open transaction: the access matrix builds it once per route and rolls it back (tests/access)."""
    university = PartnerFactory.create(name="Lead University", short_name="UNI", kind=PartnerKind.UNIVERSITY)
    partner_a = PartnerFactory.create(name="Hospital A", short_name="HOSP-A", kind=PartnerKind.HOSPITAL)
    partner_b = PartnerFactory.create(name="Enterprise B", short_name="ENT-B", kind=PartnerKind.ENTERPRISE)
    site_a = SiteFactory.create(partner=partner_a, name="Imaging A")
    site_b = SiteFactory.create(partner=partner_b, name="Lab B")
    users: dict[str, User | None] = {
        name: UserFactory.create(username=name) for name in PERSONAS if name != "anonymous"
    }
    users["anonymous"] = None
    grant_platform_role(users["office"], PlatformRole.OFFICE)  # type: ignore[arg-type]
    grant_platform_role(users["inspector"], PlatformRole.INSPECTOR)  # type: ignore[arg-type]
    grant_platform_role(users["counsellor"], PlatformRole.COUNSELLOR)  # type: ignore[arg-type]
    MembershipFactory.create(user=users["coordinator_a"], partner=partner_a, role=MembershipRole.COORDINATOR)
    MembershipFactory.create(user=users["supervisor_a"], partner=partner_a, role=MembershipRole.SUPERVISOR)
    MembershipFactory.create(user=users["coordinator_b"], partner=partner_b, role=MembershipRole.COORDINATOR)
    MembershipFactory.create(user=users["supervisor_b"], partner=partner_b, role=MembershipRole.SUPERVISOR)
    MembershipFactory.create(user=users["tutor"], partner=university, role=MembershipRole.TUTOR)
    # One programme led by the university, with A and B taking part under a signed agreement.
    programme = ProgrammeFactory.create(lead_university=university, code="mit")
    cohort = CohortFactory.create(programme=programme, intake_year=2026)
    agreement = AgreementFactory.create(programme=programme, created_by=users["office"])
    for partner in (university, partner_a, partner_b):
        ParticipationFactory.create(programme=programme, partner=partner)
        AgreementPartyFactory.create(agreement=agreement, partner=partner)
    # Student A: tutored by the tutor, placed at A under supervisor A. Student B: placed at B.
    student_a = StudentFactory.create(user=users["student_a"], programme=programme, cohort=cohort, tutor=users["tutor"])
    student_b = StudentFactory.create(user=users["student_b"], programme=programme, cohort=cohort)
    placements = []
    for student, partner, site, supervisor in (
        (student_a, partner_a, site_a, users["supervisor_a"]),
        (student_b, partner_b, site_b, users["supervisor_b"]),
    ):
        TrainingPlanFactory.create(student=student)
        MilestoneFactory.create(student=student)
        placements.append(PlacementFactory.create(student=student, partner=partner, site=site, supervisor=supervisor))
    return World(
        partner_a,
        partner_b,
        university,
        site_a,
        site_b,
        programme,
        student_a,
        student_b,
        placements[0],
        placements[1],
        users,
    )


def _persona(name: str) -> Any:
    @pytest.fixture
    def fixture(world: World) -> User | None:
        return world.users[name]

    fixture.__name__ = name
    return fixture


for _name in PERSONAS:
    globals()[_name] = _persona(_name)


def client_for(user: User | None) -> Client:
    """A browser client logged in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client_for(user: User | None) -> APIClient:
    """An API client authenticated as ``user`` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


#: The local date when the tests were collected (modules take ``TODAY = timezone.localdate()`` then).
COLLECTED_ON = timezone.localdate()


@pytest.fixture(autouse=True)
def _today_of_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Modules that took the real date as ``TODAY`` (and ``YESTERDAY``) at import get them again for each
    test: a run that crosses midnight (Asia/Shanghai, 16:00 UTC) must not compare the day it was collected
    on with the day the pages see. Modules with a fixed ``TODAY`` keep it."""
    module = request.module
    if getattr(module, "TODAY", None) == COLLECTED_ON:
        today = timezone.localdate()
        monkeypatch.setattr(module, "TODAY", today)
        if isinstance(getattr(module, "YESTERDAY", None), datetime.date):
            monkeypatch.setattr(module, "YESTERDAY", today - datetime.timedelta(days=1))


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language. Django's ``LocaleMiddleware`` activates each
    request's language on the thread and leaves it there, so a test that came after a request in Chinese,
    in the same parallel worker, read Chinese where it expected English (the quality report's chart text,
    "300 小时", seen once in a run whose tests the workers shared out differently)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
