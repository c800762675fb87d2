"""The `xinfang` command's contracts (DESIGN §4): seed, user add, stats --json."""
import json
import os
import subprocess
import sys

import pytest

from xinfang.cases import service


def run_cli(settings, *args, check=True):
    env = dict(os.environ, XINFANG_DATA_DIR=str(settings.data_dir), XINFANG_DATABASE_URL=settings.database_url,
               XINFANG_REDIS_URL=settings.redis_url, XINFANG_SECRET_KEY="x")
    return subprocess.run([sys.executable, "-m", "xinfang", *args], env=env, capture_output=True, text=True,
                          check=check, timeout=120)


def test_seed_loads_the_prefecture_and_is_idempotent(settings, rt):
    first = json.loads(run_cli(settings, "seed").stdout)
    again = json.loads(run_cli(settings, "seed").stdout)
    assert first == again
    assert first["counties"] == 18 and first["departments"] == 38 and first["mailboxes"] >= 2
    assert first["townships"] >= 300


def test_user_add_with_token_prints_the_token_last(settings, rt):
    out = run_cli(settings, "user", "add", "zhang", "--role", "handler", "--department", "rsj",
                  "--county", "康定市", "--password", "correct-horse-1", "--token").stdout
    token = out.strip().splitlines()[-1]
    assert token.startswith("xf_") and len(token) > 30
    from xinfang.admin.accounts import user_for_token

    with rt.Session() as s:
        user = user_for_token(s, token)
        assert (user.username, user.role, user.department_code, user.county) == ("zhang", "handler", "rsj", "康定市")


@pytest.mark.parametrize("args,message", [
    (["--role", "boss"], "invalid choice"),
    (["--role", "handler"], "belongs to a department"),
    (["--role", "handler", "--department", "nosuch"], "no department"),
    (["--role", "clerk", "--password", "short"], "at least 8"),
])
def test_user_add_refuses_bad_input_clearly(settings, rt, args, message):
    result = run_cli(settings, "user", "add", "li", *args, check=False)
    assert result.returncode != 0 and message in result.stderr


def test_stats_json_counts_what_is_stored(settings, rt, cal):
    with rt.Session() as s:
        p = service.find_or_create_petitioner(s, openid="o-stats")
        for text in ("草场补贴没有发", "工地欠薪三个月"):
            service.register_case(s, cal, channel="wechat", text=text, petitioner=p)
    stats = json.loads(run_cli(settings, "stats", "--json").stdout)
    assert stats["cases"]["total"] == 2 and stats["cases"]["by_status"]["received"] == 2
    assert stats["messages"] == {"total": 0, "pending": 0}
    assert set(stats["notifications"]) >= {"pending", "sent", "failed", "dead"}
    assert stats["notifications"]["pending"] == 2
    assert stats["queues"]["notify"] == 2
    assert "满意" in stats["surveys"]
