"""Settings, read once from the environment (XINFANG_*).

Every variable is documented in the README and in .env.example. Nothing here
connects to anything: `Settings.from_env()` is pure reading and parsing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

WECHAT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"


class ConfigError(ValueError):
    """A setting has a value the system cannot run with."""


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _hours(env: dict, name: str, default: str) -> tuple[int, int] | None:
    raw = env.get(name, default)
    if raw in ("", "off", "none"):
        return None
    try:
        start, end = (int(p) for p in raw.split("-"))
    except ValueError:
        raise ConfigError(f"{name} must look like 22-7 (hours), got {raw!r}") from None
    if not (0 <= start < 24 and 0 <= end < 24):
        raise ConfigError(f"{name} hours must be 0..23, got {raw!r}")
    return start, end


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: `xinfang up` starts the embedded Redis
    secret_key: str
    admin_password: str | None
    wechat_token: str
    wechat_appid: str
    wechat_secret: str
    wechat_aes_key: str | None
    wechat_api_base: str
    survey_delay_seconds: int
    # Day counting of the statutory clocks: "calendar" (default) or "working".
    day_count: str = "calendar"
    # 民法典 Art. 203 by analogy: a period ending on a holiday ends on the next working day.
    holiday_rollover: bool = True
    holidays_file: Path | None = None
    timezone: str = "Asia/Shanghai"
    # No pushes in these local hours except urgent ones (start-end, wraps midnight).
    quiet_hours: tuple[int, int] | None = (22, 7)
    reminder_days: tuple[int, ...] = (3, 1)
    # Status pushes (xinfang/queue/senders.py): WeChat template ids and fields per event (a JSON
    # file), the SMS gateway class (dotted path), SMTP for email (unset: mail.log in the data dir).
    wechat_templates_file: Path | None = None
    sms_sender: str = "xinfang.queue.senders.LogSmsSender"
    smtp_url: str | None = None
    survey_window_days: int = 30
    survey_reminder_seconds: int = 3 * 86400
    max_body_bytes: int = 64 * 1024
    # How many reverse proxies (nginx) stand in front and may set X-Forwarded-For.
    trusted_proxies: int = 0
    # The bodies one level up for 复查/复核 (Art. 35, 36); None: xinfang/data/review_bodies.json.
    review_bodies_file: Path | None = None
    # The citizen-facing address, for links sent by SMS or email (the survey link to the tracking page).
    public_url: str = "http://127.0.0.1:5000"

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("XINFANG_DATA_DIR") or "./instance").resolve()
        day_count = env.get("XINFANG_DAY_COUNT", "calendar")
        if day_count not in ("calendar", "working"):
            raise ConfigError(f"XINFANG_DAY_COUNT must be calendar or working, got {day_count!r}")
        aes_key = env.get("XINFANG_WECHAT_AES_KEY") or None
        if aes_key is not None and len(aes_key) != 43:
            raise ConfigError("XINFANG_WECHAT_AES_KEY must be the 43-character EncodingAESKey")
        api_base = env.get("XINFANG_WECHAT_API_BASE") or WECHAT_API_BASE
        if not api_base.endswith("/"):
            api_base += "/"
        reminder_raw = env.get("XINFANG_REMINDER_DAYS", "3,1")
        try:
            reminder_days = tuple(sorted({int(d) for d in reminder_raw.split(",") if d.strip()}, reverse=True))
        except ValueError:
            raise ConfigError(f"XINFANG_REMINDER_DAYS must be days like 3,1, got {reminder_raw!r}") from None
        holidays = env.get("XINFANG_HOLIDAYS_FILE")
        settings = cls(
            data_dir=data_dir,
            database_url=env.get("XINFANG_DATABASE_URL") or f"sqlite:///{data_dir / 'xinfang.db'}",
            redis_url=env.get("XINFANG_REDIS_URL") or None,
            secret_key=env.get("XINFANG_SECRET_KEY") or "",
            admin_password=env.get("XINFANG_ADMIN_PASSWORD") or None,
            wechat_token=env.get("XINFANG_WECHAT_TOKEN") or "xinfang",
            wechat_appid=env.get("XINFANG_WECHAT_APPID") or "wx0000000000000000",
            wechat_secret=env.get("XINFANG_WECHAT_SECRET") or "simulator-secret",
            wechat_aes_key=aes_key,
            wechat_api_base=api_base,
            survey_delay_seconds=_int(env, "XINFANG_SURVEY_DELAY_SECONDS", 86400),
            day_count=day_count,
            holiday_rollover=_bool(env, "XINFANG_HOLIDAY_ROLLOVER", True),
            holidays_file=Path(holidays) if holidays else None,
            timezone=env.get("XINFANG_TIMEZONE", "Asia/Shanghai"),
            quiet_hours=_hours(env, "XINFANG_QUIET_HOURS", "22-7"),
            reminder_days=reminder_days,
            wechat_templates_file=Path(env["XINFANG_WECHAT_TEMPLATES"]) if env.get("XINFANG_WECHAT_TEMPLATES")
            else None,
            sms_sender=env.get("XINFANG_SMS_SENDER") or "xinfang.queue.senders.LogSmsSender",
            smtp_url=env.get("XINFANG_SMTP_URL") or None,
            survey_window_days=_int(env, "XINFANG_SURVEY_WINDOW_DAYS", 30),
            survey_reminder_seconds=_int(env, "XINFANG_SURVEY_REMINDER_SECONDS", 3 * 86400),
            max_body_bytes=_int(env, "XINFANG_MAX_BODY_BYTES", 64 * 1024),
            trusted_proxies=_int(env, "XINFANG_TRUSTED_PROXIES", 0),
            review_bodies_file=Path(env["XINFANG_REVIEW_BODIES"]) if env.get("XINFANG_REVIEW_BODIES") else None,
            public_url=(env.get("XINFANG_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        )
        return replace(settings, **overrides) if overrides else settings

    def make_data_dir(self) -> Path:
        """The data directory, made readable by this user alone when it is made here: it holds
        petitions, attachments and messages kept while the database is away (PIPL Art. 51)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.data_dir

    def with_secret(self) -> "Settings":
        """The secret key, generated and kept in the data directory when none is set."""
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.make_data_dir()
            path.write_text(os.urandom(32).hex())
            path.chmod(0o600)
        return replace(self, secret_key=path.read_text().strip())
