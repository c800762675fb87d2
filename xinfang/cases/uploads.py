"""Attachments a citizen uploads with a letter: images and PDF, checked by content, kept on disk.

The type is decided by the file's first bytes, never by its name or the
browser's claim: a renamed executable is refused. The bytes go under
<data dir>/attachments/<year>/<month>/ with a random name; the database keeps
the path, the original name and the size (models.Attachment).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# Together below the app's request limit, so an oversized set gets a clear message, not a bare 413.
MAX_TOTAL_BYTES = 25 * 1024 * 1024

# (magic prefix, content type, extension, kind)
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "image"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "image"),
    (b"GIF87a", "image/gif", "gif", "image"),
    (b"GIF89a", "image/gif", "gif", "image"),
    (b"%PDF-", "application/pdf", "pdf", "pdf"),
)


class UploadError(ValueError):
    """An attachment is refused; the message says why, for the citizen."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str
    extension: str
    kind: str

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> tuple[str, str, str] | None:
    """(content type, extension, kind) from the first bytes, or None for anything not allowed."""
    for magic, content_type, extension, kind in _SIGNATURES:
        if data.startswith(magic):
            return content_type, extension, kind
    # WebP: RIFF....WEBP (phones save photos this way).
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp", "image"
    return None


def check(files: list[tuple[str, bytes]]) -> list[Upload]:
    """The uploads that may be kept, or UploadError naming the first problem."""
    files = [(name, data) for name, data in files if name or data]
    if len(files) > MAX_FILES:
        raise UploadError(f"最多上传{MAX_FILES}个附件")
    uploads, total = [], 0
    for name, data in files:
        shown = _clean_name(name)
        if not data:
            raise UploadError(f"附件“{shown}”是空文件")
        if len(data) > MAX_FILE_BYTES:
            raise UploadError(f"附件“{shown}”超过{MAX_FILE_BYTES // (1024 * 1024)}MB")
        found = sniff(data)
        if found is None:
            raise UploadError(f"附件“{shown}”不是图片或PDF文件")
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise UploadError(f"附件合计不能超过{MAX_TOTAL_BYTES // (1024 * 1024)}MB")
        uploads.append(Upload(shown, data, *found))
    return uploads


def save(data_dir: Path, upload: Upload, now: datetime | None = None) -> str:
    """Write the bytes; the path relative to the data directory."""
    now = now or datetime.now(timezone.utc)
    relative = Path("attachments") / f"{now:%Y}" / f"{now:%m}" / f"{secrets.token_hex(16)}.{upload.extension}"
    target = Path(data_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(upload.data)
    return relative.as_posix()


def discard(data_dir: Path, relative: str) -> None:
    (Path(data_dir) / relative).unlink(missing_ok=True)


def _clean_name(name: str | None) -> str:
    # Only the last path part, printable, short: it is shown back and stored.
    base = (name or "附件").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())
    return base[-100:] or "附件"
