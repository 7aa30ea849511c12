"""A real Celery worker in a process of its own, for tests that kill it (``python -m tests.worker_process``).

Started by :func:`start_worker_process` with the test's database, broker prefix, media folder and queue. Every
report render it does is written to a log (``start <id> <pid>`` and ``done <id> <pid>``), so a test can wait
for a render to be under way and count the renders that finished; ``TANDEM_RENDER_SLEEP`` seconds are spent
inside every render (``TANDEM_RENDER_SLEEP_ONCE``: inside the first of the log only), so that a kill lands in
the middle of it. Everything else is the production code path:
prefork pool, acks late, the broker's visibility timeout (from ``CELERY_TASK_TIME_LIMIT``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _log(line: str) -> None:
    with Path(os.environ["TANDEM_RENDER_LOG"]).open("a") as log:
        log.write(f"{line} {os.getpid()}\n")


def main() -> None:
    import django

    django.setup()
    import supervision.reports  # noqa: F401  (the package first, as the task module imports it)
    from supervision.services import reports

    original = reports.render_report_bytes
    pause = float(os.environ.get("TANDEM_RENDER_SLEEP") or 0)
    pause_once = float(os.environ.get("TANDEM_RENDER_SLEEP_ONCE") or 0)
    log = Path(os.environ["TANDEM_RENDER_LOG"])

    def traced(report: Any) -> tuple[str, bytes]:
        first = not log.exists()
        _log(f"start {report.pk}")
        time.sleep(pause or (pause_once if first else 0))
        rendered = original(report)
        _log(f"done {report.pk}")
        return rendered

    reports.render_report_bytes = traced  # inherited by the pool's child processes (forked after this)
    from config.celery import app

    app.worker_main(
        [
            "worker",
            "--queues",
            os.environ["TANDEM_WORKER_QUEUE"],
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"killable-{os.getpid()}@%h",
        ]
    )


def start_worker_process(*, queue: str, log: Path, env: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
    """Start the worker in a new session (so the test can kill it and its pool with one signal)."""
    full_env = {**os.environ, **env, "TANDEM_WORKER_QUEUE": queue, "TANDEM_RENDER_LOG": str(log)}
    with output.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.worker_process"],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the worker and its pool (its whole session), and wait for the main process."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


if __name__ == "__main__":
    main()
