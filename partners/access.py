"""Tandem's permission engine: the one interface that decides who may see and do what.

Three functions make the whole interface:

* ``scope(qs, user, action)`` narrows a queryset to the rows the user may act on;
* ``can(user, action, obj)`` answers for one row (or, given a model class, for creating one);
* ``require(user, action, obj)`` raises ``PermissionDenied`` and records the denial.

How a rule is built: every scoped model names its path to a partner once (``access_partner_path``,
or ``access_student_path`` for a student's records). A rule is either "everything", "nothing" or a
``Q`` that filters that path by a subquery over the user's memberships in force (an indexed join, so a
supervisor's list costs what anybody's does), merged with django-guardian object grants that have not
yet expired. Callers never see two mechanisms.

Where the rules live: each app keeps the rules of its own models in its own ``access.py`` and
registers them when Django starts (its ``AppConfig.ready()`` imports the module):

* ``register(model, {"view": fn, ...})`` gives a model its actions; an action has one rule, and a
  second registration of the same action is an error;
* ``extend(model, action, fn)`` lets a higher app widen a lower model's rule (the result is the union),
  without the lower app importing the higher one; a higher app may also ``register`` a new action on a
  lower model.

This module holds the engine, the building blocks the apps' rules are made of, and the rules of the
ground floor: partners, sites, memberships, status changes (and core's notifications). A model or
action nobody registered is refused with ``NoAccessRule``: nothing falls through to "everything".

Platform roles (office, inspector, counsellor) are groups, read once per user object: ``is_office``,
``is_inspector`` (and ``is_tutor``, a membership) answer for one user, ``users_with_platform_role`` lists
who holds a role (``accounts.roles`` reads the groups; nothing else queries them). See
``docs/permissions.md`` for the matrix these rules implement (``tests/access`` holds them to it) and
``docs/decisions/0008-access-rules-per-app.md`` for the layout.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connections, models
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, F, Func, Lookup, Q, QuerySet, Subquery
from django.db.models.sql.where import AND, WhereNode
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.roles import AnyUser, PlatformRole, platform_roles
from accounts.roles import users_with_platform_role as users_with_platform_role  # offered to the apps
from core.compiled import Compiled, CompiledSubquery, marker
from core.models import Notification
from partners.models import (
    Membership,
    MembershipRole,
    Partner,
    PartnerStatusChange,
    PartnerUserObjectPermission,
    Site,
    in_force_q,
)

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

logger = logging.getLogger("tandem.access")

M = TypeVar("M", bound=models.Model)

_PARTNER_ID = models.BigIntegerField()


@dataclass(frozen=True)
class Rule:
    """What a user may reach for one model and action: all rows, none, or those matching ``q``."""

    q: Q | None
    everything: bool = False

    @property
    def nothing(self) -> bool:
        """Whether the rule reaches no row at all."""
        return not self.everything and self.q is None


ALL = Rule(q=None, everything=True)
NONE = Rule(q=None)

RuleFn = Callable[[AnyUser, str], Rule]
"""A rule: given a signed-in, active user and the model's path (its ``access_student_path`` or
``access_partner_path``), what that user may reach."""


def any_of(*rules: Rule) -> Rule:
    """The union of several rules (a person holding several roles gets all of them)."""
    if any(rule.everything for rule in rules):
        return ALL
    qs = [rule.q for rule in rules if rule.q is not None]
    if not qs:
        return NONE
    combined = qs[0]
    for extra in qs[1:]:
        combined |= extra
    return Rule(q=combined)


# --- Registration -------------------------------------------------------------------------------------


class NoAccessRule(ValueError):
    """Raised when a model, or one of its actions, has no registered rule: access is refused, loudly."""


class Registry:
    """Which rule answers each model and action.

    ``register`` gives a model actions (one rule per action); ``extend`` adds a rule to an action's
    union, so a higher app can widen a lower model's rule. Extensions are kept apart from the rule they
    widen and joined only when a rule is asked for, so the order in which apps register does not matter.
    """

    def __init__(self) -> None:
        self._rules: dict[type[models.Model], dict[str, RuleFn]] = {}
        self._extensions: dict[type[models.Model], dict[str, list[RuleFn]]] = {}

    def register(self, model: type[models.Model], rules: Mapping[str, RuleFn]) -> None:
        """Give ``model`` these actions. An action already answered by another rule is an error."""
        actions = self._rules.setdefault(model, {})
        for action, rule_fn in rules.items():
            existing = actions.get(action)
            if existing is not None and existing is not rule_fn:
                raise ImproperlyConfigured(
                    f"{model.__name__}.{action} already has a rule ({existing.__module__}.{existing.__qualname__}); "
                    "use extend() to widen it."
                )
        actions.update(rules)

    def extend(self, model: type[models.Model], action: str, rule_fn: RuleFn) -> None:
        """Widen ``model``'s ``action``: it reaches the union of its rule and ``rule_fn``."""
        extensions = self._extensions.setdefault(model, {}).setdefault(action, [])
        if rule_fn not in extensions:
            extensions.append(rule_fn)

    def actions(self, model: type[models.Model]) -> frozenset[str]:
        """The actions registered for ``model`` (none if it has no rules)."""
        return frozenset(self._rules.get(model, {}))

    def rule(self, user: AnyUser, action: str, model: type[models.Model]) -> Rule:
        """What ``user`` may reach of ``model`` with ``action``; ``NoAccessRule`` if nobody registered it."""
        try:
            rule_fn = self._rules[model][action]
        except KeyError:
            raise NoAccessRule(
                f"No access rule for {model.__name__}.{action}; register one in "
                f"{model._meta.app_label}/access.py (partners.access.register)."
            ) from None
        if not user.is_authenticated or not user.is_active:
            return NONE
        path = str(getattr(model, "access_student_path", None) or getattr(model, "access_partner_path", ""))
        rule = rule_fn(user, path)
        for extra in self._extensions.get(model, {}).get(action, ()):
            if rule.everything:
                break
            rule = any_of(rule, extra(user, path))
        return rule


_registry = Registry()


def register(model: type[models.Model], rules: Mapping[str, RuleFn]) -> None:
    """Give ``model`` these actions, each answered by its rule (see ``Registry.register``)."""
    _registry.register(model, rules)
    forget()


def extend(model: type[models.Model], action: str, rule_fn: RuleFn) -> None:
    """Widen ``model``'s ``action`` with ``rule_fn``: the union of both (see ``Registry.extend``)."""
    _registry.extend(model, action, rule_fn)
    forget()


def registered_actions(model: type[models.Model]) -> frozenset[str]:
    """The actions ``model`` has rules for."""
    return _registry.actions(model)


# --- What one user's rules came to, kept on the user object ----------------------------------------------
# A page asks the engine 20 to 40 times (its lists, its buttons, the navigation's counts), mostly the same
# few (user, action, model) triples. Building a rule means running its function (Python decisions such
# as "is this user a tutor?", one query each) and building its ``Q`` of nested querysets; applying it as a
# UNION means building one queryset per alternative and compiling them to SQL. None of that depends on
# anything but the user, the rule and the database's contents, so the answers are kept on the user object
# (which lives for one request) and thrown away whenever they could be stale:
#
# * on **any write** through Django's connections (an execute wrapper sees every INSERT, UPDATE, DELETE:
#   ``save()``, ``update()``, ``bulk_create``, raw SQL), since a rule's Python decisions and the times it
#   embeds ("memberships in force now") may depend on what was written;
# * when rules are registered or extended, and on ``forget()``;
# * after ``MEMO_SECONDS``, so a user object held longer than a request (a shell, a task) never uses a
#   rule whose "now" is older than that.
#
# The SQL the rules produce is unchanged: the same conditions, evaluated by PostgreSQL when the query runs.

MEMO_SECONDS = 30.0
"""How long one user object may reuse its rules (a request takes far less)."""

_MEMO_ATTR = "_tandem_access_memo"
_generation = 0
_READ_STATEMENTS = ("SELECT", "EXPLAIN", "SAVEPOINT", "RELEASE", "SHOW", "SET")


@dataclass
class _Memo:
    """One user object's rules (by model and action) and compiled scopes (by model, action and database)."""

    generation: int
    born: float
    rules: dict[tuple[type[models.Model], str], Rule] = field(default_factory=dict)
    unions: dict[tuple[type[models.Model], str, str], tuple[str, tuple[Any, ...]]] = field(default_factory=dict)


def forget() -> None:
    """Drop every user object's remembered rules: the next question builds them again."""
    global _generation
    _generation += 1


def _memo(user: AnyUser) -> _Memo:
    memo: _Memo | None = getattr(user, _MEMO_ATTR, None)
    now = time.monotonic()
    if memo is None or memo.generation != _generation or now - memo.born > MEMO_SECONDS:
        memo = _Memo(generation=_generation, born=now)
        setattr(user, _MEMO_ATTR, memo)
    return memo


def _forget_on_write(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
    """Execute wrapper: a statement that may write makes every remembered rule stale."""
    if not isinstance(sql, str) or not sql.lstrip()[:9].upper().startswith(_READ_STATEMENTS):
        forget()
    return execute(sql, params, many, context)


def _watch_writes(connection: Any, **kwargs: Any) -> None:
    if _forget_on_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_forget_on_write)


connection_created.connect(_watch_writes, dispatch_uid="partners.access.watch_writes")
for _connection in connections.all(initialized_only=True):
    _watch_writes(_connection)


def _rule(user: AnyUser, action: str, model: type[models.Model]) -> Rule:
    if not user.is_authenticated or not user.is_active:
        return _registry.rule(user, action, model)  # NONE (or NoAccessRule), never remembered
    memo = _memo(user)
    rule = memo.rules.get((model, action))
    if rule is None:
        rule = memo.rules[(model, action)] = _registry.rule(user, action, model)
    return rule


# --- Building blocks ---------------------------------------------------------------------------------
# The pieces every app's rules are made of. Rules run only for signed-in, active users: the engine
# answers NONE for the others before a rule is called.

MANAGERS: tuple[str, ...] = (MembershipRole.COORDINATOR,)
"""Roles that manage a partner's own data (and see what is placed at it)."""

ANY_ROLE: tuple[str, ...] = tuple(MembershipRole.values)
"""Every membership role."""


def user_pk(user: AnyUser) -> int:
    """The signed-in user's primary key (rules never run for anonymous users)."""
    if user.pk is None:
        raise ValueError("access rules need a signed-in user")
    return int(user.pk)


# The two subqueries nearly every rule holds ("partners where the user is a member", "partners the user
# holds a grant on") are compiled once per process (``core.compiled``): the same SQL as the querysets,
# with the user, today and now filled in at each use.
_MEMBER_PARTNERS: dict[tuple[str, ...] | None, Compiled] = {}
_GRANTED_PARTNERS: dict[str, Compiled] = {}


def _member_partners_query(roles: tuple[str, ...] | None) -> Compiled:
    compiled = _MEMBER_PARTNERS.get(roles)
    if compiled is None:

        def build(user: int, today: datetime.date, now: datetime.datetime) -> QuerySet[Any]:
            memberships = Membership.objects.filter(in_force_q(today=today, now=now)).filter(user__pk=user)
            if roles is not None:
                memberships = memberships.filter(role__in=roles)
            return memberships.order_by().values("partner_id")

        compiled = _MEMBER_PARTNERS[roles] = Compiled(build, user=int, today=datetime.date, now=datetime.datetime)
    return compiled


def _granted_partners_query(codename: str) -> Compiled:
    compiled = _GRANTED_PARTNERS.get(codename)
    if compiled is None:

        def build(user: int, now: datetime.datetime) -> QuerySet[Any]:
            return (
                PartnerUserObjectPermission.objects.filter(
                    user__pk=user, permission__codename=codename, valid_until__gt=now
                )
                .order_by()
                .values("content_object_id")
            )

        compiled = _GRANTED_PARTNERS[codename] = Compiled(build, user=int, now=datetime.datetime)
    return compiled


def member_partners(user: AnyUser, roles: tuple[str, ...] | None = None) -> CompiledSubquery:
    """Subquery: ids of the partners where the user holds a membership in force (optionally of these roles)."""
    return member_partners_of(user_pk(user), roles, today=timezone.localdate(), now=timezone.now())


def member_partners_of(
    user_id: int, roles: tuple[str, ...] | None, *, today: datetime.date, now: datetime.datetime
) -> CompiledSubquery:
    """``member_partners`` with its values given: for an app's own compiled subquery that nests it."""
    return _member_partners_query(roles).subquery(_PARTNER_ID, user=user_id, today=today, now=now)


def is_active_member(user: AnyUser, roles: tuple[str, ...]) -> bool:
    """Whether the user holds a membership in force, of one of these roles, at any partner."""
    return Membership.objects.active().filter(user__pk=user_pk(user), role__in=roles).exists()


def granted_partners(user: AnyUser, codename: str = "view_partner") -> CompiledSubquery:
    """Subquery: ids of partners the user holds an unexpired object grant on (``view_partner``: an
    inspection in progress there)."""
    return granted_partners_of(user_pk(user), codename, now=timezone.now())


def granted_partners_of(user_id: int, codename: str, *, now: datetime.datetime) -> CompiledSubquery:
    """``granted_partners`` with its values given: for an app's own compiled subquery that nests it."""
    return _granted_partners_query(codename).subquery(_PARTNER_ID, user=user_id, now=now)


def via(path: str, subquery: QuerySet[Any] | CompiledSubquery) -> Rule:
    """The rows whose ``path`` is among the ids ``subquery`` selects."""
    return Rule(q=Q(**{f"{path}__in": subquery}))


def is_office(user: AnyUser) -> bool:
    """Whether the user holds the office platform role."""
    return PlatformRole.OFFICE in platform_roles(user)


def is_tutor(user: AnyUser) -> bool:
    """Whether the user is a tutor (a tutor's membership in force at any partner)."""
    return is_active_member(user, (MembershipRole.TUTOR,))


def is_inspector(user: AnyUser) -> bool:
    """Whether the user holds the inspector platform role."""
    return PlatformRole.INSPECTOR in platform_roles(user)


def office_only(user: AnyUser, path: str) -> Rule:
    """Rule: the office everything, everybody else nothing."""
    return ALL if is_office(user) else NONE


def signed_in(user: AnyUser, path: str) -> Rule:
    """Rule: everything, for anybody signed in."""
    return ALL if user.is_authenticated else NONE


# --- Ground-floor rules: partners, sites, memberships, status changes, notifications -----------------
# Office holds every right on partner data; the other roles are spelled out per action. Actions that
# belong to higher apps (a plan's "choose", supervision's "view_scorecard") are registered by those apps.


def _partner_internal_view(user: AnyUser, path: str) -> Rule:
    """Members, sites and status history of a partner: its own people, tutors, and granted inspectors."""
    roles = platform_roles(user)
    if PlatformRole.OFFICE in roles:
        return ALL
    rules = [via(path, member_partners(user, ANY_ROLE)), via(path, granted_partners(user, "view_partner"))]
    if is_active_member(user, (MembershipRole.TUTOR,)):
        # Tutors plan placements across partners, so they read every partner's people and sites.
        rules.append(ALL)
    return any_of(*rules)


def _partner_manage(user: AnyUser, path: str) -> Rule:
    """Editing a partner's own data (details, sites, memberships): office, or that partner's coordinator."""
    if PlatformRole.OFFICE in platform_roles(user):
        return ALL
    return via(path, member_partners(user, MANAGERS))


def _own_notifications(user: AnyUser, path: str) -> Rule:
    """Notifications: each person reads and marks only their own."""
    return Rule(q=Q(user_id=user_pk(user)))


register(
    Partner,
    {
        "view": signed_in,  # the directory: names, kinds, status
        "view_internal": _partner_internal_view,  # members, sites, status history
        "create": office_only,
        "change": _partner_manage,
        "change_status": office_only,
        "manage_members": _partner_manage,
        "manage_sites": _partner_manage,
    },
)
register(Site, {"view": _partner_internal_view, "create": _partner_manage, "change": _partner_manage})
register(
    Membership,
    {"view": _partner_internal_view, "create": _partner_manage, "change": _partner_manage},  # change: ending one
)
register(PartnerStatusChange, {"view": _partner_internal_view})
# Core sits below partners (partners imports core, never the other way for rules), so its one scoped
# model's rule lives here.
register(Notification, {"view": _own_notifications, "mark_read": _own_notifications})
# API tokens: listed and revoked by the office in the admin (its holder revokes their own through the API).
register(ApiToken, {"view": office_only, "revoke": office_only})


# --- The interface -----------------------------------------------------------------------------------


def branches(q: Q) -> list[Q]:
    """The alternatives a rule's ``q`` ORs together (``q`` alone when it is no OR), nested ORs flattened."""
    if q.connector != Q.OR or q.negated or len(q.children) < 2:
        return [q]
    found: list[Q] = []
    for child in q.children:
        found.extend(branches(child) if isinstance(child, Q) else [Q(child)])
    return found


def rows_matching(model: type[models.Model], q: Q, columns: tuple[str, ...] = ()) -> QuerySet[Any]:
    """Subquery: the primary keys of ``model``'s rows that match ``q``, as a UNION of one SELECT per
    alternative of ``q`` (see ``scope``). UNION ALL: a row matching two alternatives is listed twice, which
    a membership test does not mind, and nothing is spent removing duplicates.

    With ``columns`` (``model``'s own, the key among them), each SELECT gives those columns and the UNION is
    a plain UNION, each row once: the rows themselves, for a reader that sorts them (``partners.ordered``)."""
    parts = [model._base_manager.filter(branch).order_by().values(*(columns or ("pk",))) for branch in branches(q)]
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=not columns)


class PkAmong(Func):
    """The condition "the row's key is among those ``rows`` selects" (``rows``: a subquery of keys).

    On PostgreSQL it is ``pk = ANY(ARRAY(rows))``: the subquery is uncorrelated, so it runs once per
    statement (an InitPlan) and its keys are looked up in the primary key index. As ``pk IN (rows)``,
    PostgreSQL may plan it as a semi-join that is computed again wherever the query it sits in runs again.
    Elsewhere (SQLite) it is ``pk IN (rows)``.
    """

    output_field = BooleanField()
    template = "%(expressions)s"
    arg_joiner = " IN "

    def __init__(self, rows: QuerySet[Any], field: str = "pk", *, rule: Q | None = None) -> None:
        """``field``: the column tested (the row's key unless another is named, e.g. ``placement_id``);
        ``rule``: the rule's ``q`` whose alternatives ``rows`` is the UNION of (``split_scope``)."""
        super().__init__(F(field), Subquery(rows))
        self.rule = rule

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.as_sql(compiler, connection, arg_joiner=" = ANY(ARRAY", **extra_context)
        return f"{sql})", tuple(params)


class PkAmongSQL(Func):
    """``PkAmong`` with its subquery already compiled (``sql``: a parenthesised uncorrelated SELECT, and its
    ``params``): ``pk = ANY(ARRAY(sql))``. PostgreSQL only."""

    output_field = BooleanField()

    def __init__(self, sql: str, params: tuple[Any, ...], rule: Q | None = None) -> None:
        super().__init__(F("pk"))
        self.sql, self.params = sql, params
        self.rule = rule  # as ``PkAmong.rule``

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"{pk_sql} = ANY(ARRAY{self.sql})", (*pk_params, *self.params)


def _rows_sql(
    model: type[models.Model], q: Q, using: str, columns: tuple[str, ...] = ()
) -> tuple[str, tuple[Any, ...]]:
    """``rows_matching(model, q, columns)`` as the SQL (and parameters) of a subquery, compiled as a statement
    over ``model`` would nest it (its tables aliased ``U0``, ``V0``, ...)."""
    outer = model._base_manager.all().query
    subquery = Subquery(rows_matching(model, q, columns)).resolve_expression(outer)
    sql, params = outer.get_compiler(using=using).compile(subquery)
    return sql, tuple(params)


# Compiled UNIONs by the shape of their rule, for every user (the process's life). A rule's ``Q`` has the
# same shape for every user who gets the same alternatives: only the values differ (the user's id, the
# building blocks' user, today and now). The shape (lookups, fixed values, which compiled subquery) is the
# key; the UNION is compiled once for it with stand-in values (``core.compiled.marker``) and each stand-in's
# place among the parameters is noted, so any later user's values go into the same SQL. A ``Q`` holding
# anything else (a queryset, an expression) has no shape and is compiled for its user (``_Memo``).
_SHAPES: dict[tuple[Any, ...], tuple[str, tuple[tuple[bool, Any], ...]]] = {}
_FIXED = (str, bool, type(None))


def _shape(q: Q, values: list[Any]) -> tuple[Any, ...] | None:
    """``q``'s shape, appending its variable values to ``values`` in order; None if it has no shape."""
    parts: list[Any] = [q.connector, q.negated]
    for child in q.children:
        if isinstance(child, Q):
            inner = _shape(child, values)
            if inner is None:
                return None
            parts.append(inner)
            continue
        if not isinstance(child, tuple):  # an expression (``Q(Exists(...))``): no shape
            return None
        lookup, value = child
        if isinstance(value, _FIXED):
            parts.append((lookup, "fixed", value))
        elif isinstance(value, int):
            values.append(value)
            parts.append((lookup, "int"))
        elif isinstance(value, CompiledSubquery):
            names = tuple(sorted(value.values))
            values.extend(value.values[name] for name in names)
            parts.append((lookup, "sub", id(value.compiled), names, type(value.output_field)))
        elif isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
            parts.append((lookup, "fixed", tuple(value)))
        else:
            return None
    return tuple(parts)


def _with_markers(q: Q, markers: list[Any]) -> Q:
    """``q`` with its variable values (in ``_shape``'s order) replaced by ``markers`` (consumed)."""
    rebuilt = Q()
    rebuilt.connector, rebuilt.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            rebuilt.children.append(_with_markers(child, markers))
            continue
        assert isinstance(child, tuple)  # ``_shape`` answered for this ``q``
        lookup, value = child
        if isinstance(value, CompiledSubquery):
            names = sorted(value.values)
            value = value.compiled.subquery(value.output_field, **{name: markers.pop(0) for name in names})
        elif isinstance(value, int) and not isinstance(value, bool):
            value = markers.pop(0)
        rebuilt.children.append((lookup, value))
    return rebuilt


def compiled_rows(
    model: type[models.Model], q: Q, using: str, columns: tuple[str, ...] = ()
) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of ``rows_matching(model, q, columns)`` as a parenthesised subquery; compiled
    once per shape of ``q`` (and ``columns``)."""
    values: list[Any] = []
    shape = _shape(q, values)
    if shape is None:
        return _rows_sql(model, q, using, columns)
    key = (model, using, shape, columns)
    template = _SHAPES.get(key)
    if template is None:
        markers = [marker(type(value), index) for index, value in enumerate(values)]
        sql, params = _rows_sql(model, _with_markers(q, list(markers)), using, columns)
        places = {(type(value), value): index for index, value in enumerate(markers)}
        slots = tuple(
            (True, places[(type(param), param)]) if (type(param), param) in places else (False, param)
            for param in params
        )
        if {index for is_value, index in slots if is_value} != set(range(len(markers))):
            return _rows_sql(model, q, using, columns)  # a value did not come through as itself: no template
        template = _SHAPES[key] = (sql, slots)
    sql, slots = template
    return sql, tuple(values[slot] if is_value else slot for is_value, slot in slots)


class RuleTemplate(NamedTuple):
    """A user's rule as a shape shared by every user who gets the same alternatives (``key``), its ``q``
    (None: everything) and the values that are this user's (``values``, in ``with_values``' order)."""

    key: Hashable
    q: Q | None
    values: tuple[Any, ...]


def rule_template(user: AnyUser, action: str, model: type[models.Model]) -> RuleTemplate | None:
    """``user``'s rule for ``action`` on ``model`` as a template, for a statement compiled once per shape of
    its rules (``core.compiled``) where ``scope(correlated=True)`` would build it for each call: the same
    conditions, with ``with_values(q, values)`` putting any user's values (or markers) in place. None when
    the rule has no shape (it holds a queryset or an expression) or allows nothing: build the query then."""
    rule = _rule(user, action, model)
    if rule.everything:
        return RuleTemplate(("everything",), None, ())
    if rule.q is None:
        return None
    values: list[Any] = []
    shape = _shape(rule.q, values)
    if shape is None:
        return None
    return RuleTemplate(shape, rule.q, tuple(values))


def with_values(q: Q, values: Sequence[Any]) -> Q:
    """A rule's ``q`` (see ``rule_template``) with other values in place of its user's, in the same order."""
    return _with_markers(q, list(values))


def scope(qs: QuerySet[M], user: AnyUser, action: str = "view", *, correlated: bool = False) -> QuerySet[M]:
    """The rows of ``qs`` that ``user`` may act on with ``action``.

    A rule that ORs alternatives reached through different joins ("the student's own, or their tutor's,
    or at a placement they supervise, or at a partner they coordinate") is applied as ``pk IN (a UNION of
    one SELECT per alternative)``: each alternative then uses its own index (the student's, the
    placement's) and the UNION holds only the rows in scope. Written as one OR, PostgreSQL can use none
    of them: it walks the table (or the ordering's index) and tests every row against every alternative,
    which at a million entries cost seconds for a supervisor's page (issue #19). On PostgreSQL the UNION
    runs once per statement (``PkAmong``). A rule of one alternative is applied as it is.

    ``correlated=True`` keeps the OR, for a scoped queryset that goes inside a subquery run once per outer
    row (``OuterRef``: a progress sum per student or per category). There the outer row already narrows
    the rows to a few (one student's entries, through their index) and testing the alternatives on those
    few is cheapest (PostgreSQL hashes the alternatives' subqueries once); a UNION of the whole scope would
    be built, or scanned, for every outer row. ``can`` keeps the OR too: it tests one row, found by its key.
    """
    rule = _rule(user, action, qs.model)
    if rule.everything:
        return qs
    if rule.q is None:
        return qs.none()
    # Rules filter with ``__in`` subqueries, which never multiply rows: no DISTINCT needed.
    if correlated or len(branches(rule.q)) == 1:
        return qs.filter(rule.q)
    if connections[qs.db].vendor != "postgresql":
        return qs.filter(PkAmong(rows_matching(qs.model, rule.q), rule=rule.q))
    # The UNION is uncorrelated: its SQL is the same wherever it goes, so it is compiled once per user
    # object (see ``_Memo``) and reused as it is.
    memo = _memo(user)
    key = (qs.model, action, qs.db)
    compiled = memo.unions.get(key)
    if compiled is None:
        compiled = memo.unions[key] = compiled_rows(qs.model, rule.q, qs.db)
    return qs.filter(PkAmongSQL(*compiled, rule=rule.q))


def scope_as(qs: QuerySet[M], template: RuleTemplate, values: Sequence[Any]) -> QuerySet[M]:
    """``scope(qs, user, action)`` for the user whose rule is ``template`` (``rule_template``), with ``values`` in
    place of theirs: the same conditions in the same form (the UNION of the alternatives on PostgreSQL), so a
    statement compiled once per shape of the rule with markers for the values (``core.compiled``) is the
    statement ``scope`` gives each user."""
    if template.q is None:
        return qs
    q = with_values(template.q, values)
    if len(branches(q)) == 1:
        return qs.filter(q)
    if connections[qs.db].vendor != "postgresql":
        return qs.filter(PkAmong(rows_matching(qs.model, q), rule=q))
    return qs.filter(PkAmongSQL(*compiled_rows(qs.model, q, qs.db), rule=q))


def split_scope(qs: QuerySet[M]) -> tuple[QuerySet[M], Q] | None:
    """``qs`` without the UNION condition ``scope`` put on it, and the rule (a ``Q`` of two or more
    alternatives) that UNION is made of; None when ``qs`` holds no such condition (the rule was everything,
    one alternative, or ``correlated``), or holds it anywhere but as one of the conditions ANDed at the top
    of its ``WHERE`` (under an OR or a NOT it cannot be taken apart).

    For a reader that wants more of the scope's rows than their keys: ``qs`` is the rows of ``base`` that the
    rule's alternatives reach, so a list can read each alternative's rows with their sort columns from the
    index it finds them by, and apply the rest of ``base``'s conditions to those (``partners.ordered``). The
    same rules, the same rows."""
    query = qs.query.chain()
    found: list[tuple[WhereNode, Lookup[Any]]] = []

    def walk(node: WhereNode) -> None:
        if node.negated or (node.connector != AND and len(node.children) > 1):
            return
        for child in node.children:
            if isinstance(child, WhereNode):
                walk(child)
            elif isinstance(child, Lookup) and isinstance(child.lhs, PkAmong | PkAmongSQL) and child.rhs is True:
                found.append((node, child))

    walk(query.where)
    if len(found) != 1 or found[0][1].lhs.rule is None:
        return None
    node, condition = found[0]
    node.children[:] = [child for child in node.children if child is not condition]
    base: QuerySet[M] = QuerySet(qs.model, query=query, using=qs.db)  # a plain one: slicing it is plain SQL
    return base, condition.lhs.rule


def can(user: AnyUser, action: str, obj: models.Model | type[models.Model]) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; given a model class, whether it may on any row
    of it without restriction (used for "create" of top-level objects such as partners)."""
    if isinstance(obj, type):
        return _rule(user, action, obj).everything
    rule = _rule(user, action, type(obj))
    if rule.everything:
        return True
    if rule.q is None:
        return False
    return type(obj)._default_manager.filter(pk=obj.pk).filter(rule.q).exists()


def require(user: AnyUser, action: str, obj: models.Model | type[models.Model]) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``, recording the denial."""
    if not can(user, action, obj):
        record_denial(user, action, obj)
        raise PermissionDenied(f"{action} not allowed")


def record_denial(user: AnyUser, action: str, obj: object) -> None:
    """Every denied request is logged with who, what and when (permissions.md)."""
    from core.models import AccessDenial

    if isinstance(obj, str):  # already a label, e.g. "Partner:12" for a row that was not found
        label = obj
    elif isinstance(obj, type):
        label = obj.__name__
    else:
        label = f"{type(obj).__name__}:{getattr(obj, 'pk', obj)}"
    AccessDenial.objects.create(
        user_id=user.pk if user.is_authenticated else None, action=action[:40], target=str(label)[:200]
    )
    logger.info("access denied: user=%s action=%s target=%s", user.pk, action, label)


# --- Object grants (django-guardian, direct foreign-key models) ----------------------------------------


def grant_partner_view(
    *, user: User, partner: Partner, until: datetime.datetime, reason: str = ""
) -> PartnerUserObjectPermission:
    """Let ``user`` read ``partner``'s people, sites and records until ``until`` (e.g. an open inspection)."""
    permission = Permission.objects.get(codename="view_partner", content_type__app_label="partners")
    grant, _created = PartnerUserObjectPermission.objects.update_or_create(
        user=user, permission=permission, content_object=partner, defaults={"valid_until": until, "reason": reason}
    )
    return grant


def end_partner_grants(*, partner: Partner, user: User | None = None) -> int:
    """End grants on ``partner`` now (all of them, or one user's); returns how many were ended."""
    grants = PartnerUserObjectPermission.objects.filter(content_object=partner, valid_until__gt=timezone.now())
    if user is not None:
        grants = grants.filter(user=user)
    return grants.update(valid_until=timezone.now())  # an UPDATE: remembered rules are dropped (``_Memo``)


# --- Questions the navigation and start pages ask --------------------------------------------------------


def user_partner_roles(user: AnyUser) -> QuerySet[Membership]:
    """The user's memberships in force, with their partners (one query)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.active().filter(user__pk=user_pk(user)).select_related("partner").order_by("partner__name")
    )
