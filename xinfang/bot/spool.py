"""Messages kept on disk, in the data directory, while the database cannot take them (DESIGN §7).

The callback stores a message before it answers. When the database refuses
or fails, the message is written here instead, one file a message, synced to
disk before the answer, and the citizen gets the holding text. The files go
into the database, oldest first, as `pending` messages for the queue's
process_message job (conversation.leave_for_queue): a thread of the process
that kept one tries every few seconds until none is left, and the callbacks
of every process that sees the folder look now and then (a process that kept
files may have ended). A file is removed after its commit. A WeChat retry of
a kept message may be kept twice; it is stored once (one row per message id),
whichever process imports it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from .conversation import leave_for_queue

log = logging.getLogger(__name__)

RETRY_SECONDS = 5  # the importer thread's pace while the database is away
LOOK_SECONDS = 30  # how often a callback looks for files another process kept
IMPORT_MAX = 50  # files a callback imports before its own step: its citizen is answered in time


class Spool:
    def __init__(self, directory: Path, sessions: sessionmaker):
        self.directory = directory
        self.sessions = sessions
        self._look_at = 0.0  # monotonic: the first callback looks
        self._lock = threading.Lock()
        self._importer: threading.Thread | None = None
        self._closed = threading.Event()

    def keep(self, fields: dict) -> Path:
        """Write a message's stored fields (`conversation.stored_fields`) to disk, synced; its file."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # citizens' words: this user's alone
        received: datetime = fields["received_at"]
        key = hashlib.sha1(f"{fields['channel']}:{fields['external_id']}".encode()).hexdigest()[:16]
        path = self.directory / f"{received.strftime('%Y%m%dT%H%M%S%f')}-{key}.json"
        partial = self.directory / f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            out.write(json.dumps({**fields, "received_at": received.isoformat()}, ensure_ascii=False).encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)  # whole or not at all
        _sync(self.directory)
        self._start_importer()
        return path

    def waiting(self) -> list[Path]:
        """The kept files, oldest message first."""
        return sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []

    def import_due(self) -> int:
        """import_waiting at most every LOOK_SECONDS: a callback's look for files other processes kept."""
        now = time.monotonic()
        if now < self._look_at:
            return 0
        self._look_at = now + LOOK_SECONDS
        return self.import_waiting(IMPORT_MAX)

    def import_waiting(self, limit: int | None = None) -> int:
        """Store the kept messages, oldest first, for the queue; how many. Raises (the database is still
        away) with the rest left on disk."""
        done = 0
        for path in self.waiting()[:limit]:
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # another process imported it
            except ValueError:
                path.rename(path.with_suffix(".unreadable"))  # left for a person, never dropped
                log.error("kept message %s cannot be read; renamed to .unreadable", path.name)
                continue
            kept["received_at"] = datetime.fromisoformat(kept["received_at"])
            with self.sessions() as session:
                leave_for_queue(session, kept)
            path.unlink(missing_ok=True)
            done += 1
        if limit is not None and done == limit:
            self._look_at = 0.0  # more may wait: the next callback goes on
        return done

    def close(self) -> None:
        self._closed.set()

    def _start_importer(self) -> None:
        with self._lock:
            if self._importer is None:
                self._importer = threading.Thread(target=self._import_until_empty, name="spool-importer",
                                                  daemon=True)
                self._importer.start()

    def _import_until_empty(self) -> None:
        while not self._closed.wait(RETRY_SECONDS):
            try:
                self.import_waiting()
            except Exception as exc:  # the database is still away
                log.warning("kept messages wait for the database: %s", exc)
            with self._lock:
                if not self.waiting():
                    self._importer = None
                    return


def _sync(directory: Path) -> None:
    # The rename is durable once the directory is.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
