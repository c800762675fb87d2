"""Benchmark of the WeChat callback: the gateway against a bare wechatpy handler, same run, same load.

Both run under gunicorn with the options of `xinfang web` (gthread, --workers, its threads)
on loopback ports and get the same signed, encrypted (safe mode) callbacks:
conversations of many citizens, each a petition text, a county answer,
"跳过", "确认" (a case is registered) and "查询". The gateway stores every
message, runs the dialogue and answers; the bare handler only verifies,
decrypts, parses and replies (the floor any wechatpy gateway pays).

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
from flask import Flask, Response, request  # noqa: E402
from wechatpy import parse_message  # noqa: E402
from wechatpy.crypto import WeChatCrypto  # noqa: E402
from wechatpy.replies import TextReply  # noqa: E402
from wechatpy.utils import check_signature  # noqa: E402

from xinfang.config import Settings  # noqa: E402
from xinfang.migrate import upgrade  # noqa: E402
from xinfang.nlp import build  # noqa: E402
from xinfang.runtime import init_runtime  # noqa: E402
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


def server_options(port: int, workers: int, threads: int) -> dict:
    # As `xinfang web` runs it, without the access log (it would measure the terminal).
    return gunicorn_options(f"127.0.0.1:{port}", workers, threads) | {"loglevel": "warning"}


def _serve_gateway(settings: Settings, options: dict) -> None:
    GunicornServer(gateway_loader(settings), options).run()


def _serve_bare(options: dict) -> None:
    GunicornServer(bare_app, options).run()


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
    rt.close()
    database = settings.database_url.split("://")[0]
    print(f"WeChat callback, safe mode, gunicorn gthread {args.workers} workers × {args.threads} threads, "
          f"{os.cpu_count()} CPUs, database {database}, load average {os.getloadavg()[0]:.1f}")

    signer = CallbackSigner(TOKEN, APPID, AES_KEY)
    run = f"{os.getpid() % 10000:04d}"
    names = ("bare", "gateway")
    servers = {}
    try:
        for name in names:
            port = free_port()
            options = server_options(port, args.workers, args.threads)
            servers[name] = (port, start(_serve_bare, options) if name == "bare"
                             else start(_serve_gateway, settings, options))
        for port, _ in servers.values():
            wait_ready(port, signer)
        # Rounds alternate between the two servers, so a shared machine's slow spell (or a
        # neighbour's burst) falls on both; each round's citizens are new.
        loops = {name: [] for name in names}
        for r in range(args.rounds + 1):
            for name in names:
                port, server = servers[name]
                load = Load(port, sign_all(signer, conversations(args.users, f"{run}{name[0]}{r}")))
                result = load.closed_loop(args.clients, server.pid)
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
    ratios = [g[0] / b[0] for b, g in zip(loops["bare"], loops["gateway"])]
    for name, label in (("bare", "bare wechatpy handler"), ("gateway", "xinfang gateway")):
        p50, p99, failures = paced[name]
        print(f"{label:<22} {throughput[name]:8.1f} msg/s  {cpu[name]:5.2f} ms CPU/msg   at {args.rate:g}/s: "
              f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms" + (f"  ({failures} non-200)" if failures else ""))
    print(f"gateway/bare throughput ratio {throughput['gateway'] / throughput['bare']:.2f} (target ≥ 0.50; "
          f"rounds {min(ratios):.2f}–{max(ratios):.2f}), CPU per message ratio bare/gateway "
          f"{cpu['bare'] / cpu['gateway']:.2f}; gateway p99 at {args.rate:g}/s {paced['gateway'][1]:.1f} ms "
          f"(target < 100 ms)")


if __name__ == "__main__":
    main()
