"""Benchmark of the mailbox intake over real HTTP: POST /api/v1/petitions and the status lookup.

Serves the app on a loopback port (threaded WSGI server, as in the browser
tests) over a fresh SQLite database in a temporary directory (or
XINFANG_DATABASE_URL), with Redis at XINFANG_REDIS_URL (default db 13 on
127.0.0.1). Clients on several threads post letters built from the training
texts, then look up their codes. As a baseline measured in the same run it
times GET /healthz (one database and one Redis round trip), and prints each
operation's rate, latency p50/p99 and cost ratio to the baseline.

    python bench/bench_mailbox.py [--n 400] [--threads 4]
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from xinfang import create_app  # noqa: E402
from xinfang.config import Settings  # noqa: E402
from xinfang.migrate import upgrade  # noqa: E402
from xinfang.nlp import build, warm_up  # noqa: E402
from xinfang.runtime import current  # noqa: E402
from xinfang.seed import load_reference_data  # noqa: E402
from xinfang.simulator.server import BackgroundServer  # noqa: E402

COUNTIES = ["康定市", "泸定县", "丹巴县", "理塘县", "巴塘县", "稻城县", None]


def letters(n: int, seed: int = 6) -> list[dict]:
    rng = random.Random(seed)
    texts = [r["text"] for r in build.training_rows()]
    out = []
    for i in range(n):
        body = {"mailbox": rng.choice(["governor", "secretary", "hotline"]),
                "text": "，".join(rng.sample(texts, 2)) + f"（第{i}封）"}
        county = rng.choice(COUNTIES)
        if county:
            body["county"] = county
        if rng.random() < 0.5:
            body["phone"] = f"139{rng.randrange(10**8):08d}"
        out.append(body)
    return out


def timed(calls, threads: int) -> tuple[float, list[float], list]:
    """Run the calls on `threads` threads; (wall seconds, latencies, results)."""
    def one(call):
        start = time.perf_counter()
        result = call()
        return time.perf_counter() - start, result

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        done = list(pool.map(one, calls))
    return time.perf_counter() - start, [d for d, _ in done], [r for _, r in done]


def report(name: str, wall: float, latencies: list[float], baseline_rate: float | None = None) -> float:
    rate = len(latencies) / wall
    p = statistics.quantiles(latencies, n=100)
    ratio = f"  cost ×{baseline_rate / rate:.1f} of baseline" if baseline_rate else ""
    print(f"{name:<28} {rate:8.1f}/s  p50 {p[49] * 1000:6.1f} ms  p99 {p[98] * 1000:6.1f} ms{ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
    database_url = os.environ.get("XINFANG_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings.from_env({"XINFANG_DATA_DIR": str(tmp), "XINFANG_DATABASE_URL": database_url,
                                  "XINFANG_REDIS_URL": os.environ.get("XINFANG_REDIS_URL",
                                                                      "redis://127.0.0.1:6379/13"),
                                  "XINFANG_SECRET_KEY": "bench"})
    upgrade(database_url)
    app = create_app(settings)
    app.config["XINFANG_RATE_LIMITS"] = {k: (10**9, 60) for k in ("submit_address", "submit_phone",
                                                                 "lookup_failures")}
    with current().Session() as session:
        load_reference_data(session)
    warm_up()
    bodies = letters(args.n)
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=args.threads))

    with BackgroundServer(app) as server:
        url = server.url
        print(f"{args.n} requests per operation, {args.threads} client threads, database {database_url.split(':')[0]}")
        wall, lat, _ = timed([lambda: http.get(f"{url}/healthz").status_code] * args.n, args.threads)
        baseline = report("GET /healthz (baseline)", wall, lat)
        wall, lat, results = timed([lambda b=b: http.post(f"{url}/api/v1/petitions", json=b) for b in bodies],
                                   args.threads)
        codes = [r.json()["tracking_code"] for r in results if r.status_code == 201]
        report("POST /api/v1/petitions", wall, lat, baseline)
        wall, lat, results = timed([lambda c=c: http.get(f"{url}/api/v1/petitions/{c}") for c in codes],
                                   args.threads)
        report("GET /api/v1/petitions/<code>", wall, lat, baseline)
        wall, lat, _ = timed([lambda c=c: http.get(f"{url}/track/{c}") for c in codes], args.threads)
        report("GET /track/<code>", wall, lat, baseline)
        failed = args.n - len(codes) + sum(r.status_code != 200 for r in results)
        print(f"cases registered {len(codes)} of {args.n}; failed requests {failed}")
    if "XINFANG_REDIS_URL" not in os.environ:
        current().redis.flushdb()  # the bench's own database: its queued follow-ups and counters


if __name__ == "__main__":
    main()
