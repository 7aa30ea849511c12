"""The navigation's links, badges and unread count, kept in the cache between writes to what they count
(ADRs 0051, 0055).

Every page shows the navigation: the links a person's roles lead to, each with what waits behind it (the
inbox of every app, ``core.hooks.INBOX``), and the unread notifications. Working that out is a dozen
scoped queries (for the office, the at-risk count among them): at a university's scale it was half or
more of a hot page's time (issue #19). It changes only when a table it reads is written, so it is kept in
the cache, per person and language, with the version of each table its count read:

* every statement that writes raises the version of its table (an execute wrapper on every database
  connection of every process: ``save()``, ``update()``, ``bulk_create``, raw SQL), right away and again at
  commit; a write whose table is not plain to see raises ``ANY_TABLE``, on which everything kept depends;
  writes to the tables that reading itself writes (sessions, refused-access records, the wellbeing read log,
  login records and times) raise nothing;
* a kept navigation is used only while every table its count read has the version it had, and for at most
  ``NAV_CACHE_SECONDS`` (the backstop for writes that bypass Django's connections: another program's);
* it is kept only if nothing at all was written during the count (the **epoch**, one integer raised by
  every write, is the same before and after): it could otherwise be older than the versions read after it;
* the start page, whose list *is* the inbox, always counts afresh and stores what it counted.

So what a page shows is what a fresh count would show, as of the last write to what it counts; hours logged
elsewhere (a table no badge of this person counts) keep it. ``core.pagecache`` keeps whole pages the same way.

**Some owners' rows** (ADR 0069). The practice entries are written every few seconds at a university's
scale (a million a year, each entered and then decided), and every notification is written three times (made,
claimed for its e-mail, e-mailed), so anything that depended on either whole table would hardly ever be kept.
A table in ``PARTITIONED`` is therefore versioned per owner as well (a student for the entries, a person for
the notifications): statements run inside ``narrowed(table, owners)`` depend on those owners' versions and
on the table's ``ALL_ROWS`` version, not on the whole table's; a write declared with ``writing_rows(table,
owners)`` (a row's ``save()``) raises those owners' versions and the whole table's; any other write to it
(``update()``, raw SQL) raises ``ALL_ROWS`` too, ending every narrowed read. A read that is not narrowed
depends on the whole table, as before.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import translation

logger = logging.getLogger(__name__)

EPOCH_KEY = "tandem:nav:epoch"
"""Raised by every statement that writes (but those ``IGNORED_MODELS`` and history rows): whether anything
was written while something was counted."""

ANY_TABLE = "*"
TABLE_KEY = "tandem:table:{}"
"""A table's version in the cache: raised by every statement that writes to it (``written_table``)."""

#: Rows written by reading (a session's last-seen time, a refused request's record, the wellbeing read
#: log, a login's time and attempts) and history rows, which always come with a row that counts: none of
#: them changes what waits for anyone, and counting them would throw the navigation away on every page.
IGNORED_MODELS = frozenset(
    {
        "sessions.session",
        "core.accessdenial",
        "wellbeing.accesslogentry",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
        "django_celery_beat.periodictask",
        "django_celery_beat.periodictasks",
        "django_celery_results.taskresult",
    }
)


class Navigation(TypedDict):
    """What is kept: the links (label in the reader's language, address, badge), the unread count, and the
    version of each table the count read (``TABLE_KEY``)."""

    versions: dict[str, int | None]
    items: list[dict[str, Any]]
    unread: int


def seconds() -> int:
    """How long a kept navigation may be used at most (0: never kept)."""
    return int(getattr(settings, "NAV_CACHE_SECONDS", 60))


def _key(user_pk: int) -> str:
    return f"tandem:nav:{user_pk}:{translation.get_language() or settings.LANGUAGE_CODE}"


def bump() -> None:
    """Raise the epoch: every kept navigation is stale from now on. Never fails a write: a cache that does
    not answer is logged, and the kept navigations then end by their timeout."""
    try:
        try:
            cache.incr(EPOCH_KEY)
        except ValueError:  # no epoch yet (first write since the cache started)
            cache.set(EPOCH_KEY, 1, timeout=None)
    except Exception:  # a cache outage must not fail a write
        logger.warning("navigation cache: could not raise the epoch", exc_info=True)


# --- What was read, and whether it is still as it was read --------------------------------------------------

_WORD = re.compile(r"[A-Za-z_]\w*")


@functools.cache
def _known_tables() -> frozenset[str]:
    """Every table of an installed model, many-to-many tables and history tables included."""
    from django.apps import apps

    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


@functools.cache
def _views() -> dict[str, frozenset[str]]:
    """Each database view of an installed model (an unmanaged model naming ``view_of``, the models it is
    worked out from) and the tables those models keep. Writes go to those tables, never to the view: a read
    that names the view depends on them (ADR 0071)."""
    from django.apps import apps

    found: dict[str, frozenset[str]] = {}
    for model in apps.get_models():
        sources: tuple[type[Any], ...] = getattr(model, "view_of", ())
        if sources:
            found[model._meta.db_table] = frozenset(source._meta.db_table for source in sources)
    return found


#: Who the person is, read once a request and remembered on the user object (their row, their platform roles,
#: the related objects Django caches on it), so possibly before anything is noted: every kept page and
#: navigation depends on them whether or not its own statements named them.
IDENTITY_MODELS = frozenset({"accounts.user", "auth.group", "partners.membership", "students.student"})


@functools.cache
def _identity_tables() -> frozenset[str]:
    from django.apps import apps
    from django.contrib.auth import get_user_model

    tables = {get_user_model().groups.through._meta.db_table, ANY_TABLE}
    for label in IDENTITY_MODELS:
        try:
            tables.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return frozenset(tables)


def tables_read(statements: list[str]) -> set[str]:
    """The tables the statements name anywhere (after ``FROM`` or ``JOIN``, in a subquery, a comma join or
    raw SQL alike: every word that is a table's name counts, which can only keep less; a view counts with the
    tables it is worked out from, ``_views``), the tables of who the person is (``IDENTITY_MODELS``) and
    ``ANY_TABLE``; less the tables reading itself writes. A statement run inside ``narrowed`` names its
    partitioned table's owners and ``ALL_ROWS`` instead of the whole table; what ``note_read`` reported counts
    by its exact names."""
    known, views = _known_tables(), _views()
    found = set(_identity_tables())
    for sql in statements:
        names = getattr(sql, "names", None)
        if names is not None:
            found.update(names)
            continue
        narrow: dict[str, frozenset[int]] = getattr(sql, "narrow", {})
        for word in _WORD.findall(sql):
            if word not in known:
                continue
            if word in narrow:
                found.add(word + ALL_ROWS)
                found.update(partition(word, owner) for owner in narrow[word])
            else:
                found.add(word)
                found.update(views.get(word, ()))
    return found - _ignored_tables()


# --- Some owners' rows of a table written all day (ADR 0069) --------------------------------------------------

PARTITIONED = {"practice_practicelog": "student_id", "core_notification": "user_id"}
"""Tables written all day whose every row belongs to one owner (the column named): reads of some owners' rows
(``narrowed``) and declared writes (``writing_rows``, ``declared_writes``) are versioned per owner."""

ALL_ROWS = "@all"
"""Suffix of a partitioned table's version raised by a write that named no owners: every narrowed read of
the table depends on it."""


def partition(table: str, owner: int) -> str:
    """The version name of one owner's rows of a ``PARTITIONED`` table."""
    return f"{table}#{owner}"


class _Narrowed(str):
    """A statement run inside ``narrowed``: the partitioned tables it read some owners' rows of, and whose."""

    narrow: dict[str, frozenset[int]]


class _Reported(str):
    """What ``note_read`` reported: version names, counted as they are (a partition's name is no table's)."""

    names: frozenset[str]


#: The partitioned tables read (``narrowed``) or written (``writing_rows``) for given owners (the innermost
#: block's owners for a table).
_NARROW: ContextVar[dict[str, frozenset[int]] | None] = ContextVar("tandem_narrow", default=None)
_WRITING: ContextVar[dict[str, frozenset[int]] | None] = ContextVar("tandem_writing", default=None)


@contextmanager
def narrowed(table: str, owners: int | Iterable[int]) -> Iterator[None]:
    """Statements run inside read only the rows of ``owners`` (one id or several) in ``table`` (a
    ``PARTITIONED`` table): a page or a read kept with them ends with a write to those owners' rows, or to
    rows of no declared owner, and outlives writes to other owners' rows. Wrap only statements whose every
    read of ``table`` is limited to those owners' rows (``WHERE student_id = …``, entries reached from the
    students' own placements, ``WHERE user_id = …`` for notifications)."""
    if table not in PARTITIONED:
        raise ValueError(f"{table} is not versioned per owner")
    keys = frozenset((int(owners),) if isinstance(owners, int) else (int(pk) for pk in owners))
    token = _NARROW.set({**(_NARROW.get() or {}), table: keys})
    try:
        yield
    finally:
        _NARROW.reset(token)


@contextmanager
def writing_rows(table: str, owners: Iterable[int]) -> Iterator[None]:
    """Statements run inside write to ``table`` (a ``PARTITIONED`` table) only rows of ``owners``, before and
    after: they raise those owners' versions and the whole table's, not ``ALL_ROWS``."""
    if table not in PARTITIONED:
        raise ValueError(f"{table} is not versioned per owner")
    token = _WRITING.set({**(_WRITING.get() or {}), table: frozenset(int(pk) for pk in owners)})
    try:
        yield
    finally:
        _WRITING.reset(token)


_DECLARED: ContextVar[dict[str, frozenset[int] | None] | None] = ContextVar("tandem_declared", default=None)


@contextmanager
def declared_writes(tables: dict[str, Iterable[int] | None]) -> Iterator[None]:
    """Every statement run inside that writes, whatever its text says (``WITH … INSERT``, DDL: ``ANY_TABLE``
    otherwise), writes these tables only, and temporary tables of its own: a ``PARTITIONED`` table's rows of
    the owners given (``None``: of no declared owner), any other table whole. For a service whose
    statements the watcher cannot read (the set-based bulk create): without it, each of them ends every kept
    page and navigation of everyone."""
    declared = {
        table: None if owners is None else frozenset(int(pk) for pk in owners) for table, owners in tables.items()
    }
    token = _DECLARED.set(declared)
    try:
        yield
    finally:
        _DECLARED.reset(token)


def _written_names(table: str) -> set[str]:
    """The versions a write to ``table`` raises: the table's, and for a ``PARTITIONED`` table the declared
    owners' (``writing_rows``) or, undeclared, ``ALL_ROWS``; inside ``declared_writes``, those of the tables
    it names instead."""
    declared = _DECLARED.get()
    if declared is not None:
        return {name for written, owners in declared.items() for name in _names_of(written, owners)}
    return _names_of(table, (_WRITING.get() or {}).get(table))


def _names_of(table: str, owners: frozenset[int] | None) -> set[str]:
    if table not in PARTITIONED:
        return {table}
    if owners is None:
        return {table, table + ALL_ROWS}
    return {table, *(partition(table, pk) for pk in owners)}


_UNRECORDED: ContextVar[bool] = ContextVar("tandem_page_unrecorded", default=False)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Statements run inside are not noted as what the page read: the navigation's counts, which a kept
    page checks by their outcome instead (its fingerprint), so that a write to an inbox does not end every
    page whose navigation happened to be counted afresh."""
    token = _UNRECORDED.set(True)
    try:
        yield
    finally:
        _UNRECORDED.reset(token)


#: The lists ``noting`` blocks are filling, innermost last, each with its ``skip_unrecorded`` (``note_read``).
_NOTING: ContextVar[tuple[tuple[list[str], bool], ...]] = ContextVar("tandem_noting", default=())


@contextmanager
def noting(*, skip_unrecorded: bool = False) -> Iterator[list[str]]:
    """The statements run inside, on the default connection (an execute wrapper), for ``tables_read``; with
    ``skip_unrecorded``, less those run inside ``unrecorded`` (a kept page's, which checks the navigation by
    its fingerprint). What ``note_read`` reports inside is noted too."""
    statements: list[str] = []

    def note(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
        if isinstance(sql, str) and not (skip_unrecorded and _UNRECORDED.get()):
            narrow = _NARROW.get()
            if narrow:
                noted = _Narrowed(sql)
                noted.narrow = narrow
                statements.append(noted)
            else:
                statements.append(sql)
        return execute(sql, params, many, context)

    token = _NOTING.set((*_NOTING.get(), (statements, skip_unrecorded)))
    try:
        with connection.execute_wrapper(note):
            yield statements
    finally:
        _NOTING.reset(token)


def note_read(tables: Iterable[str]) -> None:
    """Report to every ``noting`` block around that these tables were read, though no statement ran: a read
    answered from the cache (``core.keptreads``) stands for the statements it saved, so that a page or a
    navigation kept with it depends on the same tables as if they had run."""
    named = _Reported(" ".join(sorted(tables)))
    named.names = frozenset(tables)
    for statements, skip_unrecorded in _NOTING.get():
        if not (skip_unrecorded and _UNRECORDED.get()):
            statements.append(named)


def table_keys(tables: Any) -> list[str]:
    return [TABLE_KEY.format(table) for table in tables]


def still_current(versions: dict[str, int | None]) -> bool:
    """Whether every table has the version it had (one cache read). Raises what the cache raises."""
    found = cache.get_many(table_keys(versions))
    return all(found.get(TABLE_KEY.format(table)) == version for table, version in versions.items())


def versions_now(tables: set[str], *, epoch: int) -> dict[str, int | None] | None:
    """The versions of ``tables`` now, or ``None`` if anything was written since ``epoch`` was read (what was
    read then may be older than these versions say). Raises what the cache raises."""
    ordered = sorted(tables)
    found = cache.get_many([EPOCH_KEY, *table_keys(ordered)])
    if int(found.get(EPOCH_KEY) or 0) != epoch:
        return None
    return {table: found.get(TABLE_KEY.format(table)) for table in ordered}


def read(request: HttpRequest) -> tuple[Navigation | None, int]:
    """The navigation kept for this person in this language if every table its count read is as it was, and
    the epoch now (two cache reads). Counting afresh, pass this epoch to ``store``: a write during the count
    raises it, and then nothing is kept (it might be older than the versions read after it)."""
    if seconds() <= 0 or not request.user.is_authenticated:
        return None, 0
    try:
        found = cache.get_many([EPOCH_KEY, _key(request.user.pk)])
        epoch = int(found.get(EPOCH_KEY) or 0)
        kept: Navigation | None = found.get(_key(request.user.pk))
        if kept is None or not still_current(kept["versions"]):
            return None, epoch
    except Exception:  # a cache outage: count afresh
        logger.warning("navigation cache: could not read", exc_info=True)
        return None, 0
    return kept, epoch


def store(request: HttpRequest, items: list[dict[str, Any]], unread: int, *, epoch: int, statements: list[str]) -> None:
    """Keep what was just counted with the versions of the tables its ``statements`` read, unless anything
    was written since ``read`` returned ``epoch``."""
    if seconds() <= 0 or not request.user.is_authenticated:
        return
    try:
        versions = versions_now(tables_read(statements), epoch=epoch)
        if versions is None:
            return
        kept: Navigation = {
            "versions": versions,
            "items": [{**item, "label": str(item["label"])} for item in items],
            "unread": unread,
        }
        cache.set(_key(request.user.pk), kept, timeout=seconds())
    except Exception:
        logger.warning("navigation cache: could not store", exc_info=True)


# --- What raises the epoch -------------------------------------------------------------------------------

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_READS = ("SELECT", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET ", "BEGIN", "COMMIT", "PRAGMA")
_LOGIN = re.compile(r'^\s*UPDATE\s+"accounts_user"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE', re.IGNORECASE)


@functools.cache
def _ignored_tables() -> frozenset[str]:
    """The tables of ``IGNORED_MODELS`` that are installed."""
    from django.apps import apps

    tables = set()
    for label in IGNORED_MODELS:
        try:
            tables.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return frozenset(tables)


def writes(sql: str) -> bool:
    """Whether a statement may change what the navigation counts: anything but a read, except writes to
    the tables reading itself writes (``IGNORED_MODELS``), history tables and a login's ``last_login``."""
    head = sql.lstrip()[:12].upper()
    if head.startswith(_READS):
        return False
    found = _WRITE.match(sql)
    if found is None:
        return True  # DDL, TRUNCATE, WITH … INSERT, COPY: assume it writes
    table = found.group(1)
    return not (table in _ignored_tables() or "_historical" in table or _LOGIN.match(sql))


def written_table(sql: str) -> str | None:
    """The table a statement writes, for the pages kept between writes to what they read (``core.pagecache``):
    ``None`` for a read, a write to a table reading itself writes (``IGNORED_MODELS``) or a login's
    ``last_login``; ``ANY_TABLE`` for a write whose table is not plain to see (DDL, TRUNCATE, ``WITH … INSERT``,
    COPY), which every kept page treats as a write to what it read. History rows count here: a page may read them."""
    head = sql.lstrip()[:12].upper()
    if head.startswith(_READS):
        return None
    found = _WRITE.match(sql)
    if found is None:
        return ANY_TABLE
    table = found.group(1)
    if table in _ignored_tables() or _LOGIN.match(sql):
        return None
    return table


def bump_tables(tables: set[str]) -> None:
    """Raise the version of each table written: the kept pages that read one are stale from now on. Never
    fails a write (a cache outage is logged; kept pages then end by their timeout)."""
    for table in tables:
        key = TABLE_KEY.format(table)
        try:
            try:
                cache.incr(key)
            except ValueError:  # first write to this table since the cache started
                cache.set(key, 1, timeout=None)
        except Exception:
            logger.warning("page cache: could not raise the version of %s", table, exc_info=True)


def _at_commit(connection: Any) -> Callable[[], None]:
    """What a transaction's commit does: raise the epoch and the versions of the tables it wrote, again."""

    def committed() -> None:
        tables: set[str] = connection.__dict__.pop("_tandem_written", set())
        if connection.__dict__.pop("_tandem_counts", False):
            bump()
        bump_tables(tables)

    committed.tandem_commit = True  # type: ignore[attr-defined]
    return committed


def note_write(connection: Any, table: str | None, *, counts: bool = True) -> None:
    """A write to ``table`` (``ANY_TABLE`` when not plain; ``None``: none that a kept thing reads) on
    ``connection``: raise the epoch (if it ``counts``) and the table's version now (this connection's next
    read sees it, committed or not) and again when the transaction commits (another request may have counted
    the old rows in between and kept them). The execute wrapper calls it for every statement; call it after
    a write no statement shows, such as a ``COPY`` through psycopg's ``cursor.copy``."""
    if table is None and not counts:
        return
    if counts:
        bump()
    names = _written_names(table) if table is not None else set()
    bump_tables(names)
    if connection.in_atomic_block:
        if names:
            connection.__dict__.setdefault("_tandem_written", set()).update(names)
        if counts:
            connection.__dict__["_tandem_counts"] = True
        if not any(getattr(entry[1], "tandem_commit", False) for entry in connection.run_on_commit):
            connection.on_commit(_at_commit(connection))


def _watch(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
    """Execute wrapper: every statement that writes is a ``note_write``."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        note_write(context["connection"], written_table(sql), counts=writes(sql))
    return result


def _install(connection: Any, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def connect() -> None:
    """Watch every statement of every database connection of this process (``CoreConfig.ready``).

    Statements rather than model signals: ``update()``, ``bulk_create`` and raw SQL send no signal, and
    the rules of the suite's badge tests write exactly that way. A write in another process raises the
    shared epoch from there (production shares Redis between the web processes and the workers)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_install, dispatch_uid="core.navcache.install")
    for existing in connections.all(initialized_only=True):
        _install(existing)
