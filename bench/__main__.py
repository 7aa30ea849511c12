"""``python -m bench`` (``make bench``): point Django at the bench database, create it, then run.

The database comes from ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/tandem_bench``)
and is the bench's own: it is dropped and created again on every run (``--keep`` reuses a finished
load), so its name must contain "bench". Settings default to ``config.settings.test``: DEBUG off, as in
production, without production's HTTPS redirects. Issue #19's table (``bench/scale.py``) reads its pages and
lists over HTTP (``--client http``, the default) from gunicorn, which the bench starts on this database with
``config.settings.production`` (2 workers; ``bench/server.py``; its cache is the Redis database
``BENCH_CACHE_URL``, default ``redis://127.0.0.1:6379/15``, flushed at start), or with ``--client in-process``
through Django's test client in this process.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Practice-hours, originality and funds benchmarks (PostgreSQL)."
    )
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries to load (default 1,000,000)")
    parser.add_argument("--students", type=int, default=10_000, help="students (default 10,000)")
    parser.add_argument("--partners", type=int, default=100, help="partners that take students (default 100)")
    parser.add_argument("--supervisors", type=int, default=20, help="supervisors per partner (default 20)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement (default 15)")
    parser.add_argument(
        "--no-scale",
        dest="scale",
        action="store_false",
        help="skip issue #19's table (hot pages, lists at 10k and at all entries, scoped lists, hours): bench/scale.py",
    )
    parser.add_argument(
        "--client",
        choices=["http", "in-process"],
        default="http",
        help="how issue #19's table reads pages and lists (rows 1-3): over HTTP from gunicorn with production "
        "settings, 2 workers, started by the bench (http, default), or Django's test client in this process",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database if it holds a finished load")
    parser.add_argument(
        "--scenario",
        choices=["all", "practice", "integrity", "funds", "imports", "draw", "reports", "quality"],
        default="all",
        help="practice hours (1M entries), originality checks (1k and 10k documents), funds (100k expenditures), "
        "set-based bulk import against COPY (imports), the spot draw at 1%% and 100%% of --draw-candidates (draw), "
        "a 50-page inspection report PDF against a plain document of its text (reports), or all (default)",
    )
    parser.add_argument("--documents", type=int, default=10_000, help="largest originality corpus (default 10,000)")
    parser.add_argument("--expenditures", type=int, default=100_000, help="fund expenditures to load (default 100,000)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="entries a bulk import writes (100,000)")
    parser.add_argument("--draw-candidates", type=int, default=100_000, help="largest spot draw (100,000; small: 1%%)")
    parser.add_argument("--quality-students", type=int, default=500, help="students of the quality scenario (500)")
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
    # The test settings count the navigation on every page (NAV_CACHE_SECONDS=0, for the suite's query
    # counts); the bench measures what production serves, which keeps it between writes (ADR 0051).
    os.environ.setdefault("NAV_CACHE_SECONDS", "60")
    # Likewise the hot pages kept between writes to what they read (ADR 0055): row 1 times them both ways.
    os.environ.setdefault("PAGE_CACHE_SECONDS", "60")
    # And the reads kept between writes to what they weigh (ADR 0068): row 1 times the at-risk list a third
    # time, with its kept risk dropped too.
    os.environ.setdefault("READ_CACHE_SECONDS", "60")
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
        run(config, reuse=kept, out=sys.stdout, scale=args.scale, client=args.client)
    if args.scenario in {"all", "integrity"}:
        from django.core.management import call_command

        from bench.integrity import IntegrityBenchConfig
        from bench.integrity import run as run_integrity

        call_command("migrate", verbosity=0, interactive=False)
        sizes = (max(args.documents // 10, 1), args.documents)
        run_integrity(IntegrityBenchConfig(sizes=sizes, runs=min(args.runs, 5)), out=sys.stdout)
    if args.scenario in {"all", "funds"}:
        _funds(args, reuse=kept)
    if args.scenario in {"all", "imports"}:
        from bench.imports import run_imports

        run_imports(rows=args.import_rows, row_path_rows=200, runs=min(args.runs, 3), out=sys.stdout)
    if args.scenario in {"all", "draw"}:
        from bench.draw import run_draw

        sizes = (max(args.draw_candidates // 100, 1), args.draw_candidates)
        run_draw(sizes=sizes, runs=min(args.runs, 3), out=sys.stdout)
    if args.scenario in {"all", "reports"}:
        _reports(args)
    if args.scenario in {"all", "quality"}:
        _quality(args, reuse=kept)
    return 0


def _quality(args: argparse.Namespace, *, reuse: bool) -> None:
    """The quality scenario (bench/quality.py): the whole report for 500 students and --entries entries
    (its own programme, beside whatever else the database holds)."""
    from bench.quality import QualityBenchConfig
    from bench.quality import run as run_quality

    config = QualityBenchConfig(students=args.quality_students, entries=args.entries, runs=min(args.runs, 3))
    run_quality(config, reuse=reuse, out=sys.stdout)


def _reports(args: argparse.Namespace) -> None:
    """The reports scenario (bench/reports.py): its own inspection, whatever else the database holds."""
    from django.core.management import call_command

    from bench.reports import ReportBenchConfig
    from bench.reports import run as run_reports

    call_command("migrate", verbosity=0, interactive=False)
    run_reports(ReportBenchConfig(runs=min(args.runs, 3)), out=sys.stdout)


def _funds(args: argparse.Namespace, *, reuse: bool) -> None:
    """The funds scenario (bench/funds.py), on the practice scenario's programme or a small one of its own."""
    import time

    from django.core.management import call_command
    from django.utils import timezone

    from bench.funds import run as run_funds
    from bench.practice import populate
    from programmes.models import Programme

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    programme = Programme.objects.filter(code="bench-mit").first()
    if programme is None:
        population = populate(students=200, partners=20, supervisors_per_partner=1, today=timezone.localdate())
        programme = Programme.objects.get(pk=population.programme_id)
    out = sys.stdout
    out.write("\nTandem funds bench\n")
    results = run_funds(
        programme=programme, expenditures=args.expenditures, runs=args.runs, warmup=3, reuse=reuse, out=out
    )
    header = f"{'measurement':<44} {'median':>10} {'floor':<22} {'median':>10} {'ratio':>7} {'queries':>7} {'runs':>4}"
    out.write("\n" + header + "\n" + "-" * len(header) + "\n")
    for r in results:
        out.write(
            f"{r.name:<44} {r.median * 1000:>8.1f}ms {r.floor_name:<22} {r.floor_median * 1000:>8.1f}ms "
            f"{r.ratio:>6.2f}x {r.queries:>7} {r.runs:>4}\n"
        )
    out.write(f"\nfunds scenario {time.perf_counter() - started:.1f} s\n")


if __name__ == "__main__":
    sys.exit(main())
