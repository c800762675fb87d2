"""Settings from the environment: defaults, every DESIGN §4 variable, clear errors."""
from pathlib import Path

import pytest

from xinfang.config import ConfigError, Settings


def test_defaults_run_on_embedded_parts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({})
    assert s.data_dir == tmp_path / "instance"
    assert s.database_url == f"sqlite:///{tmp_path / 'instance' / 'xinfang.db'}"
    assert s.redis_url is None
    assert s.wechat_api_base == "https://api.weixin.qq.com/cgi-bin/"
    assert s.wechat_aes_key is None
    assert s.survey_delay_seconds == 86400
    assert s.day_count == "calendar" and s.quiet_hours == (22, 7)


def test_every_contract_variable_is_read(tmp_path):
    s = Settings.from_env({
        "XINFANG_DATA_DIR": str(tmp_path), "XINFANG_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "XINFANG_REDIS_URL": "redis://r:6379/2", "XINFANG_SECRET_KEY": "k", "XINFANG_ADMIN_PASSWORD": "pw",
        "XINFANG_WECHAT_TOKEN": "t", "XINFANG_WECHAT_APPID": "wxabc", "XINFANG_WECHAT_SECRET": "sec",
        "XINFANG_WECHAT_AES_KEY": "a" * 43, "XINFANG_WECHAT_API_BASE": "http://127.0.0.1:5100/cgi-bin",
        "XINFANG_SURVEY_DELAY_SECONDS": "60",
    })
    assert (s.data_dir, s.database_url, s.redis_url, s.secret_key, s.admin_password) == (
        Path(tmp_path), "postgresql+psycopg://u@h/db", "redis://r:6379/2", "k", "pw")
    assert (s.wechat_token, s.wechat_appid, s.wechat_secret, s.wechat_aes_key) == ("t", "wxabc", "sec", "a" * 43)
    assert s.wechat_api_base == "http://127.0.0.1:5100/cgi-bin/"
    assert s.survey_delay_seconds == 60


@pytest.mark.parametrize("env,message", [
    ({"XINFANG_SURVEY_DELAY_SECONDS": "soon"}, "whole number"),
    ({"XINFANG_DAY_COUNT": "lunar"}, "calendar or working"),
    ({"XINFANG_WECHAT_AES_KEY": "short"}, "43-character"),
    ({"XINFANG_QUIET_HOURS": "night"}, "22-7"),
    ({"XINFANG_HOLIDAY_ROLLOVER": "maybe"}, "1 or 0"),
    ({"XINFANG_REMINDER_DAYS": "three"}, "3,1"),
])
def test_bad_values_are_refused_with_the_variable_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_generated_secret_key_is_kept_in_the_data_directory(tmp_path):
    s = Settings.from_env({"XINFANG_DATA_DIR": str(tmp_path)})
    first = s.with_secret().secret_key
    assert len(first) == 64 and s.with_secret().secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_data_directory_made_here_is_its_users_alone(tmp_path):
    s = Settings.from_env({"XINFANG_DATA_DIR": str(tmp_path / "instance")})
    s.with_secret()
    assert (tmp_path / "instance").stat().st_mode & 0o777 == 0o700
