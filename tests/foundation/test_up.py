"""`xinfang up`: the whole system starts, answers /healthz, stops without leaving a process, keeps its data."""
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest
import requests
from sqlalchemy import select

from xinfang import runtime
from xinfang.cases import service
from xinfang.config import Settings
from xinfang.models import Case


def free_port_pair() -> int:
    """A port P with P and P+100 both free (the web and the simulator)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 100 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 100))
            except OSError:
                continue
        return port
    raise RuntimeError("no free ports")


def start_up(data_dir, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
    env.update(XINFANG_DATA_DIR=str(data_dir), XINFANG_ADMIN_PASSWORD="first-admin-pw")
    proc = subprocess.Popen([sys.executable, "-m", "xinfang", "up", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"xinfang up exited early:\n{proc.stdout.read()}")
        try:
            resp = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            if resp.status_code == 200:
                return proc, resp.json()
        except requests.RequestException:
            pass
        time.sleep(0.5)
    proc.kill()
    pytest.fail("xinfang up did not become healthy within 90 s")


def descendants(proc) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def wait_gone(procs, timeout=20):
    gone, alive = psutil.wait_procs(procs, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_up_serves_health_stops_cleanly_and_keeps_cases_across_restarts(tmp_path):
    data_dir = tmp_path / "instance"
    port = free_port_pair()
    proc, health = start_up(data_dir, port)
    assert health == {"status": "ok", "database": "ok", "redis": "ok"}
    children = descendants(proc)
    assert len(children) >= 4  # redis, web (gunicorn master and worker), worker, simulator

    # A case written while the system runs.
    settings = Settings.from_env({"XINFANG_DATA_DIR": str(data_dir), "XINFANG_REDIS_URL": "redis://127.0.0.1:6399/0"})
    rt = runtime.init_runtime(settings)
    with rt.Session() as s:
        code = service.register_case(s, rt.calendar, channel="api", text="牧场道路被冲毁，请修复").tracking_code

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert wait_gone(children) == []

    # Started again on the same data: the case is still there and /healthz is green.
    proc, health = start_up(data_dir, port)
    try:
        assert health["redis"] == "ok"
        with rt.Session() as s:
            assert s.scalar(select(Case.tracking_code).where(Case.tracking_code == code)) == code
    finally:
        # Even a kill -9 of `up` leaves no child behind (PR_SET_PDEATHSIG).
        children = descendants(proc)
        proc.kill()
        proc.wait()
        assert wait_gone(children) == []
        rt.close()
