"""The WeChat platform on loopback (`xinfang simulate`).

No machine of the project reaches WeChat, so this stands in for it in
development, demos and tests: it signs (and in safe mode encrypts) callbacks
to the gateway and retries them as WeChat does (platform.py), serves the
API the gateway calls under /cgi-bin/ (api.py), shows a phone-like chat page
(chat.py) and lets tests look in and inject faults under /_sim/ (control.py).

It is a single-process tool: tokens, followers, the outbox and faults live
in that process's memory (state.py). Menu keys and error codes the gateway
shares are in constants.py, which imports nothing.
"""
