"""SMS gateways for the crash tests, named by XINFANG_SMS_SENDER."""
from __future__ import annotations

import os
import signal

from xinfang.queue.senders import LogSmsSender


class DieBeforeSending(LogSmsSender):
    """The first send kills its own process (-9) before the gateway takes the message."""

    def send_sms(self, phone: str, text: str):
        flag = self.path.with_name("died-once")
        if not flag.exists():
            flag.parent.mkdir(parents=True, exist_ok=True)
            flag.write_text("1")
            os.kill(os.getpid(), signal.SIGKILL)
        return super().send_sms(phone, text)
