"""``python -m bench.load`` (``make load``): 50 people at once on the hot journeys, against gunicorn with
PostgreSQL and Redis on loopback, for a few minutes; p50/p95 per page, and every error, into docs/bench.md.

The database is the load's own (``LOAD_DATABASE_URL``, its name must contain "load"): dropped, migrated and
seeded with the demo on every run. gunicorn serves the site with DEBUG off (``config.settings.local`` with
``DEBUG=false``: production's settings without its HTTPS redirect and secure cookies, which a plain-HTTP
loopback client cannot send back), Redis is the broker. The journeys, each a person in a thread of its own
with a session of its own, logged in through the login page:

- a student logs hours (the form page, then ``POST /api/v1/practice-logs/``) and opens their plan;
- a supervisor opens the approval queue and signs off the oldest waiting entries through the API;
- a coordinator or the office lists students;
- an anonymous visitor downloads a published inspection report's PDF.

An error is any answer the journey did not expect (a 5xx, a 4xx other than a rule's refusal of an entry, a
timeout, a refused connection). The run fails (exit 1) when there is one.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.server import gunicorn

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tandem_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
PASSWORD = "tandem-demo"  # core.demo.DEMO_PASSWORD
START, END = "<!-- load:start -->", "<!-- load:end -->"


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, seconds: float) -> None:
        with self.lock:
            self.times[page].append(seconds)

    def error(self, page: str, what: str) -> None:
        with self.lock:
            self.errors[page].append(what)


class Person:
    """One virtual person: a session of their own, logged in through the login page."""

    def __init__(self, base: str, stats: Stats, username: str | None, timeout: float) -> None:
        self.base, self.stats, self.username, self.timeout = base, stats, username, timeout
        self.http = requests.Session()

    def call(self, page: str, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            self.stats.error(page, f"{type(error).__name__}: {str(error)[-80:]}")
            return None
        self.stats.record(page, time.perf_counter() - started)
        if response.status_code not in ok:
            self.stats.error(page, f"{response.status_code} {method} {path}")
            return None
        return response

    def csrf(self) -> str:
        return str(self.http.cookies.get("csrftoken") or "")

    def login(self) -> bool:
        if self.username is None:
            return True
        page = self.call("login page", "GET", "/accounts/login/")
        if page is None:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
        done = self.call("log in", "POST", "/accounts/login/", ok=(302,), data=data, headers={"Referer": self.base})
        return done is not None

    def api_post(self, page: str, path: str, body: dict[str, Any], ok: tuple[int, ...]) -> Any:
        headers = {"X-CSRFToken": self.csrf(), "Referer": self.base + "/"}
        return self.call(page, "POST", path, ok=ok, json=body, headers=headers)


def student(person: Person, stop: threading.Event) -> None:
    form = person.call("log hours (page)", "GET", "/practice/log/")
    placements = re.findall(r'name="placement"[^>]*value="(\d+)"', form.text) if form is not None else []
    placements += re.findall(r'<option value="(\d+)"[^>]*>[^<]*</option>', _select(form, "placement"))
    categories = re.findall(r'<option value="(\d+)"', _select(form, "category"))
    while not stop.is_set():
        if placements and categories:
            day = datetime.date.today() - datetime.timedelta(days=random.randint(1, 28))
            body = {
                "placement": int(random.choice(placements)),
                "category": int(random.choice(categories)),
                "date": day.isoformat(),
                "hours": "0.25",
                "description": "Load test",
                "idempotency_key": uuid.uuid4().hex,
            }
            # A rule may refuse an entry (a day already full, a day outside the placement): an answer, not an error.
            answer = person.api_post("log hours (API)", "/api/v1/practice-logs/", body, ok=(201, 400))
            if answer is not None and answer.status_code == 400:
                with person.stats.lock:
                    person.stats.refused["log hours (API)"] += 1
                    person.stats.samples.setdefault("log hours (API)", answer.json()["error"]["code"])
        _pause(stop)
        person.call("open the plan", "GET", "/students/mine/", ok=(200, 302))
        _pause(stop)
        person.call("log hours (page)", "GET", "/practice/log/")
        _pause(stop)


def _select(response: Any, name: str) -> str:
    if response is None:
        return ""
    found = re.search(rf'<select name="{name}".*?</select>', response.text, re.S)
    return found.group(0) if found else ""


def supervisor(person: Person, stop: threading.Event) -> None:
    while not stop.is_set():
        person.call("approval queue", "GET", "/practice/queue/")
        _pause(stop)
        waiting = person.call("sign off (list)", "GET", "/api/v1/practice-logs/?status=pending&page_size=3")
        for entry in (waiting.json().get("results", []) if waiting is not None else [])[:2]:
            # Another supervisor's session may have signed it off a moment ago: a refusal, not an error.
            answer = person.api_post(
                "sign off (API)", f"/api/v1/practice-logs/{entry['id']}/approve/", {}, (200, 400, 409)
            )
            if answer is not None and answer.status_code != 200:
                with person.stats.lock:
                    person.stats.refused["sign off (API)"] += 1
                    person.stats.samples.setdefault("sign off (API)", answer.json()["error"]["code"])
        _pause(stop)


def lister(person: Person, stop: threading.Event) -> None:
    while not stop.is_set():
        person.call("list students", "GET", "/students/")
        _pause(stop)


def visitor(person: Person, stop: threading.Event) -> None:
    listed = person.call("published reports (API)", "GET", "/api/v1/public/inspections/")
    ids = [row["id"] for row in listed.json().get("results", [])] if listed is not None else []
    while not stop.is_set() and ids:
        person.call("download a published PDF", "GET", f"/public/inspections/{random.choice(ids)}/pdf/")
        _pause(stop)


def _pause(stop: threading.Event) -> None:
    stop.wait(random.uniform(0.5, 1.5))  # think time between pages


#: Who the people are, in turn: of every five, two students, a supervisor, a coordinator or the office, and a
#: visitor (50 people: 20, 10, 10, 10).
JOURNEYS = (
    (student, ("student", "student2")),
    (supervisor, ("sup-hospital", "sup-enterprise", "sup-institute")),
    (student, ("student2", "student")),
    (lister, ("office", "coord-hospital", "coord-enterprise", "coord-institute")),
    (visitor, (None,)),
)


def _env(database: str, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": broker,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
    }


def _prepare(database: str, env: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database)
    name = parts.path.lstrip("/")
    if "load" not in name:
        raise SystemExit(f"Refusing to use database {name!r}: the load test drops it, so its name must contain 'load'.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    python = sys.executable
    for command in (["migrate", "--noinput"], ["seed_demo"], ["compile_catalogues"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _report(stats: Stats, args: argparse.Namespace, elapsed: float) -> str:
    total = sum(len(v) for v in stats.times.values())
    errors = sum(len(v) for v in stats.errors.values())
    lines = [
        START,
        f"Run on {datetime.date.today().isoformat()}: {args.users} people for {elapsed:.0f} s against gunicorn "
        f"({args.workers} workers x {args.threads} threads) with PostgreSQL and Redis on loopback, 2 cores shared "
        f"with the load generator (load average {args.load_average}). {total} requests ({total / elapsed:.1f}/s), "
        f"**{errors} errors**. The people arrive over {args.ramp} s (logging in hashes the password: the slowest "
        "page), then pause 0.5-1.5 s between pages.",
        "",
        "| page | requests | p50 (ms) | p95 (ms) | errors | refused by a rule |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in sorted(stats.times):
        values = stats.times[page]
        p50, p95 = statistics.median(values) * 1000, _percentile(values, 0.95) * 1000
        failed, refused = len(stats.errors.get(page, [])), stats.refused.get(page, 0)
        lines.append(f"| {page} | {len(values)} | {p50:.0f} | {p95:.0f} | {failed} | {refused} |")
    for page, code in sorted(stats.samples.items()):
        lines.append(f"\nRefused on {page} (by a rule, as expected), for example: `{code}`.")
    for page, whats in sorted(stats.errors.items()):
        lines.append(f"\nErrors on {page}: {', '.join(sorted(set(whats))[:5])}")
    lines.append(END)
    return "\n".join(lines)


def _write(report: str) -> None:
    path = ROOT / "docs" / "bench.md"
    text = path.read_text()
    if START in text and END in text:
        text = text[: text.index(START)] + report + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Load: 50 people on the hot journeys (`make load`)\n\n" + report + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=180, help="seconds of load after the ramp (default 180)")
    parser.add_argument(
        "--ramp", type=int, default=60, help="seconds over which the people arrive (logging in is slow)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/bench.md as it is")
    args = parser.parse_args(argv)
    database = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE)
    env = _env(database, os.environ.get("LOAD_BROKER_URL", DEFAULT_BROKER))
    print("Preparing the database (migrate, demo)...", flush=True)
    _prepare(database, env)
    server = gunicorn(
        env, port=args.port, workers=args.workers, threads=args.threads, keep_alive=75, ready_statuses=(200,)
    )
    with server as base:  # healthy (database and broker up) before the first person arrives
        stats, stop = Stats(), threading.Event()
        threads = []
        print(f"{args.users} people for {args.duration} s...", flush=True)
        started = time.monotonic()
        for index in range(args.users):
            journey, names = JOURNEYS[index % len(JOURNEYS)]
            person = Person(base, stats, names[(index // len(JOURNEYS)) % len(names)], timeout=60)

            def run(person: Person = person, journey: Any = journey) -> None:
                if person.login():
                    journey(person, stop)

            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            threads.append(thread)
            time.sleep(args.ramp / args.users)
        stop.wait(args.duration)
        stop.set()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - started
        args.load_average = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    report = _report(stats, args, elapsed)
    print(report)
    if not args.no_write:
        _write(report)
    return 1 if any(stats.errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
