"""The `groundswell` command line (see SPEC.md "Command line")."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["main", "build_parser", "prefect_offline_env", "SAMPLE_DIR"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
DEMO_AS_OF = date(2026, 10, 31)

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
groundswell mines sales-call transcripts and CRM notes for customer themes and
compares them with your stated strategy, to flag where the field is ahead of
leadership: field_ahead (rising needs no strategy statement covers),
off_strategy (rising pull toward what you said no to) and strategy_unheard
(value claims and priorities customers never raise)."""

_MINE_EPILOG = """\
inputs (--source, files or folders, walked recursively; format from extension and content):
  calls   Teams/Zoom WebVTT .vtt, SubRip .srt, Gong transcript JSON, plain text .txt
          optional calls.csv (call_id, started_at, account, outcome, ...) and
          team.csv (name, email of your reps) beside the transcripts
  notes   CSV or JSON Lines: id, created_at, text (+ account_id, outcome, ...),
          or Salesforce Task / ContentNote or HubSpot note exports as they come
strategy (--strategy): YAML (statements: [{id, kind, text}]) or Markdown whose
  headings name the kind (Objectives, Where we compete, What we say no to,
  Value proposition, Priorities, Competitors) and whose bullets are statements.
output (--out): report.html, summary.md, themes.json, flags.json, segments.csv,
  coaching.csv, coaching.md.
exit codes: 0 done (also when files were quarantined), 2 bad usage or a bad
  strategy/config file, 1 anything else.
example:
  groundswell mine --source exports/calls --source exports/notes.csv \\
      --strategy strategy.md --out reports/tonight
"""


def prefect_offline_env(home: Path) -> None:
    """Prefect's offline settings, unless the user set them (ENVIRONMENT.md)."""
    defaults = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    }
    for k, v in defaults.items():
        os.environ.setdefault(k, v)
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of must be a date as YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groundswell", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage's details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser, required: bool) -> None:
        p.add_argument("--source", action="append", required=required, metavar="PATH",
                       help="a transcript or notes file, or a folder of them; repeat for more")
        p.add_argument("--strategy", required=required, metavar="FILE",
                       help="the stated strategy, YAML or Markdown")
        p.add_argument("--store", metavar="URL",
                       help="database URL (default: $GROUNDSWELL_STORE or sqlite:///.groundswell/store.db); "
                            "postgresql://user@host/db for teams")
        p.add_argument("--config", metavar="FILE", help="settings file, YAML or TOML (see README)")
        p.add_argument("--dask", metavar="ADDRESS",
                       help="embed new texts on the Dask cluster at this scheduler address (tcp://host:8786); "
                            "setting dask.address")
        p.add_argument("--lock-timeout", type=float, metavar="SECONDS",
                       help="wait this long for another run on the same store, then stop with exit code 1 "
                            "(default 300; setting run.lock_timeout_s)")

    mine = sub.add_parser("mine", help="mine sources into a report bundle",
                          description="Mine calls and CRM notes into themes and flags, and write the bundle.",
                          epilog=_MINE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(mine, True)
    mine.add_argument("--out", required=True, metavar="DIR", help="folder for the report bundle")
    mine.add_argument("--as-of", type=_as_of, metavar="YYYY-MM-DD",
                      help="the run's 'today': later documents are ignored, trends count back from it "
                           "(default: today)")

    demo = sub.add_parser("demo", help="run the bundled sample data end to end",
                          description=f"Mine the bundled sample data ({SAMPLE_DIR}) as of {DEMO_AS_OF} "
                                      "into a bundle, on a store of its own.")
    demo.add_argument("--out", default="groundswell-demo", metavar="DIR",
                      help="folder for the report bundle (default: ./groundswell-demo)")
    demo.add_argument("--store", metavar="URL",
                      help="database URL (default: the SQLite file demo.db in $GROUNDSWELL_HOME, .groundswell/ "
                           "under the working folder; kept between demo runs, so a second run grows the "
                           "first run's themes and keeps their ids)")

    serve = sub.add_parser("serve", help="serve a nightly scheduled mining deployment",
                           description="Create a Prefect deployment of the mining flow on a cron "
                                       "schedule and serve it until stopped (SIGTERM). --source, --strategy, "
                                       "--out, --store, --cron default to the config file's serve section. "
                                       "With PREFECT_API_URL the deployment goes to that Prefect server; "
                                       "without it serve starts a local one (UI on 127.0.0.1).")
    common(serve, False)
    serve.add_argument("--out", metavar="DIR", help="folder each run writes its bundle to (serve.out)")
    serve.add_argument("--cron", help='cron schedule (serve.cron, default "0 2 * * *": 02:00 nightly)')
    serve.add_argument("--timezone", help="IANA time zone of the schedule (serve.timezone, default UTC)")
    serve.add_argument("--name", help="deployment name (serve.name, default groundswell-nightly)")
    return parser


class _TemporaryApi:
    """Prefect's temporary API server as a subprocess, started without importing Prefect's server code here.

    Prefect starts the same server (``uvicorn prefect.server.api.server:create_app``)
    the first time a flow runs without ``PREFECT_API_URL``, but only after
    importing its whole server package into this process (seconds of CPU on a
    2-core machine, while the models load) and only when the flow starts. Here
    the subprocess starts at once, this process imports nothing of it, and the
    flow is pointed at it with ``PREFECT_API_URL`` when it is up.
    """

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log: Any = None

    def start(self) -> None:
        import prefect

        import tempfile

        self.port = _free_port()
        if self._log is None:  # a file, not a pipe: a chatty server never blocks on a full pipe
            self._log = tempfile.TemporaryFile()
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=subprocess.DEVNULL, stderr=self._log, preexec_fn=_die_with_parent)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self) -> None:
        """Block until the server answers /health (a busy port: start again on another)."""
        import httpx

        limit = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        deadline = time.monotonic() + limit
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                code = self.process.poll()
                if code == 3:  # uvicorn could not bind the port
                    self.start()
                    continue
                if code is not None:
                    self._log.seek(0)
                    err = self._log.read().decode("utf-8", "replace")[-2000:]
                    raise RuntimeError(f"Prefect's temporary API server exited with code {code}: {err}")
                try:
                    if client.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"Prefect's temporary API server did not answer within {limit:.0f} s "
                           "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the server gets SIGTERM when this process dies, even by SIGKILL (no orphaned servers)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_prefect_api() -> _TemporaryApi | None:
    """Start Prefect's temporary API server now, when no Prefect API is configured.

    It comes up (2-10 s on 2 cores) while the command validates its inputs and
    loads the models, instead of before the flow's first line.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None  # a configured server (or a test harness's): the flow uses it
    server = _TemporaryApi()
    try:
        server.start()
    except OSError:  # the flow starts Prefect's own and reports what fails
        logging.getLogger("flows").debug("early start of Prefect's temporary server failed", exc_info=True)
        return None
    return server


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    for name in ("nlp", "pipelines", "flows", "evaluation"):
        lg = logging.getLogger(name)
        lg.setLevel(logging.DEBUG if verbose else logging.INFO)
        for old in [h for h in lg.handlers if getattr(h, "_groundswell", False)]:
            lg.removeHandler(old)  # main() may run more than once in a process
        handler._groundswell = True  # type: ignore[attr-defined]
        lg.addHandler(handler)
        lg.propagate = False


def _print_summary(summary: dict) -> None:
    print(f"groundswell: run {summary['run_id']} wrote {summary['out']}")
    c = summary["counts"]
    print(f"  {c['documents']} documents, {c['segments']} segments, {summary['themes']} themes, "
          f"{c['quarantined']} quarantined files")
    flags = summary["flags"]
    print("  flags: " + (", ".join(f"{v} {k}" for k, v in sorted(flags.items())) or "none"))
    for q in summary["quarantined"]:
        print(f"  quarantined: {q}")
    cache = summary.get("cache") or {}
    if cache.get("reused_from"):
        print(f"  nothing new since run {cache['reused_from']}: themes and flags came from the cache")
    print(f"  open {Path(summary['out']) / 'report.html'}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `groundswell` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    _setup_logging(getattr(args, "verbose", False))
    home = Path(os.environ.get("GROUNDSWELL_HOME", ".groundswell"))
    prefect_offline_env((home / "prefect").resolve())
    server = _start_prefect_api() if args.command in ("mine", "demo") else None

    from nlp.errors import ConfigError, InputError, StrategyError
    from pipelines.lock import StoreBusyError
    from pipelines.settings import load_settings
    from pipelines.store import default_store_url

    try:
        if args.command == "demo":
            out = Path(args.out)
            store = args.store or "sqlite:///" + str((home / "demo.db").resolve())
            sources = [str(SAMPLE_DIR / "calls"), str(SAMPLE_DIR / "notes")]
            strategy = str(SAMPLE_DIR / "strategy.md")
            as_of = DEMO_AS_OF
            config = None
            overrides: dict = {}
        else:
            if args.config and not Path(args.config).exists():
                print(f"groundswell: {args.config}: no such file. Fix: check the path given to --config",
                      file=sys.stderr)
                return EXIT_USAGE
            overrides = {k: v for k, v in (("dask__address", args.dask), ("run__lock_timeout_s",
                                                                          args.lock_timeout)) if v is not None}
            if args.command == "serve":  # the serve section of the config fills what the flags leave out
                conf = load_settings(args.config, **overrides).serve
                args.source = args.source or conf.sources
                args.strategy = args.strategy or conf.strategy
                args.out = args.out or conf.out
                args.store = args.store or conf.store
                missing = [f for f, v in (("--source", args.source), ("--strategy", args.strategy),
                                          ("--out", args.out)) if not v]
                if missing:
                    print(f"groundswell serve: {', '.join(missing)} missing. Fix: give them as flags or in "
                          "the config file's serve section (sources, strategy, out)", file=sys.stderr)
                    return EXIT_USAGE
            for p in [*args.source, args.strategy] + ([args.config] if args.config else []):
                if not Path(p).exists():
                    print(f"groundswell: {p}: no such file or folder. Fix: check the path "
                          f"given to --source/--strategy/--config", file=sys.stderr)
                    return EXIT_USAGE
            sources, strategy, config = args.source, args.strategy, args.config
            store = args.store or default_store_url()
            out = Path(args.out)
            as_of = getattr(args, "as_of", None) or date.today()
        settings = load_settings(config, **overrides)  # validate before starting anything
        from pipelines.readers import read_strategy

        read_strategy(strategy)  # a bad strategy is a usage error, before any work
        if args.command == "serve":
            from flows.serve import serve_nightly

            conf = settings.serve
            serve_nightly(name=args.name or conf.name, cron=args.cron or conf.cron,
                          timezone=args.timezone or conf.timezone,
                          sources=[str(Path(s).resolve()) for s in sources],
                          strategy=str(Path(strategy).resolve()), out=str(out.resolve()), store_url=store,
                          config=str(Path(config).resolve()) if config else None, overrides=overrides)
            return EXIT_OK
        from flows.mine import mine_flow, preload_resources

        preload_resources(settings)  # the models load while Prefect's temporary server starts
        run = dict(sources=[str(s) for s in sources], strategy=str(strategy), out=str(out),
                   store_url=store, as_of=as_of, config=config, overrides=overrides)
        if server is not None:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            server.wait()
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                summary = mine_flow(**run)
        else:
            summary = mine_flow(**run)
        _print_summary(summary)
        return EXIT_OK
    except (StrategyError, ConfigError) as exc:
        print(f"groundswell: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        print(f"groundswell: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except StoreBusyError as exc:
        print(f"groundswell: {exc.message}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("groundswell: interrupted; rerun the same command to finish (nothing is duplicated)",
              file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:  # the last line of defence: say what failed, exit 1
        logging.getLogger("flows").debug("run failed", exc_info=True)
        print(f"groundswell: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
