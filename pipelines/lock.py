"""One run at a time per store: a lock that a second run waits for, then gives up on.

SQLite stores are locked with ``flock`` on a file beside the database
(``store.db.lock``); PostgreSQL stores with a session-level advisory lock on
a connection held for the whole run. Both are released by the operating
system or the server when the holding process dies, so a killed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from nlp.errors import GroundswellError
from pipelines.store import Store, redact_url

__all__ = ["StoreBusyError", "store_lock", "describe_holder"]

logger = logging.getLogger(__name__)

# pg_try_advisory_lock(int, int): the first key names groundswell ('gs'), the second the store lock
_PG_KEYS = (0x6773, 1)


class StoreBusyError(GroundswellError):
    """Another run holds the store's lock and did not let go in time (exit code 1).

    Args:
        store: the store's URL, password redacted.
        holder: who holds the lock, as the holder described itself.
        waited_s: how long this run waited.
    """

    def __init__(self, store: str, holder: str, waited_s: float) -> None:
        self.store = store
        self.holder = holder
        self.waited_s = waited_s
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (f"the store {self.store} is in use by another run ({self.holder}); gave up after "
                f"{self.waited_s:.0f} s. Fix: wait for that run to finish, or give it longer with "
                f"--lock-timeout SECONDS (run.lock_timeout_s)")


def describe_holder(label: str = "") -> str:
    """This process as a lock holder: label, pid, host and since when."""
    since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    who = f"pid {os.getpid()} on {socket.gethostname()}, since {since}"
    return f"{label}, {who}" if label else who


@contextmanager
def store_lock(store: Store, *, holder: str, timeout_s: float, poll_s: float = 0.5) -> Iterator[None]:
    """Hold the store's run lock for the duration of the block.

    Args:
        store: the open store.
        holder: how this run names itself to a run that has to wait (see
            :func:`describe_holder`).
        timeout_s: how long to wait for another holder; 0 gives up at once.
        poll_s: how often to try again while waiting.

    Raises:
        StoreBusyError: another run held the lock for longer than ``timeout_s``.
    """
    dialect = store.engine.dialect.name
    if dialect == "postgresql":
        with _pg_lock(store, holder, timeout_s, poll_s):
            yield
    elif dialect == "sqlite":
        path = _sqlite_path(store.url)
        if path is None:  # an in-memory database belongs to one process
            yield
            return
        with _file_lock(Path(path + ".lock"), store.url, holder, timeout_s, poll_s):
            yield
    else:
        raise GroundswellError(f"no run lock for {dialect} stores; use SQLite or PostgreSQL")


def _sqlite_path(url: str) -> str | None:
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    return None if path in {"", ":memory:"} else path


def _wait(store_url: str, timeout_s: float, poll_s: float, try_lock, read_holder) -> None:  # noqa: ANN001
    start = time.monotonic()
    announced = False
    while not try_lock():
        waited = time.monotonic() - start
        if waited >= timeout_s:
            raise StoreBusyError(redact_url(store_url), read_holder() or "holder unknown", waited)
        if not announced:
            logger.warning("the store %s is in use by another run (%s): waiting up to %.0f s",
                           redact_url(store_url), read_holder() or "holder unknown", timeout_s)
            announced = True
        time.sleep(min(poll_s, max(timeout_s - waited, 0.01)))


@contextmanager
def _file_lock(path: Path, store_url: str, holder: str, timeout_s: float, poll_s: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        def try_lock() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        def read_holder() -> str:
            try:
                return json.loads(path.read_text(encoding="utf-8") or "{}").get("holder", "")
            except (OSError, ValueError):
                return ""

        _wait(store_url, timeout_s, poll_s, try_lock, read_holder)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"holder": holder}).encode("utf-8"), 0)
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _pg_lock(store: Store, holder: str, timeout_s: float, poll_s: float) -> Iterator[None]:
    con = store.engine.connect()
    try:
        # the holder's name travels in application_name, where a waiting run can read it
        con.execute(text("SELECT set_config('application_name', :name, false)"),
                    {"name": ("groundswell: " + holder)[:63]})
        con.commit()

        def try_lock() -> bool:
            got = bool(con.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                                   {"a": _PG_KEYS[0], "b": _PG_KEYS[1]}).scalar_one())
            con.commit()
            return got

        def read_holder() -> str:
            row = con.execute(text(
                "SELECT a.application_name, a.pid, a.client_addr FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :a AND l.objid = :b "
                "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database())"), {"a": _PG_KEYS[0], "b": _PG_KEYS[1]}).first()
            con.commit()
            if row is None:
                return ""
            name = (row[0] or "").removeprefix("groundswell: ")
            return f"{name} (server backend {row[1]}{', client ' + str(row[2]) if row[2] else ''})"

        _wait(store.url, timeout_s, poll_s, try_lock, read_holder)
        try:
            yield
        finally:
            con.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _PG_KEYS[0], "b": _PG_KEYS[1]})
            con.commit()
    finally:
        con.close()
