"""Settings of one simulated WeChat official account."""

from dataclasses import dataclass

from .constants import ACCESS_TOKEN_TTL_SECONDS, CUSTOMER_SERVICE_WINDOW_SECONDS

DEFAULT_GATEWAY_URL = "http://127.0.0.1:5000/wechat"
DEFAULT_PORT = 8090
# The account's original id (原始ID): ToUserName of every callback.
DEFAULT_ACCOUNT_ID = "gh_6a78f0c1d2e3"


@dataclass(frozen=True)
class SimulatorSettings:
    token: str
    appid: str
    secret: str
    gateway_url: str = DEFAULT_GATEWAY_URL
    aes_key: str | None = None
    # plain / compatible / safe; None means safe with an aes_key, else plain.
    mode: str | None = None
    account_id: str = DEFAULT_ACCOUNT_ID
    window_seconds: float = CUSTOMER_SERVICE_WINDOW_SECONDS
    token_ttl: int = ACCESS_TOKEN_TTL_SECONDS
    # Seconds after template/send until TEMPLATESENDJOBFINISH; None: never.
    template_finish_delay: float | None = 1.0
    timeout: float = 5.0
    retries: int = 3
