"""``make run``: the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

Runs with whatever DATABASE_URL and CELERY_BROKER_URL say (SQLite and the filesystem broker by default).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django  # noqa: E402

django.setup()

from core.demo import DEMO_PASSWORD, all_logins  # noqa: E402

PY = sys.executable
PROCESSES = {
    "web": [PY, "manage.py", "runserver", "127.0.0.1:8000"],
    "worker": [
        PY,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--pool",
        "threads",
    ],
    "beat": [PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO", "--schedule", "var/celerybeat-schedule"],
}


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    children = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in PROCESSES.items()}
    time.sleep(2)
    print("\nTandem is running at http://127.0.0.1:8000  (Ctrl-C stops the web server, worker and beat)")
    print(f"Demo logins, all with the password {DEMO_PASSWORD!r}:")
    for login in all_logins():
        print(f"  {login.username:<18} {login.role}")
    print(flush=True)
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} stopped with exit code {child.returncode}; stopping the others.")
                    return child.returncode or 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
