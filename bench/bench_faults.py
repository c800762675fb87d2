"""Fault benchmark of the queue: citizens chatting through the WeChat simulator while
a worker is killed with -9 and Redis restarts empty; then nothing may be lost or sent twice.

Everything runs on loopback in subprocesses: its own redis-server (port 6391,
no persistence, so a restart loses every queued job), a fresh PostgreSQL
database, the gateway under gunicorn, two `xinfang worker`s and the
simulator. Each citizen sends a complete petition, reads the summary, sends
`确认` and gets a 查询码; the registration notice is then pushed by a worker.
A warm-up of 150 citizens at a third of the rate, drained, comes first: a
service in use has served citizens before a busy minute, while a fresh
database and just-started processes hold the first seconds back (the worker
killed in the run starts cold all the same). The warm-up's messages and
notices count in every figure but the latency; `--warm-up 0` runs cold.

Prints messages sent, cases created, notifications expected, sent once, sent
twice, lost (cases are fewer than citizens: a petition naming two counties is
asked which one, and these scripted citizens answer only 确认); the latency from `确认` to the status push as the simulator
recorded it (p50/p99); and, for one worker, intakes registered a second of
its time in registration jobs (classification, routing and the database
writes; a job takes the intakes waiting beside its own, so fewer jobs run
than intakes), receipts sent a second of its time in send jobs, and intakes
with their receipts a second over the whole run, next to RQ's simple and
forking workers on trivial jobs, measured in the same run.

    python bench/bench_faults.py [--citizens 1500] [--rate 100] [--warm-up 150] [--intake-jobs 3000]
                                 [--intake-only] [--no-faults]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from xinfang.models import Case, InboundMessage, Notification, Petitioner  # noqa: E402
from xinfang.nlp import build  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "xinfang_bench_faults"
REDIS_PORT, WEB_PORT, SIM_PORT = 6391, 5391, 5392
CODE = re.compile(r"查询码：\s*([A-Z0-9]+)")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


class Stack:
    """The processes of the run, each in its own process group so a kill takes its children too."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
        self.env = {**os.environ, "XINFANG_DATA_DIR": str(workdir), "XINFANG_DATABASE_URL": self.database_url,
                    "XINFANG_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
                    "XINFANG_WECHAT_API_BASE": f"http://127.0.0.1:{SIM_PORT}/cgi-bin/",
                    "XINFANG_WECHAT_TOKEN": "bench-token", "XINFANG_SECRET_KEY": "bench-secret",
                    # The run may fall at night: quiet hours would hold every push till morning.
                    "XINFANG_QUIET_HOURS": "off"}
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def xinfang(self, name: str, *args: str) -> None:
        self.start(name, [sys.executable, "-m", "xinfang", *args])

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)

    def start_redis(self) -> None:
        self.start("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(self.workdir)])
        wait_for(lambda: redis.Redis(port=REDIS_PORT).ping())

    def wait_until_idle(self, cores: float = 0.1, timeout: float = 180.0) -> None:
        """Until the stack's processes together use less than `cores` for a second: started and
        warmed up, however long that takes on this host (a fixed sleep was too short on a slow one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(1.0)
            if self.cpu_seconds() - before < cores:
                return
        raise RuntimeError("the stack did not settle; see the logs in the work directory")

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.procs.values():
            try:
                root = psutil.Process(proc.pid)
                for p in (root, *root.children(recursive=True)):
                    times = p.cpu_times()
                    total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def run(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "xinfang", *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)


def wait_for(check, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError("a part of the stack did not come up; see the logs in the work directory")


def fresh_database() -> None:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()


def petitions(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    texts = [r["text"] for r in build.training_rows()]
    counties = json.loads((ROOT / "xinfang" / "data" / "counties.json").read_text(encoding="utf-8"))
    out = []
    for _ in range(n):
        county = rng.choice(counties)
        township = rng.choice(county["townships"])["name"]
        out.append(f"我是{county['name']}{township}的，{rng.choice(texts)}电话139{rng.randrange(10**8):08d}")
    return out


# --- the citizens ----------------------------------------------------------------

class Citizens:
    def __init__(self, n: int, rate: float, threads: int = 96, warm_up: int = 0):
        self.texts = petitions(n + warm_up)
        self.n, self.warm_up_n = n, warm_up
        self.rate = rate
        self.threads = threads
        self.sent = 0
        self.failed = 0
        self.confirmed: dict[str, tuple[float, str]] = {}  # openid -> (time 确认 was sent, code)
        self.lock = threading.Lock()
        self.http = threading.local()

    def _say(self, openid: str, content: str) -> str | None:
        # http.client, one kept-alive connection per thread: the load generator shares the CPUs with what
        # it measures.
        body = json.dumps({"openid": openid, "kind": "text", "text": content}).encode()
        try:
            if getattr(self.http, "conn", None) is None:
                self.http.conn = http.client.HTTPConnection("127.0.0.1", SIM_PORT, timeout=30)
            self.http.conn.request("POST", "/_sim/send", body=body, headers={"Content-Type": "application/json"})
            reply = json.loads(self.http.conn.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            self.http.conn = None
            reply = {"kind": "failed"}
        with self.lock:
            if reply.get("kind") == "failed":
                self.failed += 1
            else:
                self.sent += 1
        return reply.get("content")

    def one(self, i: int) -> None:
        """Citizen i: a petition, then 确认; the latency is timed for the measured load, not the warm-up."""
        timed = i < self.n
        openid = f"oBench{i:07d}" if timed else f"oWarm{i:07d}"
        self._say(openid, self.texts[i])
        started = time.time()
        answer = self._say(openid, "确认") or ""
        match = CODE.search(answer)
        if match and timed:
            with self.lock:
                self.confirmed[openid] = (started, match.group(1))

    def run(self) -> float:
        """The measured load: n citizens at `rate` a second."""
        return self._send(range(self.n), self.rate)

    def warm_up(self) -> None:
        """The warm-up citizens at a third of the rate: a service has served citizens before a busy
        minute, and a fresh database and just-started processes otherwise hold the first seconds
        back. Their messages and notices are counted with the others; their latency is not."""
        self._send(range(self.n, self.n + self.warm_up_n), self.rate / 3)

    def _send(self, indexes: range, rate: float) -> float:
        start = time.monotonic()
        with ThreadPoolExecutor(self.threads) as pool:
            for k, i in enumerate(indexes):
                delay = start + k / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.one, i)
        return time.monotonic() - start


# --- accounting ----------------------------------------------------------------------

def outstanding(engine) -> int:
    with engine.connect() as conn:
        waiting = conn.scalar(select(func.count()).select_from(Notification).where(
            Notification.petitioner_id.is_not(None), Notification.status.in_(("pending", "failed"))))
        pending = conn.scalar(select(func.count()).select_from(InboundMessage).where(
            InboundMessage.status == "pending"))
        unregistered = conn.scalar(select(func.count()).select_from(InboundMessage).where(
            InboundMessage.tracking_code.is_not(None), InboundMessage.case_id.is_(None)))
    return waiting + pending + unregistered


def drain(engine, timeout: float) -> None:
    """Wait until nothing is outstanding, or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while outstanding(engine) and time.monotonic() < deadline:
        time.sleep(2)


def account(engine, citizens: Citizens) -> dict:
    pushed = requests.get(f"http://127.0.0.1:{SIM_PORT}/_sim/sent", timeout=60).json()["messages"]
    seen: dict[tuple[str, str], list[float]] = {}
    for entry in pushed:
        payload = entry["payload"]
        body = payload["text"]["content"] if "text" in payload else payload["data"]["first"]["value"]
        seen.setdefault((entry["openid"], body), []).append(entry["at"])
    with engine.connect() as conn:
        rows = conn.execute(select(Notification.text, Notification.status, Petitioner.openid)
                            .join(Petitioner, Notification.petitioner_id == Petitioner.id)).all()
        figures = {
            "messages_sent": citizens.sent,
            "messages_refused": citizens.failed,
            "messages_stored": conn.scalar(select(func.count()).select_from(InboundMessage)
                                           .where(InboundMessage.msg_type != "event")),
            "messages_pending": conn.scalar(select(func.count()).select_from(InboundMessage)
                                            .where(InboundMessage.status == "pending")),
            "cases_created": conn.scalar(select(func.count()).select_from(Case)),
            "codes_given": len(citizens.confirmed),
        }
    # A citizen may be owed the same words twice (two notices alike): compare counts per (citizen, text).
    owed: dict[tuple[str, str], int] = {}
    for body, _, openid in rows:
        owed[(openid, body)] = owed.get((openid, body), 0) + 1
    sent = {key: len(seen.get(key, [])) for key in owed}
    figures.update({
        "notifications_expected": len(rows),
        "sent_once": sum(min(n, sent[key]) for key, n in owed.items()),
        "sent_twice": sum(max(0, sent[key] - n) for key, n in owed.items()),
        "lost": sum(max(0, n - sent[key]) for key, n in owed.items()),
        "dead": sum(1 for _, status, _ in rows if status == "dead"),
    })
    latencies, by_second = [], {}
    first = min((started for started, _ in citizens.confirmed.values()), default=0.0)
    for openid, (started, code) in citizens.confirmed.items():
        times = [at for (who, body), ats in seen.items() if who == openid and code in body and "已登记" in body
                 for at in ats]
        if times:
            latencies.append(min(times) - started)
            by_second.setdefault(int(started - first) // 3 * 3, []).append(min(times) - started)
    figures["latency_confirm_to_push_s"] = {"n": len(latencies), "p50": round(percentile(latencies, 0.5), 3),
                                            "p99": round(percentile(latencies, 0.99), 3)}
    # How the latency moved through the run (the faults are at 30% and 60% of it): p50 / p99 of the
    # 确认s sent in each 3-second span.
    figures["latency_by_3s_of_run"] = {f"{t}s": f"{percentile(v, 0.5):.1f} / {percentile(v, 0.99):.1f}"
                                       for t, v in sorted(by_second.items())}
    return figures


# --- intake throughput of one worker ------------------------------------------------------

def intake_throughput(stack: Stack, engine, n: int) -> dict:
    """One worker registering `n` submitted intakes (the job a WeChat 确认 enqueues: classification,
    routing, repeat links, the case, its timeline event and receipt notice, all written to the database)."""
    from rq import Queue, SimpleWorker, Worker
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    from xinfang.bot.dialogue import Intake
    from xinfang.cases import followups
    from xinfang.cases.codes import new_tracking_code

    conn = redis.Redis(port=REDIS_PORT)
    conn.flushdb()
    texts = petitions(n, seed=11)
    now = datetime.now(timezone.utc)
    with engine.begin() as db:
        ids = db.execute(insert(InboundMessage).returning(InboundMessage.id), [
            {"channel": "wechat", "external_id": f"bench-intake-{i}", "sender": f"oIntake{i:08d}", "msg_type": "text",
             "raw": "<xml/>", "payload": {"Content": "确认"}, "received_at": now, "status": "processed",
             "processed_at": now, "attempts": 1, "answer": "", "tracking_code": new_tracking_code(),
             "intake": asdict(Intake(step="confirm", text=t, phone_asked=True, started_at=now.isoformat()))}
            for i, t in enumerate(texts)]).scalars().all()
    # Each citizen has just sent 确认: a follower inside the 48-hour window, as in the chatting phase.
    requests.post(f"http://127.0.0.1:{SIM_PORT}/_sim/followers",
                  json={"openids": [f"oIntake{i:08d}" for i in range(n)]}, timeout=30).raise_for_status()
    intake = Queue("intake", connection=conn)
    with conn.pipeline() as pipe:
        for message_id in ids:
            intake.enqueue(followups.REGISTER_INTAKE, message_id, job_id=followups.register_job_id(message_id),
                           pipeline=pipe)
        pipe.execute()
    subprocess.run([sys.executable, "-m", "xinfang", "worker", "--burst"], cwd=ROOT, env=stack.env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # A job registers the intakes waiting beside its own and takes their jobs out of the queue:
    # the jobs that ran are fewer than the intakes, and the rates count intakes. The worker takes
    # the receipts' send jobs (queue notify) between the registrations: the intake rate counts the
    # time in registration jobs, the receipt rate the time in send jobs, and the worker's rate the
    # whole span, both kinds of job included.
    jobs = [j for j in Job.fetch_many([followups.register_job_id(i) for i in ids], connection=conn)
            if j and j.ended_at]
    sends = [j for j in Job.fetch_many(FinishedJobRegistry("notify", connection=conn).get_job_ids(), connection=conn)
             if j and j.ended_at]
    busy = sum((j.ended_at - j.started_at).total_seconds() for j in jobs)
    sending = sum((j.ended_at - j.started_at).total_seconds() for j in sends)
    span = (max(j.ended_at for j in jobs + sends) - min(j.started_at for j in jobs + sends)).total_seconds()
    with engine.connect() as db:
        registered = db.scalar(select(func.count()).select_from(InboundMessage).where(
            InboundMessage.id.in_(ids), InboundMessage.case_id.is_not(None)))
        receipts = db.scalar(select(func.count()).select_from(Notification).join(
            InboundMessage, InboundMessage.case_id == Notification.case_id).where(
            InboundMessage.id.in_(ids), Notification.status == "sent"))

    def trivial(worker_class, count: int) -> float:
        conn.flushdb()
        queue = Queue("baseline", connection=conn)
        with conn.pipeline() as pipe:
            for _ in range(count):
                queue.enqueue("os.getpid", pipeline=pipe)
            pipe.execute()
        start = time.perf_counter()
        worker_class([queue], connection=conn).work(burst=True, logging_level="WARNING")
        return count / (time.perf_counter() - start)

    simple = trivial(SimpleWorker, 2000)
    forking = trivial(Worker, 300)
    rate = registered / busy
    return {"intakes": len(ids), "registered": registered, "receipts_sent": receipts, "jobs_run": len(jobs),
            "send_jobs_run": len(sends),
            "intakes_per_s": round(rate, 1),
            "receipts_per_s": round(receipts / sending, 1) if sending else None,
            "intakes_with_receipts_per_s": round(registered / span, 1),
            "baseline_simple_worker_trivial_per_s": round(simple, 1),
            "baseline_forking_worker_trivial_per_s": round(forking, 1),
            "ratio_intakes_to_forking_trivial": round(rate / forking, 2),
            "ratio_intakes_to_simple_trivial": round(rate / simple, 2)}


# --- the run ---------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=100.0, help="citizens starting a second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--intake-jobs", type=int, default=3000, help="submitted intakes for the worker to register")
    parser.add_argument("--drain-timeout", type=float, default=360.0)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    parser.add_argument("--intake-only", action="store_true", help="only the intake throughput of one worker")
    parser.add_argument("--no-faults", action="store_true", help="the same load without the kill and the restart")
    parser.add_argument("--warm-up", type=int, default=150,
                        help="citizens served at a third of the rate, and drained, before the measured load")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="xinfang-faults-"))
    stack = Stack(workdir)
    try:
        fresh_database()
        stack.start_redis()
        stack.run("migrate")
        stack.run("seed")
        engine = create_engine(stack.database_url)
        stack.xinfang("simulate", "simulate", "--port", str(SIM_PORT),
                      "--gateway", f"http://127.0.0.1:{WEB_PORT}/wechat")
        stack.xinfang("web", "web", "--port", str(WEB_PORT), "--workers", "2")
        for i in range(args.workers):
            stack.xinfang(f"worker{i}", "worker")
        wait_for(lambda: requests.get(f"http://127.0.0.1:{WEB_PORT}/healthz", timeout=2).ok, 120)
        wait_for(lambda: requests.get(f"http://127.0.0.1:{SIM_PORT}/_sim/faults", timeout=2).ok)
        stack.wait_until_idle()  # the web and the workers load the dictionary and the classifier
        if args.intake_only:
            for i in range(args.workers):
                stack.kill(f"worker{i}")
            print(json.dumps(intake_throughput(stack, engine, args.intake_jobs), indent=1))
            return

        citizens = Citizens(args.citizens, args.rate, warm_up=args.warm_up)
        citizens.warm_up()
        drain(engine, args.drain_timeout)
        load = threading.Thread(target=citizens.run)
        started = time.monotonic()
        load.start()
        duration = args.citizens / args.rate
        faults = []
        if not args.no_faults:
            time.sleep(duration * 0.3)
            stack.kill("worker0")
            faults.append(f"{time.monotonic() - started:.1f}s: worker0 killed -9")
            time.sleep(1.0)
            stack.xinfang("worker0", "worker")
            time.sleep(duration * 0.3)
            stack.kill("redis")
            faults.append(f"{time.monotonic() - started:.1f}s: redis killed -9 (no persistence)")
            time.sleep(2.0)
            stack.start_redis()
            faults.append(f"{time.monotonic() - started:.1f}s: redis back, empty")
        load.join()
        load_seconds = time.monotonic() - started

        drain(engine, args.drain_timeout)
        drain_seconds = time.monotonic() - started - load_seconds
        time.sleep(1)
        figures = account(engine, citizens)
        figures.update({"warm_up_citizens": args.warm_up, "load_seconds": round(load_seconds, 1),
                        "drain_seconds": round(drain_seconds, 1), "faults": faults})
        for i in range(args.workers):
            stack.kill(f"worker{i}")
        figures.update(intake_throughput(stack, engine, args.intake_jobs))
        engine.dispose()
    finally:
        stack.stop_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.keep:
        print(f"logs: {workdir}")


if __name__ == "__main__":
    main()
