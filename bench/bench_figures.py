"""Benchmark of the monthly figures and the 通报 against reading the same rows.

Fills a database with one month of cases (each registered, assigned,
accepted and replied, most with a survey, some asking for 复查), then times
cases.figures.monthly_figures and the two report files, and compares with
the baseline of merely reading the rows the figures are made of.

    python bench/bench_figures.py [--cases 20000] [--database-url URL]
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from xinfang.cases.deadlines import Calendar  # noqa: E402
from xinfang.cases.figures import CASE_COLUMNS, month_bounds, monthly_figures  # noqa: E402
from xinfang.migrate import upgrade  # noqa: E402
from xinfang.models import Case, CaseEvent, County, Department, Survey  # noqa: E402
from xinfang.reports import pdf, workbook  # noqa: E402
from xinfang.runtime import make_engine  # noqa: E402
from xinfang.seed import load_reference_data  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

MONTH = "2026-11"
ANSWERS = ("满意", "满意", "满意", "基本满意", "基本满意", "不满意", None, None)


def fill(session: Session, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    departments = list(session.scalars(select(Department.code)))
    counties = list(session.scalars(select(County.name)))
    start = datetime(2026, 10, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    for i in range(n):
        received = start + timedelta(minutes=rng.randrange(40 * 24 * 60))
        assigned, accepted = received + timedelta(days=1), received + timedelta(days=rng.randrange(2, 20))
        replied = accepted + timedelta(days=rng.randrange(3, 30))
        case = Case(tracking_code=f"B{i:09d}", channel="wechat", text="bench", status="replied",
                    department_code=rng.choice(departments), county=rng.choice(counties), category="其他",
                    received_at=received, created_at=received, assigned_at=assigned, accepted_at=accepted,
                    replied_at=replied)
        session.add(case)
        session.flush()
        session.add_all([CaseEvent(case_id=case.id, action=a, actor_kind="staff", at=t)
                         for a, t in (("assign", assigned), ("accept", accepted), ("reply", replied))])
        if rng.random() < 0.1:
            session.add(CaseEvent(case_id=case.id, action="request_review", actor_kind="citizen",
                                  at=replied + timedelta(days=5)))
        answer = rng.choice(ANSWERS)
        session.add(Survey(case_id=case.id, channel="wechat", status="answered" if answer else "sent",
                           due_at=replied + timedelta(days=1), sent_at=replied + timedelta(days=1), answer=answer))
        if i % 2000 == 1999:
            session.commit()
    session.commit()


def read_rows(session: Session, cal: Calendar) -> int:
    """The baseline: the same columns of the same rows the figures are made of, read and nothing more."""
    start, end = month_bounds(MONTH, cal)
    rows = session.execute(select(Survey.answer, *CASE_COLUMNS).join(Case, Survey.case_id == Case.id)
                           .where(Survey.sent_at >= start, Survey.sent_at < end)).all()
    rows += session.execute(select(CaseEvent.at, *CASE_COLUMNS).join(Case, CaseEvent.case_id == Case.id)
                            .where(CaseEvent.action.in_(("accept", "reply")), CaseEvent.at >= start,
                                   CaseEvent.at < end)).all()
    rows += session.execute(select(*CASE_COLUMNS).where(Case.received_at >= start, Case.received_at < end)).all()
    return len(rows)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        cal = Calendar.load()
        with Session(engine) as session:
            load_reference_data(session)
            _, fill_s = timed(lambda: fill(session, args.cases))
        with Session(engine) as session:
            rows, base_s = timed(lambda: read_rows(session, cal))
        with Session(engine) as session:
            figures, fig_s = timed(lambda: monthly_figures(session, cal, MONTH))
        _, xlsx_s = timed(lambda: workbook.write_workbook(figures, io.BytesIO()))
        _, pdf_s = timed(lambda: pdf.write_pdf(figures, io.BytesIO()))
        engine.dispose()
    print(f"database: {url.split(':')[0]}, {args.cases} cases (filled in {fill_s:.1f} s)")
    print(f"baseline, reading the {rows} rows of {MONTH}: {base_s * 1000:.0f} ms")
    print(f"monthly_figures: {fig_s * 1000:.0f} ms (sent {figures.total.sent}, replied {figures.total.replied})")
    print(f"ratio figures / baseline: {fig_s / base_s:.2f}x")
    print(f"workbook: {xlsx_s * 1000:.0f} ms, PDF: {pdf_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
