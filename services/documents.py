"""The files job seekers send (#15), kept outside the database: one folder (DOCUMENTS_DIR), each file
named by its SHA-256 (``ab/abcdef...``), written once whoever sends it again. The adapters hand
the bytes here before the step; the step then writes the row (services.document_store).

A file is taken only when its content is one of the kinds the office reads (services.document_types:
magic bytes, never the name or the declared type) and it is at most ``max_bytes``; otherwise nothing
is written and the ``Upload`` says why, for the bot to say so politely.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

from sqlalchemy import Engine, select

from conversations.messages import Upload
from store.engine import PROJECT_DIR
from store.models import PersonDocument

from services.document_types import KINDS, kind_of

DEFAULT_DIR = PROJECT_DIR / "documents"
DEFAULT_MAX_MB = 10
_HEX = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger(__name__)


class Documents:
    """The documents folder and its size limit."""

    def __init__(self, root: Path | str | None = None, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024):
        self.root = Path(root) if root else DEFAULT_DIR
        self.max_bytes = max_bytes

    # -- what the adapters call -------------------------------------------------------------
    def declared(self, name: str | None, size: int | None) -> Upload | None:
        """Before fetching: a refusal when the platform already says the file is too big, else None."""
        if size is not None and size > self.max_bytes:
            return Upload(name=safe_name(name), size=size, problem="too_big", limit=self.max_bytes)
        return None

    def unreadable(self, name: str | None, size: int = 0) -> Upload:
        return Upload(name=safe_name(name), size=size, problem="unreadable")

    def take(self, content: bytes, name: str | None) -> Upload:
        """Check and keep a file: its Upload, with the problem when it is refused (nothing kept)."""
        if len(content) > self.max_bytes:
            return Upload(name=safe_name(name), size=len(content), problem="too_big", limit=self.max_bytes)
        kind = kind_of(content)
        if kind is None:
            return Upload(name=safe_name(name), size=len(content), problem="type")
        digest = hashlib.sha256(content).hexdigest()
        self._write(digest, content)
        return Upload(name=safe_name(name, kind), size=len(content), kind=kind, sha256=digest)

    # -- the folder ---------------------------------------------------------------------------
    def path(self, sha256: str) -> Path:
        if not _HEX.fullmatch(sha256 or ""):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256

    def _write(self, digest: str, content: bytes) -> None:
        target = self.path(digest)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, target)  # whole or not at all
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def forget(self, db_engine: Engine, hashes: Iterable[str]) -> int:
        """Remove the files no row points at any more (after an erasure has committed); how many."""
        hashes = {h for h in hashes if _HEX.fullmatch(h or "")}
        if not hashes:
            return 0
        with db_engine.connect() as connection:
            still = set(connection.execute(select(PersonDocument.sha256).where(
                PersonDocument.sha256.in_(hashes))).scalars())
        removed = 0
        for digest in hashes - still:
            try:
                self.path(digest).unlink()
                removed += 1
            except FileNotFoundError:
                pass
            except OSError:
                log.exception("could not remove document %s…", digest[:12])
        return removed


def safe_name(name: str | None, kind: str | None = None) -> str:
    """The name a file came with, fit to show and to download: no folders, no control or odd
    characters, at most 100 characters, and the extension of the kind found in it ("cv.exe" that is a
    PDF reads "cv.pdf")."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if c.isalnum() or c in " ._-()").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = " ".join(stem.split())[:90] or "documento"
    return stem + (KINDS[kind][0] if kind else ("." + name.rsplit(".", 1)[1][:8] if "." in name else ""))
