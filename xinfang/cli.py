"""The `xinfang` command (also `python -m xinfang`). Contracts in DESIGN.md §4."""
from __future__ import annotations

import argparse
import json
import sys

from .config import ConfigError, Settings


def _settings() -> Settings:
    return Settings.from_env()


def cmd_up(args) -> int:
    from .up import run_up

    return run_up(_settings(), host=args.host, port=args.port)


def cmd_web(args) -> int:
    from .web import run_web

    return run_web(_settings(), host=args.host, port=args.port, workers=args.workers)


def cmd_worker(args) -> int:
    from .queue.worker import run_worker

    run_worker(_settings(), burst=args.burst)
    return 0


def cmd_migrate(args) -> int:
    from .migrate import upgrade

    upgrade(_settings().database_url)
    return 0


def cmd_seed(args) -> int:
    from . import runtime
    from .migrate import upgrade
    from .seed import load_reference_data

    settings = _settings()
    settings.make_data_dir()
    upgrade(settings.database_url)
    with runtime.init_runtime(settings).Session() as session:
        counts = load_reference_data(session, args.directory)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def cmd_user_add(args) -> int:
    from . import runtime
    from .admin.accounts import AccountError, create_user, issue_token

    with runtime.init_runtime(_settings()).Session() as session:
        try:
            user, password = create_user(session, args.name, args.role, password=args.password,
                                         department_code=args.department, county=args.county)
        except AccountError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not args.password:
            print(f"password: {password}")
        print(f"created {user.username} ({user.role})")
        if args.token:
            print(issue_token(session, user))
    return 0


def cmd_stats(args) -> int:
    from . import runtime
    from .stats import collect_stats

    rt = runtime.init_runtime(_settings())
    with rt.Session() as session:
        stats = collect_stats(session, rt.redis if rt.settings.redis_url else None)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for section, values in stats.items():
            print(f"{section}: {json.dumps(values, ensure_ascii=False)}")
    return 0


def cmd_simulate(args) -> int:
    from .simulator.app import run_simulator

    s = _settings()
    run_simulator(args.host, args.port, gateway_url=args.gateway, token=s.wechat_token, appid=s.wechat_appid,
                  secret=s.wechat_secret, aes_key=s.wechat_aes_key)
    return 0


def cmd_report(args) -> int:
    """The monthly 通报 (xlsx and PDF) into the data directory or --out; prints the two paths."""
    from pathlib import Path

    from . import runtime
    from .reports import last_month, write_monthly

    rt = runtime.init_runtime(_settings())
    month = args.month or last_month(rt.calendar)
    out = Path(args.out) if args.out else rt.settings.data_dir / "reports"
    try:
        with rt.Session() as session:
            files = write_monthly(session, rt.calendar, month, out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(files.xlsx)
    print(files.pdf)
    return 0


def cmd_totals(args) -> int:
    """Recompute the overview's totals from the cases: after a bulk load or a new holiday calendar. Idempotent."""
    from . import runtime
    from .cases.totals import rebuild

    rt = runtime.init_runtime(_settings())
    with rt.Session() as session:
        print(f"{rebuild(session, rt.calendar)} total rows")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xinfang", description="信访通 — petition intake gateway")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("up", help="the whole system on embedded defaults")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("web", help="gunicorn serving the app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("worker", help="one RQ worker with the scheduler")
    p.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="load or refresh the reference data")
    p.add_argument("--directory", default=None, help="a folder with counties.json, departments.json, mailboxes.json")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("user", help="staff users")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    p = user_sub.add_parser("add", help="create a staff user")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["clerk", "handler", "supervisor", "leader", "admin"])
    p.add_argument("--department")
    p.add_argument("--county")
    p.add_argument("--password")
    p.add_argument("--token", action="store_true", help="print an API token on the last line")
    p.set_defaults(func=cmd_user_add)

    p = sub.add_parser("stats", help="counts of messages, cases, notifications, surveys, queues")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("report", help="the monthly 通报 as an Excel workbook and a PDF")
    p.add_argument("--month", help="YYYY-MM (default: last month)")
    p.add_argument("--out", help="folder for the files (default: reports/ in the data directory)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("totals", help="recompute the overview's totals from the cases")
    p.set_defaults(func=cmd_totals)

    from .nlp import cli as nlp_cli

    p = sub.add_parser("classify", help="JSON lines {id, text} in, labels out")
    nlp_cli.configure_classify(p)
    p.set_defaults(func=nlp_cli.classify_main)

    p = sub.add_parser("nlp", help="train and evaluate the classifier")
    nlp_sub = p.add_subparsers(dest="nlp_command", required=True)
    for name, helptext, configure, run in (
        ("train", "train the topic model on CSV, TSV or JSON lines", nlp_cli.configure_train, nlp_cli.train_main),
        ("evaluate", "accuracy, macro-F1, per-label figures, confusion matrix", nlp_cli.configure_evaluate,
         nlp_cli.evaluate_main),
    ):
        p = nlp_sub.add_parser(name, help=helptext)
        configure(p)
        p.set_defaults(func=run)
    p = nlp_sub.add_parser("build-model", help="rebuild the shipped model from xinfang/nlp/training/")
    p.add_argument("--out", default=None)
    p.set_defaults(func=nlp_cli.build_model_main)

    p = sub.add_parser("simulate", help="the WeChat platform on loopback")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5100)
    p.add_argument("--gateway", default="http://127.0.0.1:5000/wechat")
    p.set_defaults(func=cmd_simulate)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code or 0)
