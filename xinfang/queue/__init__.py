"""RQ plumbing: queues named by purpose, the worker, jobs, reminders, the outbox and its senders.

Importing this package never shadows the standard library's `queue`: it is
always `xinfang.queue`.
"""
