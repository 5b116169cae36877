"""The journal of a rehearsal: everything needed to rebuild it, stored durably before it is acknowledged.

A session is determined by its scenario (the TOML text itself is stored, so editing the file later
cannot change a resumed session), its seed, the party, the hand-over instant and the vendor's inputs
in order, each with the simulated instant at which it arrived. The journal is one SQLite database in
WAL mode with ``synchronous=FULL``: a commit has reached the disk when :meth:`Journal.append` returns,
so an input the server acknowledged survives ``kill -9`` and a power cut.

Refused inputs are journaled too (they are part of the conformance report). What the vendor only
reads (mailbox, payloads, statuses) is not an input and is not journaled.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketensim.exceptions import KetensimError

__all__ = ["Journal", "Entry", "JournalError", "JOURNAL_FILE"]

JOURNAL_FILE = "journal.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inputs (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    t REAL NOT NULL,
    data TEXT NOT NULL,
    payload BLOB
);
"""


class JournalError(KetensimError):
    """The data directory cannot hold or does not hold a rehearsal journal."""


@dataclass(frozen=True)
class Entry:
    """One journaled input: ``kind`` (submit, confirm, advance), the simulated instant, its data."""

    seq: int
    kind: str
    t: float
    data: dict[str, Any]
    payload: bytes | None


class Journal:
    """An append-only, durable log of a session's inputs (thread-safe)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()

    @classmethod
    def _connect(cls, path: Path) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise JournalError(f"{path}: cannot open the journal: {err}") from None
        return conn

    @classmethod
    def create(cls, directory: Path, meta: dict[str, str]) -> Journal:
        """A new journal in ``directory`` (which must not hold one already)."""
        path = directory / JOURNAL_FILE
        if path.exists():
            raise JournalError(f"{directory}: holds a rehearsal already; use --resume to go on with it, "
                               "or choose another --data directory")
        journal = cls(path, cls._connect(path))
        with journal._lock:
            journal._conn.execute("BEGIN IMMEDIATE")
            journal._conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            journal._conn.execute("COMMIT")
        return journal

    @classmethod
    def open(cls, directory: Path) -> Journal:
        """The journal of an earlier session in ``directory``."""
        path = directory / JOURNAL_FILE
        if not path.is_file():
            raise JournalError(f"{directory}: no rehearsal journal ({JOURNAL_FILE}) found; expected the --data "
                               "directory of an earlier `ketensim kto serve`")
        return cls(path, cls._connect(path))

    def meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def append(self, kind: str, t: float, data: dict[str, Any], payload: bytes | None = None) -> int:
        """Store one input durably; returns its sequence number once it is on disk."""
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        with self._lock:
            cur = self._conn.execute("INSERT INTO inputs (kind, t, data, payload) VALUES (?, ?, ?, ?)",
                                     (kind, t, text, payload))
            return int(cur.lastrowid or 0)

    def entries(self) -> Iterator[Entry]:
        with self._lock:
            rows = self._conn.execute("SELECT seq, kind, t, data, payload FROM inputs ORDER BY seq").fetchall()
        for seq, kind, t, data, payload in rows:
            yield Entry(seq, kind, t, json.loads(data), payload)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
