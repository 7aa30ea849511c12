"""``python -m bench`` (``make bench``): point Django at the bench database, create it, then run.

The database comes from ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/tandem_bench``)
and is the bench's own: it is dropped and created again on every run (``--keep`` reuses a finished
load), so its name must contain "bench". Settings default to ``config.settings.test``: DEBUG off, as in
production, without production's HTTPS redirects.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Practice-hours and originality benchmarks (PostgreSQL)."
    )
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries to load (default 1,000,000)")
    parser.add_argument("--students", type=int, default=2_000, help="students (default 2,000)")
    parser.add_argument("--partners", type=int, default=50, help="partners that take students (default 50)")
    parser.add_argument("--supervisors", type=int, default=20, help="supervisors per partner (default 20)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement (default 15)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it holds a finished load")
    parser.add_argument(
        "--scenario",
        choices=["all", "practice", "integrity"],
        default="all",
        help="practice hours (1M entries), originality checks (1k and 10k documents), or both (default)",
    )
    parser.add_argument("--documents", type=int, default=10_000, help="largest originality corpus (default 10,000)")
    return parser.parse_args(argv)


def _recreate_database(url: str, *, keep: bool) -> bool:
    """Drop and create the bench database; with ``keep``, only create it when missing. Returns whether
    it existed before (and was kept)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to use database {name!r}: the bench drops its database, so its name must contain 'bench'."
        )
    maintenance = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and keep:
            return True
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise SystemExit("The bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    kept = _recreate_database(url, keep=args.keep)

    import django

    django.setup()
    if args.scenario in {"all", "practice"}:
        from bench.practice import BenchConfig, run

        config = BenchConfig(
            entries=args.entries,
            students=args.students,
            partners=args.partners,
            supervisors_per_partner=args.supervisors,
            runs=args.runs,
        )
        run(config, reuse=kept, out=sys.stdout)
    if args.scenario in {"all", "integrity"}:
        from django.core.management import call_command

        from bench.integrity import IntegrityBenchConfig
        from bench.integrity import run as run_integrity

        call_command("migrate", verbosity=0, interactive=False)
        sizes = (max(args.documents // 10, 1), args.documents)
        run_integrity(IntegrityBenchConfig(sizes=sizes, runs=min(args.runs, 5)), out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
