"""Benchmark of the staff panel's lists, search and overview at a million cases on PostgreSQL.

Loads N cases (default 1,000,000) and a survey per reply with COPY into a
database of its own (created, migrated and seeded here), spread realistically
over statuses, counties, departments, categories and three years, and
computes the overview's totals from them, with the notifications the cases
left (pushes and the clocks' staff notices); then times the staff API
— the same queries the panel runs — through the Flask app, and prints the
p95 of each against GET /healthz measured in the same run (target < 200 ms).

    python bench/bench_admin.py [--n 1000000] [--reuse] [--url postgresql+psycopg://postgres@127.0.0.1:5432/xinfang_bench_admin]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from xinfang import create_app  # noqa: E402
from xinfang.admin import accounts, overview  # noqa: E402
from xinfang.cases import totals  # noqa: E402
from xinfang.cases.codes import ALPHABET  # noqa: E402
from xinfang.cases.names import name_keys  # noqa: E402
from xinfang.config import Settings  # noqa: E402
from xinfang.migrate import upgrade  # noqa: E402
from xinfang.runtime import init_runtime  # noqa: E402
from xinfang.seed import load_reference_data  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xinfang_bench_admin"
COUNTIES = ["康定市", "泸定县", "丹巴县", "九龙县", "雅江县", "道孚县", "炉霍县", "甘孜县", "新龙县", "德格县",
            "白玉县", "石渠县", "色达县", "理塘县", "巴塘县", "乡城县", "稻城县", "得荣县"]
COUNTY_WEIGHTS = [20, 8, 6, 5, 5, 5, 4, 6, 4, 6, 4, 5, 4, 7, 4, 3, 3, 2]
TOPICS = {  # category: (department, words)
    "劳动和社会保障": ("rsj", "工地老板拖欠工资"), "城乡建设": ("zjj", "小区物业乱收费"),
    "国土资源": ("zrzyj", "宅基地边界纠纷"), "农村农业": ("nyncj", "草原补贴没有发放"),
    "交通运输": ("jtysj", "村道塌方无人修"), "教育文体": ("jyj", "学校乱收费"),
    "民政": ("mzj", "低保被取消"), "卫生计生": ("wjw", "医院收费不合理"), "环境保护": ("sthjj", "河道倾倒垃圾"),
    "政法": ("zfw", "判决执行不了"), "纪检监察": ("jw", "干部收受好处"), "水电移民": ("ymj", "移民安置款"),
    "商贸旅游": ("wglj", "景区强制消费"), "金融": ("jrb", "非法集资还不了钱"), "其他": ("xfj", "感谢帮助"),
}
TOPIC_WEIGHTS = [18, 12, 10, 12, 6, 6, 8, 5, 4, 6, 4, 3, 2, 2, 2]
STATUS_WEIGHTS = {"closed": 64, "routed": 8, "not_accepted": 4, "replied": 8, "accepted": 8, "assigned": 3,
                  "received": 3, "review": 1.5, "rereview": 0.5}
PATHS = {"劳动和社会保障": "arbitration", "政法": "litigation", "纪检监察": "discipline"}
SURNAMES = ["扎西", "卓玛", "次仁", "拉姆", "格桑", "央金", "泽仁", "德吉", "王", "李", "张", "刘", "陈", "杨"]
GIVEN = ["", "多吉", "平措", "措姆", "明", "华", "军", "芳", "强", "丽", "伟", "英"]


def code_of(n: int) -> str:
    out = []
    for _ in range(10):
        n, r = divmod(n, len(ALPHABET))
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def fresh_database(url: str) -> None:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    upgrade(url)


def load(url: str, n: int, now: datetime, seed: int = 7) -> None:
    rng = random.Random(seed)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    people = max(1, n // 3)
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy("COPY petitioners (id, openid, name, name_pinyin, name_initials, phone, subscribed, created_at)"
                      " FROM STDIN") as copy:
            for i in range(1, people + 1):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                pinyin, initials = name_keys(name)
                copy.write_row((i, f"o{i:027d}" if i % 3 else None, name, pinyin, initials,
                                f"1{rng.randint(3, 9)}{i:09d}", True, now))
        statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        categories = list(TOPICS)
        columns = ("id, tracking_code, channel, petitioner_id, text, status, category, path, demand_type, county, "
                   "collective, urgent, tibetan, confidential, publish_consent, suggested_department_code, "
                   "department_code, clock, due_at, received_at, assigned_at, accepted_at, replied_at, closed_at, "
                   "extension_days, review_level, review_requested_at, reply_outcome, duplicate_of_id, created_at, "
                   "updated_at, version")
        # One 满意度评价 per first 处理意见, sent the next day; its own generator keeps the cases as before.
        survey_rng, surveys = random.Random(seed + 1), []
        # The outbox as the cases left it: a push to the citizen per step, and the clocks' staff notices.
        notices_rng, notices = random.Random(seed + 2), []
        with cur.copy(f"COPY cases ({columns}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                status = rng.choices(statuses, weights)[0]
                # Open cases are recent; closed ones spread over three years.
                age = rng.uniform(0, 80) if status in ("received", "assigned", "accepted", "review", "rereview",
                                                       "replied") else rng.uniform(60, 3 * 365)
                received = now - timedelta(days=age)
                category = rng.choices(categories, TOPIC_WEIGHTS)[0]
                department, words = TOPICS[category]
                assigned = accepted = replied = closed = due = clock = asked = outcome = None
                level = 0
                if status not in ("received", "routed", "not_accepted"):
                    assigned = received + timedelta(days=rng.uniform(0.2, 10))
                if status in ("accepted", "replied", "review", "rereview", "closed"):
                    accepted = assigned + timedelta(days=rng.uniform(0.5, 18))
                if status in ("replied", "review", "rereview", "closed"):
                    replied = accepted + timedelta(days=rng.uniform(5, 70))
                    outcome = rng.choice(("支持", "解释说明", "不予支持"))
                if status in ("review", "rereview"):
                    asked, level = replied + timedelta(days=rng.uniform(1, 25)), 0 if status == "review" else 1
                if status in ("closed", "routed", "not_accepted"):
                    closed = (replied or received) + timedelta(days=rng.uniform(1, 40))
                clock, due = {
                    "received": ("route", received + timedelta(days=15)),
                    "assigned": ("notify", (assigned or received) + timedelta(days=15)),
                    "accepted": ("reply", (accepted or received) + timedelta(days=60)),
                    "replied": ("review_window", (replied or received) + timedelta(days=30)),
                    "review": ("review", (asked or received) + timedelta(days=30)),
                    "rereview": ("rereview", (asked or received) + timedelta(days=30)),
                }.get(status, (None, None))
                demand = "检举控告" if category == "纪检监察" else rng.choice(("求决", "求决", "咨询", "建议意见", "申诉"))
                copy.write_row((
                    i, code_of(i * 7919 + 1000003), rng.choice(("wechat", "wechat", "mailbox", "api")),
                    rng.randint(1, people), f"{rng.choice(COUNTIES)}{words}，第{i}号来信，请求尽快处理。", status,
                    category, PATHS.get(category, "petition") if rng.random() < 0.3 else "petition", demand,
                    rng.choices(COUNTIES, COUNTY_WEIGHTS)[0], rng.random() < 0.03, rng.random() < 0.01,
                    rng.random() < 0.05, demand == "检举控告", False, department,
                    None if status in ("received", "routed", "not_accepted") else department, clock, due, received,
                    assigned, accepted, replied, closed, 0, level, asked, outcome,
                    rng.randint(1, i - 1) if i > 10 and rng.random() < 0.04 else None, received, received, 1))
                notices += outbox_rows(notices_rng, i, received, (assigned, accepted, replied, closed), clock, due,
                                       now)
                if replied:
                    sent = replied + timedelta(days=1)
                    answer = survey_rng.choice(("满意", "满意", "基本满意", "不满意", None))
                    state = "answered" if answer else "expired" if sent < now - timedelta(days=7) else "sent"
                    surveys.append((i, 0, "wechat", state, sent, sent, sent + timedelta(hours=5) if answer else None,
                                    answer, sent))
        with cur.copy("COPY surveys (case_id, review_level, channel, status, due_at, sent_at, answered_at, answer, "
                      "created_at) FROM STDIN") as copy:
            for row in surveys:
                copy.write_row(row)
        with cur.copy("COPY notifications (idempotency_key, case_id, event, channels, channel, text, data, urgent, "
                      "status, attempts, next_attempt_at, created_at, sent_at) FROM STDIN") as copy:
            for row in notices:
                copy.write_row(row)
        cur.execute("SELECT setval('cases_id_seq', %s)", (n,))
        cur.execute("SELECT setval('petitioners_id_seq', %s)", (people,))
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"loaded {n:,} cases, {len(surveys):,} surveys, {len(notices):,} notifications and {people:,} petitioners "
          f"in {time.perf_counter() - t0:.0f} s")


def outbox_rows(rng: random.Random, case_id: int, received: datetime, steps: tuple, clock: str | None,
                due: datetime | None, now: datetime) -> list[tuple]:
    """A case's notifications: a push to the citizen at receipt and at each later step, and the staff
    notices its clocks raised (now and then in a closed case's past; every one due in an open case's)."""
    rows = []

    def add(event, channel, at, text, data):
        rows.append((f"bench:{case_id}:{event}:{len(rows)}", case_id, event, json.dumps([channel]), channel, text,
                     json.dumps(data), False, "sent", 1, at, at, at))

    for event, at in zip(("received", "assigned", "accepted", "replied", "closed"), (received, *steps)):
        if at is not None:
            add(event, "wechat_custom", at, "您的信访事项有新进展", {})
    code = code_of(case_id * 7919 + 1000003)
    if due is not None:  # an open case: what its running clock has raised by now
        for kind, at in (("reminder", due - timedelta(days=3)), ("reminder", due - timedelta(days=1)),
                         ("overdue", due), ("supervise", due + timedelta(days=1))):
            if at <= now:
                add(kind, "staff", at, f"案件{code}提醒", {"tracking_code": code})
    elif rng.random() < 0.3:  # a closed case whose clock once came near its end
        add("reminder", "staff", received + timedelta(days=12), f"案件{code}提醒", {"tracking_code": code})
        if rng.random() < 0.3:
            add("overdue", "staff", received + timedelta(days=15), f"案件{code}超期", {"tracking_code": code})
            add("supervise", "staff", received + timedelta(days=16), f"案件{code}待督办", {"tracking_code": code})
    return rows


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 2 else samples[0]


def timed(client, path, headers, repeat, before=None) -> list[float]:
    client.get(path, headers=headers)  # warm the plan cache and the pages
    out = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        response = client.get(path, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:200])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from an earlier run")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    if not args.reuse:
        fresh_database(args.url)
    settings = Settings.from_env({"XINFANG_DATABASE_URL": args.url, "XINFANG_REDIS_URL": args.redis,
                                  "XINFANG_SECRET_KEY": "bench", "XINFANG_DATA_DIR": tempfile.mkdtemp(prefix="xinfang-bench-admin-")})
    rt = init_runtime(settings)
    with rt.Session() as session:
        load_reference_data(session)
        if not args.reuse:
            load(args.url, args.n, now)
            # COPY bypasses the case service, so the overview's totals are computed once from the cases.
            t0 = time.perf_counter()
            rows = totals.rebuild(session, rt.calendar)
            print(f"rebuilt {rows:,} total rows in {time.perf_counter() - t0:.0f} s")
        tokens = {}
        for name, role, department, county in (("bench_admin", "admin", None, None),
                                               ("bench_clerk", "clerk", None, None),
                                               ("bench_handler", "handler", "rsj", None),
                                               ("bench_county", "handler", "rsj", "理塘县")):
            from sqlalchemy import select

            from xinfang.models import StaffUser
            user = session.scalar(select(StaffUser).where(StaffUser.username == name)) or \
                accounts.create_user(session, name, role, password="bench-password", department_code=department,
                                     county=county)[0]
            tokens[name] = {"Authorization": f"Bearer {accounts.issue_token(session, user)}"}
        count = session.execute(text("select count(*) from cases")).scalar()
        sample = session.execute(text("select c.tracking_code, p.phone, p.name_pinyin, p.name_initials "
                                      "from cases c join petitioners p on p.id = c.petitioner_id "
                                      "where c.id = :id"), {"id": count // 2}).one()
    app = create_app(settings)
    client = app.test_client()
    print(f"{count:,} cases on PostgreSQL; p95 of {args.repeat} requests each, through the staff API\n")

    baseline = p95(timed(client, "/healthz", {}, args.repeat))
    admin, handler, county = tokens["bench_admin"], tokens["bench_handler"], tokens["bench_county"]
    first = client.get("/api/v1/staff/cases?queue=closed&limit=50", headers=admin).get_json()["next"]
    checks = [
        ("queue 待登记 (admin)", "/api/v1/staff/cases?queue=intake", admin),
        ("queue 我的待办 (handler)", "/api/v1/staff/cases?queue=mine", handler),
        ("queue 即将到期 (admin)", "/api/v1/staff/cases?queue=due_soon", admin),
        ("queue 已超期 (admin)", "/api/v1/staff/cases?queue=overdue", admin),
        ("queue 复查复核 (county handler)", "/api/v1/staff/cases?queue=review", county),
        ("queue 已办结 page 2 (admin)", f"/api/v1/staff/cases?queue=closed&after={first}", admin),
        ("queue 全部 + county + category", "/api/v1/staff/cases?queue=all&county=理塘县&category=民政", admin),
        ("queue counts (admin)", "/api/v1/staff/queues", admin),
        ("search tracking code", f"/api/v1/staff/cases?q={sample.tracking_code}", admin),
        ("search phone", f"/api/v1/staff/cases?q={sample.phone}", admin),
        ("search pinyin", f"/api/v1/staff/cases?q={sample.name_pinyin}", admin),
        ("search initials", f"/api/v1/staff/cases?q={sample.name_initials}", admin),
        ("search words (handler)", "/api/v1/staff/cases?q=拖欠工资", handler),
        ("search words (admin)", "/api/v1/staff/cases?q=移民安置款", admin),
        ("overview 12 months (cached 5 min)", "/api/v1/staff/overview", admin),
        ("提醒 (handler)", "/api/v1/staff/notices", handler),
        ("提醒 (county handler)", "/api/v1/staff/notices", county),
        ("提醒 (clerk)", "/api/v1/staff/notices", tokens["bench_clerk"]),
        ("提醒 督办 (admin)", "/api/v1/staff/notices", admin),
    ]
    print(f"{'what':36} {'p95 ms':>9} {'× /healthz':>11}")
    print(f"{'GET /healthz (baseline)':36} {baseline:9.1f} {1:11.1f}")
    for label, path, headers in checks:
        value = p95(timed(client, path, headers, args.repeat))
        flag = "" if value < 200 else "  over 200 ms"
        print(f"{label:36} {value:9.1f} {value / baseline:11.1f}{flag}")
    # The first leader after the cache expires pays for the computation itself.
    value = p95(timed(client, "/api/v1/staff/overview", admin, max(3, args.repeat // 4), before=overview._cache.clear))
    print(f"{'overview 12 months (computed)':36} {value:9.1f} {value / baseline:11.1f}{'' if value < 200 else '  over 200 ms'}")


if __name__ == "__main__":
    main()
