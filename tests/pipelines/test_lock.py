"""The store's run lock: a second run waits, then stops naming the store and the holder."""

from __future__ import annotations

import threading
import time

import pytest

from pipelines.lock import StoreBusyError, describe_holder, store_lock
from pipelines.store import Store



def test_store_lock_second_process_stops_naming_store_and_holder(tmp_path, hold_store_lock):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = hold_store_lock(url, 30)
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


def test_store_lock_waits_for_a_holder_that_finishes(tmp_path, hold_store_lock):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = hold_store_lock(url, 1.5)
    store = Store(url)
    try:
        t0 = time.monotonic()
        with store_lock(store, holder="second", timeout_s=60, poll_s=0.1):
            assert time.monotonic() - t0 >= 1.0  # we only got in once the other process let go
    finally:
        proc.kill()
        proc.wait()
        store.dispose()


def test_store_lock_is_released_when_the_holder_dies(tmp_path, hold_store_lock):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = hold_store_lock(url, 300)
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
