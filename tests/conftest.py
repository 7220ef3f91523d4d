"""Session fixtures: the real embedding model, loaded once; one Prefect test harness."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def resources():
    """The embedding model, sentence splitter and parser, loaded once per session."""
    from pipelines.mine import load_resources
    from pipelines.settings import Settings

    return load_resources(Settings())


@pytest.fixture(scope="session")
def embedding_model(resources):
    return resources.model


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect API for every flow test in the session."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def demo_bundle(resources, tmp_path_factory):
    """The demo's bundle, mined once per session without Prefect (pipelines.mine.mine).

    Returns:
        (bundle folder, MineResult, store URL). Treat all three as read-only.
    """
    from datetime import date

    from pipelines.mine import mine
    from pipelines.settings import Settings

    root = tmp_path_factory.mktemp("demo-bundle")
    store_url = f"sqlite:///{root / 'store.db'}"
    result = mine(
        [SAMPLE / "calls", SAMPLE / "notes"], SAMPLE / "strategy.md", root / "bundle",
        store_url=store_url, as_of=date(2026, 10, 31), settings=Settings(), resources=resources,
    )
    return root / "bundle", result, store_url


CHROMIUM = Path("/usr/bin/chromium")


def run_chromium(profile: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once, offline: every host name but loopback resolves to nothing."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def chromium():
    """:func:`run_chromium`, or a skip where Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    return run_chromium


def _hold_store_lock(url: str, seconds: float, holder: str = "nightly run in the other process"):
    """Start a process that takes the store's lock, says so, and holds it for ``seconds``."""
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import time
        from pipelines.lock import store_lock
        from pipelines.store import Store
        store = Store({url!r})
        with store_lock(store, holder={holder!r}, timeout_s=0):
            print("locked", flush=True)
            time.sleep({seconds})
        store.dispose()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture(scope="session")
def hold_store_lock():
    """``hold_store_lock(url, seconds, holder)``: another process holding the store's lock (kill it when done)."""
    return _hold_store_lock
