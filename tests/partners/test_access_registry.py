"""The access engine's registry: every app registers its own rules; nothing unregistered is reachable.

Also holds the floors: ``partners`` (the engine and the ground floor) imports no higher app, and each
app's ``access.py`` imports only apps below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from accounts.models import User
from accounts.roles import AnyUser
from core.models import AccessDenial
from partners import access
from partners.access import ALL, NONE, NoAccessRule, Registry, Rule
from partners.models import Membership, Partner, Site
from programmes.models import Programme
from students.models import Placement
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]

# Apps stand in floors; each imports only apps on a lower floor (or its own).
FLOORS: dict[str, int] = {
    "accounts": 0,
    "core": 0,
    "partners": 0,
    "programmes": 1,
    "students": 2,
    "practice": 3,
    "supervision": 4,
}
UPPER_APPS = frozenset(app for app, floor in FLOORS.items() if floor > 0) | {"curriculum", "wellbeing"}


# --- Refusal -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unregistered_model_is_refused_naming_model_and_action(office: User) -> None:
    with pytest.raises(NoAccessRule, match=r"AccessDenial\.view"):
        access.scope(AccessDenial.objects.all(), office, "view")
    with pytest.raises(NoAccessRule, match=r"AccessDenial\.change"):
        access.can(office, "change", AccessDenial)
    with pytest.raises(NoAccessRule, match=r"AccessDenial\.delete"):
        access.require(office, "delete", AccessDenial)


@pytest.mark.django_db
def test_unregistered_model_is_refused_for_anonymous_too() -> None:
    # Never silently "nothing" (nor "everything"): a missing rule is a programming error for everybody.
    with pytest.raises(NoAccessRule, match=r"AccessDenial\.view"):
        access.scope(AccessDenial.objects.all(), AnonymousUser())


@pytest.mark.django_db
def test_registered_model_with_unknown_action_is_refused(office: User, world: World) -> None:
    with pytest.raises(NoAccessRule, match=r"Site\.teleport"):
        access.scope(Site.objects.all(), office, "teleport")
    with pytest.raises(NoAccessRule, match=r"Partner\.teleport"):
        access.can(office, "teleport", world.partner_a)
    with pytest.raises(NoAccessRule, match=r"Partner\.teleport"):
        access.can(office, "teleport", Partner)


def test_no_access_rule_is_a_value_error() -> None:
    assert issubclass(NoAccessRule, ValueError)


# --- Registration semantics (on a registry of their own, so the real one is untouched) ---------------


def _fixed(rule: Rule) -> access.RuleFn:
    def rule_fn(user: AnyUser, path: str) -> Rule:
        return rule

    return rule_fn


@pytest.mark.django_db
def test_register_gives_a_model_its_actions(office: User) -> None:
    registry = Registry()
    registry.register(Partner, {"view": _fixed(ALL)})

    assert registry.actions(Partner) == {"view"}
    assert registry.actions(Site) == frozenset()
    assert registry.rule(office, "view", Partner) is ALL
    with pytest.raises(NoAccessRule, match=r"Site\.view"):
        registry.rule(office, "view", Site)


@pytest.mark.django_db
def test_a_higher_app_may_register_a_new_action_on_a_lower_model(office: User) -> None:
    registry = Registry()
    registry.register(Site, {"view": _fixed(ALL)})
    registry.register(Site, {"choose": _fixed(NONE)})

    assert registry.actions(Site) == {"view", "choose"}
    assert registry.rule(office, "choose", Site) is NONE


def test_registering_an_action_twice_is_an_error() -> None:
    registry = Registry()
    view = _fixed(ALL)
    registry.register(Partner, {"view": view})
    registry.register(Partner, {"view": view})  # the same rule again (a module imported twice): harmless

    with pytest.raises(ImproperlyConfigured, match=r"Partner\.view already has a rule"):
        registry.register(Partner, {"view": _fixed(NONE)})
    assert registry.rule(User(pk=1), "view", Partner) is ALL


def test_extend_answers_the_union() -> None:
    registry = Registry()
    registry.register(Programme, {"view": _fixed(Rule(q=Q(pk=1)))})
    registry.extend(Programme, "view", _fixed(Rule(q=Q(pk=2))))

    rule = registry.rule(User(pk=1), "view", Programme)

    assert rule.q == Q(pk=1) | Q(pk=2)


def test_extend_does_not_depend_on_registration_order() -> None:
    registry = Registry()
    registry.extend(Programme, "view", _fixed(Rule(q=Q(pk=2))))
    registry.register(Programme, {"view": _fixed(NONE)})

    assert registry.rule(User(pk=1), "view", Programme) == Rule(q=Q(pk=2))


def test_extension_is_not_asked_once_the_rule_reaches_everything() -> None:
    registry = Registry()
    asked: list[str] = []

    def extra(user: AnyUser, path: str) -> Rule:
        asked.append(path)
        return NONE

    registry.register(Programme, {"view": _fixed(ALL)})
    registry.extend(Programme, "view", extra)

    assert registry.rule(User(pk=1), "view", Programme) is ALL
    assert asked == []


def test_extending_an_action_nobody_registered_is_still_refused() -> None:
    registry = Registry()
    registry.extend(Programme, "teleport", _fixed(ALL))

    with pytest.raises(NoAccessRule, match=r"Programme\.teleport"):
        registry.rule(User(pk=1), "teleport", Programme)


def test_rules_are_not_asked_for_anonymous_or_inactive_users() -> None:
    registry = Registry()
    registry.register(Partner, {"view": _fixed(ALL)})

    assert registry.rule(AnonymousUser(), "view", Partner) is NONE
    assert registry.rule(User(pk=1, is_active=False), "view", Partner) is NONE


# --- What the apps register at start-up ----------------------------------------------------------------


def test_higher_apps_add_their_actions_to_lower_models() -> None:
    assert {"choose"} <= access.registered_actions(Site)  # students: a plan's sites
    assert {"choose"} <= access.registered_actions(Membership)  # students: a plan's supervisors
    assert {"view_scorecard"} <= access.registered_actions(Partner)  # supervision
    assert {"log"} <= access.registered_actions(Placement)  # practice
    assert {"reopen_month", "set_practice_rules"} <= access.registered_actions(Programme)  # practice


@pytest.mark.django_db
def test_students_widen_programme_view_to_a_students_own(world: World, student_a: User) -> None:
    # Programmes knows nothing of students; the students app extends the rule.
    assert access.can(student_a, "view", world.programme)
    assert access.scope(Programme.objects.all(), student_a).get() == world.programme


# --- Floors ------------------------------------------------------------------------------------------


def _imported_apps(path: Path) -> set[str]:
    """The top-level packages ``path`` imports (at any depth in the module, lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_partners_imports_no_higher_app() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_apps(path) & UPPER_APPS)
        for path in sorted((ROOT / "partners").rglob("*.py"))
        if _imported_apps(path) & UPPER_APPS
    }

    assert offenders == {}


@pytest.mark.parametrize("app", [app for app in FLOORS if (ROOT / app / "access.py").exists()])
def test_each_apps_rules_import_only_apps_below_it(app: str) -> None:
    imported = _imported_apps(ROOT / app / "access.py") & set(FLOORS)

    assert {other for other in imported if FLOORS[other] > FLOORS[app]} == set()
