"""The one Simulator object of an app: settings, state and the platform
client, shared by the blueprints through ``current_simulator()``."""

import threading

from flask import current_app

from . import messages
from .constants import TEMPLATE_SUCCESS
from .platform import Reply, WeChatPlatform
from .settings import SimulatorSettings
from .state import SimulatorState
from .transport import Transport

EXTENSION = "xinfang_simulator"


class Simulator:
    def __init__(self, settings: SimulatorSettings, *, transport: Transport | None = None):
        self.settings = settings
        self.state = SimulatorState(window_seconds=settings.window_seconds,
                                    token_ttl=settings.token_ttl)
        self.platform = WeChatPlatform(
            settings.gateway_url, settings.token, settings.appid, settings.aes_key,
            settings.timeout, settings.retries, mode=settings.mode,
            account_id=settings.account_id, transport=transport, state=self.state)

    def template_sent(self, openid: str, msgid: int) -> None:
        """WeChat reports each template message's fate a moment later."""
        delay = self.settings.template_finish_delay
        if delay is None:
            return
        timer = threading.Timer(delay, self.finish_template,
                                args=(openid, msgid, TEMPLATE_SUCCESS))
        timer.daemon = True
        timer.start()

    def finish_template(self, openid: str, msgid: int, status: str) -> Reply:
        # A platform event, not the user's: it bypasses the follower state.
        event = messages.template_finish_event(
            self.settings.account_id, openid, msgid, status)
        return self.platform.post(messages.render_xml(event))


def current_simulator() -> Simulator:
    return current_app.extensions[EXTENSION]
