"""gunicorn for the benches: start it on loopback, wait until it answers, always stop it; and the site served
with production settings, read over HTTP by people logged in by a session made in the database.

``gunicorn`` is the start/stop shared by ``make load`` (``bench/load.py``) and issue #19's table
(``bench/scale.py``). ``serve_production`` runs ``config.settings.production`` as deployed (DEBUG off, the
HTTPS redirect on, sessions saved on every request, Redis as the cache, whitenoise's manifest of static
files), with what production refuses to start without generated for the run: a secret key, a Fernet key,
hosts, a broker and cache of the bench's own (a Redis database flushed at start, so that no cached
navigation of another run or another database is served). The bench speaks to it as the TLS proxy in
front of production does: plain HTTP on loopback with ``X-Forwarded-Proto: https``, which production
trusts (``SECURE_PROXY_SSL_HEADER``), rather than turning the redirect off.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/15"
"""The bench's own Redis database (cache and broker of the served site), flushed when a server starts: set
``BENCH_CACHE_URL`` to another when something else uses database 15 of the local Redis."""
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
"""What the TLS-terminating proxy in front of production adds to every request (production trusts it)."""


class ServerError(RuntimeError):
    """gunicorn did not start, or did not answer, or a page did not answer as the bench expects."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _answers(port: int, path: str, headers: Mapping[str, str], statuses: Container[int] | None) -> bool:
    """Whether the server answers ``path`` with one of ``statuses`` (None: any HTTP status)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        response.read()
        return statuses is None or response.status in statuses
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


@contextmanager
def gunicorn(
    env: Mapping[str, str],
    *,
    port: int,
    workers: int,
    threads: int = 1,
    timeout: int = 120,
    keep_alive: int | None = None,
    log: Path | None = None,
    ready_within: float = 90.0,
    ready_headers: Mapping[str, str] | None = None,
    ready_statuses: Container[int] | None = None,
) -> Iterator[str]:
    """Serve ``config.wsgi`` with ``config.gunicorn`` (as the image does) on 127.0.0.1:``port`` and yield its
    base URL once ``/healthz`` answers (with one of ``ready_statuses``; by default any: a 503 is an answer,
    from a health check that timed out while the machine is busy or from PDF fonts missing on a bench
    machine, and the bench's pages say for themselves whether they work); stop it (SIGTERM to its process
    group, SIGKILL after 30 s) however the block ends, a KeyboardInterrupt included.

    ``threads=1`` is the image's sync worker. The server runs in a session of its own, so that a Ctrl-C in
    the terminal reaches only the bench, whose ``finally`` then stops the server. Its output goes to ``log``
    (appended; shown when it fails to start), else to the bench's own.
    """
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn"]
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers), "--timeout", str(timeout)]
    command += ["--log-level", "warning"]
    if threads > 1:
        command += ["--threads", str(threads)]
    if keep_alive is not None:
        command += ["--keep-alive", str(keep_alive)]
    # Command-line settings only: none taken over from the caller's environment.
    clean = {k: v for k, v in env.items() if k not in {"GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"}}
    output = log.open("ab") if log is not None else None
    try:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command, cwd=ROOT, env=clean, stdout=output, stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )  # fmt: skip
    finally:
        if output is not None:
            output.close()
    try:
        deadline = time.monotonic() + ready_within
        while not _answers(port, "/healthz", {"Host": HOST, **(ready_headers or {})}, ready_statuses):
            if server.poll() is not None:
                raise ServerError(f"gunicorn exited with status {server.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise ServerError(f"gunicorn did not answer within {ready_within:.0f} s:\n{_tail(log)}")
            time.sleep(0.25)
        yield f"http://{HOST}:{port}"
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the master and its workers: the whole process group, even when the master has gone first."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break  # nothing of the group is left
        try:
            server.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


# --- The site as production serves it ----------------------------------------------------------------------


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A ``postgres://`` URL for a Django database entry (``connection.settings_dict``): the server reads the
    very database the bench (or a test) writes."""
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(str(settings_dict['NAME']), safe='')}"


def production_env(*, database: str, redis: str, static_root: Path, secret_key: str) -> dict[str, str]:
    """The environment ``config.settings.production`` needs, generated for one run (the keys never leave
    the run: they sign its sessions and would encrypt wellbeing records, of which the bench writes none)."""
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": redis,
        "CACHE_URL": redis,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "WELLBEING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


def collect_static(static_root: Path) -> None:
    """The manifest of hashed static file names that production's storage needs to render any page
    (``{% static %}`` refuses a file missing from it), collected in this process into ``static_root``.

    With Django's ``ManifestStaticFilesStorage``: the same names and manifest as whitenoise's
    ``CompressedManifestStaticFilesStorage`` in production, without the gzip and Brotli copies that take
    minutes to write and serve only static files, which the bench does not request.
    """
    from django.core.management import call_command
    from django.test import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=static_root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)


def flush_redis(url: str) -> None:
    """Empty the bench's own Redis database (``url`` names it), so the server starts with a cold cache."""
    import redis

    parts = urlsplit(url)
    if parts.path.strip("/") in {"", "0"}:
        raise ServerError(f"Refusing to flush Redis database 0 ({url}): give the bench a database of its own.")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as error:
        raise ServerError(f"The bench's Redis ({url}) does not answer: {error}") from error
    finally:
        client.close()


def make_session(user: Any, *, secret_key: str | None = None) -> str:
    """A session for ``user`` made in the database as ``Client.force_login`` leaves it, and its key: a new
    ``SessionStore`` with the auth keys (user id, backend, the user's auth hash) and the last-seen time a
    login sets (``core.middleware.mark_seen_at_login``), signed with ``secret_key`` (the server's; default
    this process's) so that the server accepts it. Unlike ``login()``, nothing else is written (no
    ``last_login`` UPDATE, which would wait on any transaction holding the person's row in a shared bench
    database)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.http import HttpRequest
    from django.test import override_settings
    from django.utils.module_loading import import_string

    from core.middleware import mark_seen_at_login

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    with override_settings(SECRET_KEY=secret_key or settings.SECRET_KEY):
        request = HttpRequest()
        request.session = store()
        request.session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        request.session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        mark_seen_at_login(type(user), request=request)
        request.session.save()
    return str(request.session.session_key)


def forget_sessions(keys: Iterable[str]) -> None:
    """Delete the sessions a run made (they would otherwise stay in the bench's database)."""
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=list(keys)).delete()


@dataclass
class Served:
    """The site served by gunicorn with production settings; people read it over HTTP (``http.client``),
    each logged in by a session of their own made in the database."""

    port: int
    secret_key: str
    workers: int
    redis: str = DEFAULT_CACHE_URL
    timeout: float = 300.0
    same: str = "same server"
    sessions: dict[int, str] = field(default_factory=dict)
    _cache: Any = field(default=None, repr=False)

    @property
    def description(self) -> str:
        return (
            f"over HTTP: gunicorn on {HOST}:{self.port}, {self.workers} sync workers, config.settings.production "
            "(DEBUG off), X-Forwarded-Proto: https"
        )

    def session_key(self, user: Any) -> str:
        """The session of ``user`` for this server (``make_session`` with its secret key), made once."""
        if user.pk not in self.sessions:
            self.sessions[user.pk] = make_session(user, secret_key=self.secret_key)
        return self.sessions[user.pk]

    def forget_sessions(self) -> None:
        forget_sessions(self.sessions.values())
        self.sessions.clear()

    def forget_kept(self, *, reads: bool = False) -> None:
        """Drop every page the server keeps (``core.pagecache``; ``forget_kept_pages``), and with ``reads`` its
        kept reads: the next request for any page works it out afresh, its navigation still kept. One client to
        the server's Redis serves every call (a new one each time opened a connection: about 3 ms a call)."""
        if self._cache is None:
            from django.core.cache.backends.redis import RedisCache

            self._cache = RedisCache(self.redis, {})
        forget_kept_pages(self._cache, reads=reads)

    @contextmanager
    def sharing_cache(self) -> Iterator[None]:
        """This process's writes inside raise the versions in the server's cache (its Redis), as a write by
        another of the server's processes would: the bench's own settings keep a cache of their own."""
        from django.test.utils import override_settings

        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": self.redis}}
        ):
            yield

    def headers(self, user: Any, *, api: bool, cookies: dict[str, str] | None = None) -> dict[str, str]:
        from django.conf import settings

        accept = "application/json" if api else "text/html,application/xhtml+xml"
        jar = {settings.SESSION_COOKIE_NAME: self.session_key(user), **(cookies or {})}
        cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
        return {"Host": HOST, "Accept": accept, "Cookie": cookie, **PROXY_HEADERS}

    def fetch(
        self, user: Any, url: str, *, api: bool, cookies: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, dict[str, str]]:
        """One GET as ``user``: status, headers, the whole body (read, as a browser reads it) and the cookies
        the answer set (a browser keeps them: the CSRF cookie a page with a form sets, say)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request("GET", url, headers=self.headers(user, api=api, cookies=cookies))
            response = connection.getresponse()
            jar = SimpleCookie()
            for header in response.msg.get_all("Set-Cookie") or []:
                jar.load(header)
            kept = {name: morsel.value for name, morsel in jar.items()}
            return response.status, dict(response.getheaders()), response.read(), kept
        finally:
            connection.close()

    def getter(self, user: Any, url: str, *, api: bool) -> Callable[[], None]:
        """A function that GETs ``url`` as ``user`` and fails unless the answer is 200; checked once first
        to be the person's own page (``check_answer``). The cookies that first answer set are sent with each
        later request, as a browser sends them (the CSRF cookie of a page with a form; kept pages are kept
        per session and CSRF cookie, ADR 0055). One connection per request, as gunicorn's sync worker closes
        each one after its answer."""
        status, headers, body, cookies = self.fetch(user, url, api=api)
        check_answer(user, url, status, headers.get("Location", ""), body, api=api)
        request_headers = self.headers(user, api=api, cookies=cookies)
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)

        def get() -> None:
            connection.request("GET", url, headers=request_headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise AssertionError((url, response.status, response.getheader("Location")))

        return get


def forget_kept_pages(cache: Any, *, reads: bool = False) -> None:
    """Drop every page kept in ``cache`` (``core.pagecache``), and nothing else: the next request for a page
    works it out afresh, its navigation still kept, as after a write to a table the page read but none its
    navigation counts. (Raising ``ANY_TABLE`` instead would end the navigation too, and time its count with
    every page.) With ``reads``, the kept reads too (``core.keptreads``: who is at risk), as after a write to
    what they weigh. Django's Redis cache or its local memory cache."""
    for prefix in ("tandem:page:", "tandem:read:") if reads else ("tandem:page:",):
        _forget_prefix(cache, prefix)


def _forget_prefix(cache: Any, prefix: str) -> None:
    pattern = cache.make_key(prefix + "*")
    store: Any = getattr(cache, "_cache", None)
    if hasattr(store, "get_client"):  # django.core.cache.backends.redis.RedisCache
        client = store.get_client(write=True)
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)
        return
    made = pattern[: -len(prefix + "*")]
    cache.delete_many([key[len(made) :] for key in list(store or ()) if key.startswith(made + prefix)])


USER_MENU = 'data-testid="user-menu">{}</a>'
"""The navigation's menu of the signed-in person, named after them (templates/base.html)."""


def check_answer(user: Any, url: str, status: int, location: str, body: bytes, *, api: bool) -> None:
    """Fail (AssertionError, as a refused page in the table) unless ``url`` answered 200 to ``user`` with
    their own page: the navigation's menu of the signed-in person bears their name (a page),
    or the body is JSON (the API, which refuses an anonymous request with 401/403 rather than a redirect)."""
    from django.utils.html import escape

    if status != 200:
        raise AssertionError((url, status, location) if location else (url, status))
    if api:
        json.loads(body)
        return
    if USER_MENU.format(escape(user.display_name)).encode() not in body:
        raise AssertionError((url, f"200 but not {user.username}'s page"))


@contextmanager
def serve_production(
    *, database: str, redis: str | None = None, workers: int = 2, log: Path | None = None
) -> Iterator[Served]:
    """Serve the site from ``database`` with production settings on a free port; yield how to read it.

    Collects the static manifest into a temporary folder, flushes the bench's Redis database (``redis``,
    default ``BENCH_CACHE_URL`` or ``DEFAULT_CACHE_URL``), starts gunicorn and waits for it; afterwards,
    however the block ends, stops it, deletes the sessions made for the run and removes the folder.
    """
    redis = redis or os.environ.get("BENCH_CACHE_URL") or DEFAULT_CACHE_URL
    folder = Path(tempfile.mkdtemp(prefix="tandem-bench-server-"))
    try:
        static_root = folder / "static"
        collect_static(static_root)
        flush_redis(redis)
        secret_key = secrets.token_urlsafe(64)
        env = production_env(database=database, redis=redis, static_root=static_root, secret_key=secret_key)
        port = free_port()
        with gunicorn(env, port=port, workers=workers, log=log or folder / "gunicorn.log", ready_headers=PROXY_HEADERS):
            served = Served(port=port, secret_key=secret_key, workers=workers, redis=redis)
            try:
                yield served
            finally:
                served.forget_sessions()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
