"""The store's run lock: a second run waits, then stops naming the store and the holder."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pipelines.lock import StoreBusyError, describe_holder, store_lock
from pipelines.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _hold_in_other_process(url: str, seconds: float) -> subprocess.Popen:
    """A second process that takes the lock, says so on stdout, and holds it for `seconds`."""
    code = textwrap.dedent(f"""
        import sys, time
        from pipelines.lock import store_lock
        from pipelines.store import Store
        store = Store({url!r})
        with store_lock(store, holder="nightly run in the other process", timeout_s=0):
            print("locked", flush=True)
            time.sleep({seconds})
        store.dispose()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_store_lock_second_process_stops_naming_store_and_holder(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = _hold_in_other_process(url, 30)
    store = Store(url)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreBusyError) as err:
            with store_lock(store, holder=describe_holder("test"), timeout_s=1.0, poll_s=0.1):
                pass
        assert 0.9 <= time.monotonic() - t0 < 10
        msg = err.value.message
        assert str(tmp_path / "store.db") in msg
        assert "nightly run in the other process" in msg and "--lock-timeout" in msg
    finally:
        proc.kill()
        proc.wait()
        store.dispose()


def test_store_lock_waits_for_a_holder_that_finishes(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = _hold_in_other_process(url, 1.5)
    store = Store(url)
    try:
        t0 = time.monotonic()
        with store_lock(store, holder="second", timeout_s=60, poll_s=0.1):
            assert time.monotonic() - t0 >= 1.0  # we only got in once the other process let go
    finally:
        proc.kill()
        proc.wait()
        store.dispose()


def test_store_lock_is_released_when_the_holder_dies(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = _hold_in_other_process(url, 300)
    proc.kill()  # a killed run must not leave a stale lock behind
    proc.wait()
    store = Store(url)
    try:
        with store_lock(store, holder="after the crash", timeout_s=0):
            pass
    finally:
        store.dispose()


def test_store_lock_threads_never_interleave(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    inside: list[int] = []
    overlaps: list[bool] = []

    def run(i: int) -> None:
        with store_lock(store, holder=f"thread {i}", timeout_s=30, poll_s=0.02):
            overlaps.append(bool(inside))
            inside.append(i)
            time.sleep(0.1)
            inside.remove(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.dispose()
    assert overlaps == [False, False, False]


def test_store_lock_in_memory_store_needs_none():
    store = Store("sqlite:///:memory:")
    with store_lock(store, holder="a", timeout_s=0):
        with store_lock(store, holder="b", timeout_s=0):  # one process owns an in-memory store
            pass
    store.dispose()
