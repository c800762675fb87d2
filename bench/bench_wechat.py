"""Benchmark of the WeChat callback: the gateway against a bare wechatpy handler, same run, same load.

All three servers run under gunicorn with the options of `xinfang web` (gthread, --workers, its
threads) on loopback ports and get the same signed, encrypted (safe mode) callbacks:
conversations of many citizens, each a petition text, a county answer,
"跳过", "确认" (a case is registered) and "查询". The gateway stores every
message, runs the dialogue and answers; the bare handler only verifies,
decrypts, parses and replies (the floor any wechatpy gateway pays). The third,
the least a callback that keeps the gateway's guarantees must do, adds to the bare
handler one Redis round trip before the answer (replay, lock, draft), the message
stored with its answer, and one round trip after (draft, lock): the scripts run
as the gateway's do (bot.redis_scripts), the row is written on the DBAPI, and
there is no dialogue. How far the gateway is from it is what its other libraries
and its dialogue cost.

Prints, for each: throughput with a closed loop of client threads (the
median of alternating rounds, after a warm-up round), the CPU time the
servers spent per message in that loop (gunicorn's processes plus
the PostgreSQL and Redis servers: a figure a busy shared machine disturbs
less than throughput), then p50/p99 latency at a paced 200 messages/second
(latency counted from the moment each message was due, so a stall is not
hidden), and the ratios.
Targets: gateway ≥ 0.5 × the bare throughput, gateway p99 < 100 ms at 200/s.

Needs Redis (XINFANG_REDIS_URL, default db 12 on 127.0.0.1) and a database
(XINFANG_DATABASE_URL; default a fresh SQLite file in a temporary directory).

    python bench/bench_wechat.py [--users 400] [--rounds 5] [--workers 2] [--threads N] [--clients 16]
                                 [--seconds 8] [--rate 200]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402
import redis  # noqa: E402
from flask import Flask, Response, request  # noqa: E402
from wechatpy import parse_message  # noqa: E402
from wechatpy.crypto import WeChatCrypto  # noqa: E402
from wechatpy.replies import TextReply  # noqa: E402
from wechatpy.utils import check_signature  # noqa: E402

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert  # noqa: E402

from xinfang.bot import redis_scripts  # noqa: E402
from xinfang.config import Settings  # noqa: E402
from xinfang.migrate import upgrade  # noqa: E402
from xinfang.nlp import build  # noqa: E402
from xinfang.runtime import init_runtime, make_engine  # noqa: E402
from xinfang.seed import load_reference_data  # noqa: E402
from xinfang.simulator import messages  # noqa: E402
from xinfang.simulator.crypto import CallbackSigner  # noqa: E402
from xinfang.web import THREADS, GunicornServer, gateway_loader, gunicorn_options  # noqa: E402

TOKEN = "bench-token"
APPID = "wxbench000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_bench"
RATE = 200


# --- the two servers --------------------------------------------------------------

def bare_app() -> Flask:
    """What any wechatpy gateway does at the least: verify, decrypt, parse, reply."""
    app = Flask(__name__)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    @app.route("/wechat", methods=["GET", "POST"])
    def callback():
        args = request.args
        check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
        if request.method == "GET":
            return args["echostr"]
        xml = crypto.decrypt_message(request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"])
        message = parse_message(xml)
        reply = TextReply(message=message, content=f"收到：{getattr(message, 'content', '')}").render()
        return Response(crypto.encrypt_message(reply, args["nonce"], args["timestamp"]), mimetype="application/xml")

    return app


FLOOR_MESSAGES = Table(
    "bench_floor_messages", MetaData(),
    Column("id", Integer, primary_key=True), Column("external_id", String(64), nullable=False, unique=True),
    Column("sender", String(64), nullable=False), Column("raw", Text, nullable=False),
    Column("answer", Text, nullable=False), Column("received_at", DateTime(timezone=True), nullable=False),
)
FLOOR_COLUMNS = ["external_id", "sender", "raw", "answer", "received_at"]
# Replay (the request's nonce), the citizen's lock, the draft; then the draft kept and the lock freed.
FLOOR_BEGIN = """
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'EX', 600) then return {'replay'} end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', 15000) then return {'busy'} end
return {'go', redis.call('GET', KEYS[1])}
"""
FLOOR_FINISH = """
redis.call('SET', KEYS[1], ARGV[2], 'EX', 21600)
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""


def floor_app(database_url: str, redis_url: str):
    """The least a callback keeping the guarantees of the gateway does (see the module's docstring)."""
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    engine = make_engine(database_url)
    client = redis.Redis.from_url(redis_url)
    compiled = insert(FLOOR_MESSAGES).compile(dialect=engine.dialect, column_keys=FLOOR_COLUMNS)
    local = threading.local()

    def thread_connection():
        if not hasattr(local, "db"):
            local.db = engine.raw_connection()  # kept by the thread: no pool between
            if engine.dialect.name == "postgresql":
                local.db.driver_connection.autocommit = True
        return local.db

    def app(environ, start_response):
        args = dict(urllib.parse.parse_qsl(environ["QUERY_STRING"]))
        check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
        if environ["REQUEST_METHOD"] == "GET":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [args["echostr"].encode()]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        xml = crypto.decrypt_message(body, args["msg_signature"], args["timestamp"], args["nonce"])
        message = parse_message(xml)
        db = thread_connection()
        draft_key, token = f"bench:floor:{message.source}", os.urandom(12).hex()
        begun = redis_scripts.run(client, FLOOR_BEGIN, [draft_key, draft_key + ":lock", f"bench:floor:{args['nonce']}"],
                                  [str(message.id), token])
        draft = json.loads(begun[1]) if len(begun) > 1 and begun[1] else {"text": ""}
        draft["text"] += getattr(message, "content", "")
        answer = f"收到：{getattr(message, 'content', '')}"
        params = {"external_id": str(message.id), "sender": message.source, "raw": xml, "answer": answer,
                  "received_at": message.create_time}
        cursor = db.cursor()
        cursor.execute(compiled.string, params if compiled.positiontup is None
                       else tuple(params[name] for name in compiled.positiontup))
        cursor.close()
        if engine.dialect.name != "postgresql":
            db.commit()
        redis_scripts.run(client, FLOOR_FINISH, [draft_key, draft_key + ":lock"],
                          [token, json.dumps(draft, ensure_ascii=False)])
        reply = crypto.encrypt_message(TextReply(message=message, content=answer).render(), args["nonce"],
                                       args["timestamp"]).encode()
        start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(reply)))])
        return [reply]

    return app


def server_options(port: int, workers: int, threads: int) -> dict:
    # As `xinfang web` runs it, without the access log (it would measure the terminal).
    return gunicorn_options(f"127.0.0.1:{port}", workers, threads) | {"loglevel": "warning"}


def _serve_gateway(settings: Settings, options: dict) -> None:
    GunicornServer(gateway_loader(settings), options).run()


def _serve_bare(options: dict) -> None:
    GunicornServer(bare_app, options).run()


def _serve_floor(settings: Settings, options: dict) -> None:
    GunicornServer(lambda: floor_app(settings.database_url, settings.redis_url), options).run()


def start(target, *args) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True)
    process.start()
    return process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, signer: CallbackSigner, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            status, _ = Client(port).request("GET", signer.verify_params("42"), None)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


# --- the load -------------------------------------------------------------------

def conversations(users: int, run: str) -> list[str]:
    """Message XML, round robin over users: one citizen's messages are seconds apart, in order."""
    rng = random.Random(7)
    texts = [r["text"] for r in build.training_rows()]
    steps = [lambda: rng.choice(texts), lambda: str(rng.randint(1, 18)), lambda: "跳过", lambda: "确认",
             lambda: "查询"]
    out = []
    for step in steps:
        for u in range(users):
            openid = f"oBench{run}{u:06d}"
            out.append(messages.render_xml(messages.text_message(ACCOUNT, openid, step())))
    return out


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def request(self, method: str, params: dict, body: bytes | None) -> tuple[int, bytes]:
        self.conn.request(method, "/wechat?" + urllib.parse.urlencode(params), body=body,
                          headers={"Content-Type": "text/xml; charset=utf-8"})
        response = self.conn.getresponse()
        return response.status, response.read()


class Load:
    def __init__(self, port: int, signed: list[tuple[dict, bytes]]):
        self.port = port
        self.signed = signed
        self.local = threading.local()
        self.failures = 0

    def send(self, i: int) -> None:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = Client(self.port)
        params, body = self.signed[i]
        status, _ = client.request("POST", params, body)
        if status != 200:
            self.failures += 1

    def closed_loop(self, clients: int, server: int) -> tuple[float, float]:
        """(messages per second, server CPU ms per message) with `clients` threads sending back to back."""
        cpu = server_cpu(server)
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(self.send, range(len(self.signed))))
        elapsed = time.perf_counter() - start
        return len(self.signed) / elapsed, (server_cpu(server) - cpu) * 1000 / len(self.signed)

    def paced(self, rate: float, seconds: float) -> list[float]:
        """Latencies (s) at a fixed arrival rate, each counted from the moment it was due."""
        n = min(len(self.signed), int(rate * seconds))
        latencies = [0.0] * n
        start = time.perf_counter() + 0.1

        def one(i: int) -> None:
            self.send(i)
            latencies[i] = time.perf_counter() - (start + i / rate)

        with ThreadPoolExecutor(64) as pool:
            for i in range(n):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one, i)
        return latencies


SERVICES = ("postgres", "redis-server")


def server_cpu(pid: int) -> float:
    """CPU seconds so far of the server's process tree and of the database and Redis servers."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    procs += [p for p in psutil.process_iter(["name"]) if p.info["name"] in SERVICES]
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def sign_all(signer: CallbackSigner, xml: list[str]) -> list[tuple[dict, bytes]]:
    return [signer.sign(x) for x in xml]


def percentiles(latencies: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(latencies, n=100)
    return q[49] * 1000, q[98] * 1000


# --- main -----------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=400, help="citizens per round (5 messages each)")
    parser.add_argument("--rounds", type=int, default=5, help="closed-loop rounds per server, alternating")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=THREADS, help="per worker (default: as `xinfang web`)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8, help="length of the paced phase")
    parser.add_argument("--rate", type=float, default=RATE, help="messages per second of the paced phase")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-wechat-"))
    settings = Settings.from_env({
        "XINFANG_DATA_DIR": str(tmp),
        "XINFANG_DATABASE_URL": os.environ.get("XINFANG_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}",
        "XINFANG_REDIS_URL": os.environ.get("XINFANG_REDIS_URL") or "redis://127.0.0.1:6379/12",
        "XINFANG_SECRET_KEY": "bench", "XINFANG_WECHAT_TOKEN": TOKEN, "XINFANG_WECHAT_APPID": APPID,
        "XINFANG_WECHAT_AES_KEY": AES_KEY, "XINFANG_WECHAT_API_BASE": "http://127.0.0.1:9/cgi-bin/",
    })
    upgrade(settings.database_url)
    rt = init_runtime(settings)
    with rt.Session() as session:
        load_reference_data(session)
    FLOOR_MESSAGES.drop(rt.engine, checkfirst=True)
    FLOOR_MESSAGES.create(rt.engine)
    rt.close()
    database = settings.database_url.split("://")[0]
    print(f"WeChat callback, safe mode, gunicorn gthread {args.workers} workers × {args.threads} threads, "
          f"{os.cpu_count()} CPUs, database {database}, load average {os.getloadavg()[0]:.1f}")

    signer = CallbackSigner(TOKEN, APPID, AES_KEY)
    run = f"{os.getpid() % 10000:04d}"
    names = ("bare", "floor", "gateway")
    serve = {"bare": lambda options: start(_serve_bare, options),
             "floor": lambda options: start(_serve_floor, settings, options),
             "gateway": lambda options: start(_serve_gateway, settings, options)}
    servers = {}
    try:
        for name in names:
            port = free_port()
            options = server_options(port, args.workers, args.threads)
            servers[name] = (port, serve[name](options))
        for port, _ in servers.values():
            wait_ready(port, signer)
        # Rounds alternate between the servers, so a shared machine's slow spell (or a
        # neighbour's burst) falls on both; each round's citizens are new.
        loops = {name: [] for name in names}
        for r in range(args.rounds + 1):
            for name in names:
                port, server = servers[name]
                load = Load(port, sign_all(signer, conversations(args.users, f"{run}{name[0]}{r}")))
                result = load.closed_loop(args.clients, server.pid)
                if load.failures:
                    raise SystemExit(f"{name}: {load.failures} callbacks not answered 200")
                if r:  # round 0 warms both up: first connections, caches, the database's first pages
                    loops[name].append(result)
        paced = {}
        for name in names:
            port, _ = servers[name]
            load = Load(port, sign_all(signer, conversations(args.users, f"{run}{name[0]}p")))
            paced[name] = (*percentiles(load.paced(args.rate, args.seconds)), load.failures)
    finally:
        for _, server in servers.values():
            server.terminate()
            server.join(15)

    throughput = {name: statistics.median(t for t, _ in loops[name]) for name in names}
    cpu = {name: statistics.median(c for _, c in loops[name]) for name in names}
    for name, label in (("bare", "bare wechatpy handler"), ("floor", "the least"), ("gateway", "xinfang gateway")):
        p50, p99, failures = paced[name]
        print(f"{label:<22} {throughput[name]:8.1f} msg/s  {cpu[name]:5.2f} ms CPU/msg   at {args.rate:g}/s: "
              f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms" + (f"  ({failures} non-200)" if failures else ""))
    for name in ("floor", "gateway"):
        ratios = [g[0] / b[0] for b, g in zip(loops["bare"], loops[name])]
        print(f"{name}/bare throughput ratio {throughput[name] / throughput['bare']:.2f} (rounds "
              f"{min(ratios):.2f}–{max(ratios):.2f}), CPU per message ratio bare/{name} "
              f"{cpu['bare'] / cpu[name]:.2f}")
    print(f"gateway: ratio {throughput['gateway'] / throughput['bare']:.2f} (target ≥ 0.50), "
          f"p99 at {args.rate:g}/s {paced['gateway'][1]:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
