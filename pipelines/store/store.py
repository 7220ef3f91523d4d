"""The store: documents, segments, embeddings, themes and runs behind a URL.

SQLite (embedded, the default) and PostgreSQL share one schema. Every write
happens in a transaction; SQL uses bound parameters only.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from nlp.embed import text_hash
from nlp.errors import ConfigError
from nlp.records import Document, LineageEvent, LineageKind, Quarantined, Role, Segment, Source

from . import schema as s
from .migrations import migrate_schema, stored_version

__all__ = ["FileEntry", "Store", "StoredTheme", "default_store_url", "redact_url"]

logger = logging.getLogger(__name__)

_CHUNK = 500
# Documents written per batch when a file is recorded.
_PUT_BATCH = 500
#: Finished runs whose segment -> theme assignments are kept (older runs keep their record and lineage).
KEEP_ASSIGNMENT_RUNS = 30


def default_store_url() -> str:
    """`$GROUNDSWELL_STORE`, else a SQLite file under ./.groundswell/."""
    url = os.environ.get("GROUNDSWELL_STORE", "").strip()
    if url:
        return url
    return "sqlite:///" + str(Path(".groundswell") / "store.db")


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for logs and reports."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}://{creds}@{host}"


@dataclass(frozen=True)
class FileEntry:
    """What the ledger holds for one input file."""

    path: str
    content_hash: str
    sidecar_hash: str
    config_hash: str
    kind: str
    status: str  # ok | quarantined
    documents: int
    quarantined: Quarantined | None  # set when status is quarantined


@dataclass(frozen=True)
class StoredTheme:
    """A theme as the store remembers it from earlier runs."""

    theme_id: str
    label: str
    centroid: np.ndarray
    members: frozenset[str]
    alive: bool


def _to_blob(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype="<f4").tobytes()


def _from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Store:
    """A groundswell store behind a database URL.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://...``).
            ``postgresql://`` uses psycopg 3.

    Raises:
        ConfigError: the URL is malformed, the database cannot be opened, or
            the file is not a groundswell store.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        engine_url = url
        if url.startswith("postgresql://"):
            engine_url = "postgresql+psycopg://" + url[len("postgresql://") :]
        elif url.startswith("postgres://"):
            engine_url = "postgresql+psycopg://" + url[len("postgres://") :]
        if engine_url.startswith("sqlite:///"):
            db_path = engine_url[len("sqlite:///") :]
            if db_path and db_path != ":memory:":
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(engine_url, future=True)
        except Exception as exc:  # the URL itself is malformed
            raise ConfigError(
                "--store", f"cannot use database URL {redact_url(url)!r}: {exc}",
                fix="give sqlite:///path/to/store.db or postgresql://user@host/dbname",
            ) from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            self.upgraded_from: int = migrate_schema(self.engine, redact_url(url))
        except DatabaseError as exc:
            raise ConfigError(
                redact_url(url), f"cannot open the store: {exc.orig}",
                fix="check the URL, that the server runs, or move a corrupt file aside",
            ) from exc

    # -- meta -------------------------------------------------------------
    def schema_version(self) -> int:
        """The schema version the store is at (``schema.SCHEMA_VERSION`` once opened)."""
        with self.engine.connect() as con:
            return stored_version(con) or 0

    # -- ingest -----------------------------------------------------------
    def file_hash(self, path: str) -> tuple[str, str] | None:
        """The (content_hash, status) the ledger holds for a path, if any."""
        entry = self.file_entry(path)
        return (entry.content_hash, entry.status) if entry else None

    def file_entry(self, path: str) -> FileEntry | None:
        """Everything the ledger holds for a path, if anything."""
        with self.engine.connect() as con:
            row = con.execute(select(s.files).where(s.files.c.path == path)).first()
        if row is None:
            return None
        quarantined = (Quarantined(row.path, row.reason, row.line, row.field, row.content_hash)
                       if row.status == "quarantined" else None)
        return FileEntry(path=row.path, content_hash=row.content_hash, sidecar_hash=row.sidecar_hash,
                         config_hash=row.config_hash, kind=row.kind, status=row.status,
                         documents=row.documents, quarantined=quarantined)

    def touch_file(self, path: str, run_id: str) -> None:
        """Note that a run saw a file again, unchanged."""
        with self.engine.begin() as con:
            con.execute(update(s.files).where(s.files.c.path == path).values(last_run=run_id))

    def quarantined_files(self) -> list[Quarantined]:
        """Every file the ledger holds as quarantined, by path."""
        with self.engine.connect() as con:
            rows = con.execute(
                select(s.files).where(s.files.c.status == "quarantined").order_by(s.files.c.path)
            ).all()
        return [Quarantined(r.path, r.reason, r.line, r.field, r.content_hash) for r in rows]

    def record_file(
        self,
        *,
        path: str,
        content_hash: str,
        kind: str,
        run_id: str,
        documents: Iterable[tuple[Document, Sequence[Segment], str]] = (),
        quarantined: Quarantined | None = None,
        sidecar_hash: str = "",
        config_hash: str = "",
    ) -> int:
        """Record one file and replace its documents, in one transaction.

        ``documents`` may be a generator: it is consumed inside the
        transaction, so an exception it raises part-way (a bad row deep in a
        streamed CSV) rolls the whole file back and leaves the store as it was.

        Args:
            documents: (document, its segments, the document's content hash).
                A document whose stored hash is the same is left alone; a
                changed one has its segments replaced; a document the file no
                longer holds is deleted with its segments.
            quarantined: set when the file cannot be read. Its documents from
                an earlier, readable version are kept (a half-written export
                must not wipe what was known), and the ledger records the new
                hash with the reason, so it is not read again until it changes.
            sidecar_hash: hash of the sidecars the file was read with.
            config_hash: hash of the ingest settings the file was read with.

        Returns:
            How many documents the file gave.
        """
        status = "quarantined" if quarantined else "ok"
        with self.engine.begin() as con:
            count = 0
            keep: set[str] = set()
            batch: list[tuple[Document, Sequence[Segment], str]] = []
            for item in documents:
                count += 1
                keep.add(item[0].doc_id)
                batch.append(item)
                if len(batch) >= _PUT_BATCH:
                    self._put_documents(con, path, batch)
                    batch = []
            if batch:
                self._put_documents(con, path, batch)
            if quarantined is None:
                gone = [r[0] for r in con.execute(
                    select(s.documents.c.doc_id).where(s.documents.c.path == path)) if r[0] not in keep]
                for chunk in _chunks(gone):  # documents the new version of the file no longer holds
                    con.execute(delete(s.segments).where(s.segments.c.doc_id.in_(chunk)))
                    con.execute(delete(s.documents).where(s.documents.c.doc_id.in_(chunk)))
            old = con.execute(select(s.files.c.documents).where(s.files.c.path == path)).first()
            values = dict(
                content_hash=content_hash, sidecar_hash=sidecar_hash, config_hash=config_hash,
                kind=kind, status=status,
                reason=quarantined.reason if quarantined else "",
                line=quarantined.line if quarantined else None,
                field=quarantined.field if quarantined else None,
                documents=old[0] if quarantined and old is not None else count, last_run=run_id,
            )
            if old is None:
                con.execute(insert(s.files).values(path=path, first_run=run_id, **values))
            else:
                con.execute(update(s.files).where(s.files.c.path == path).values(**values))
        return count

    @staticmethod
    def _put_documents(con, path: str, batch: Sequence[tuple[Document, Sequence[Segment], str]]) -> None:  # noqa: ANN001
        """Insert or replace documents and their segments (unchanged ones are left alone), a batch at a time.

        A document given twice keeps its last version, as if written one after the other.
        """
        latest: dict[str, tuple[Document, Sequence[Segment], str]] = {}
        for item in batch:
            latest.pop(item[0].doc_id, None)
            latest[item[0].doc_id] = item
        prev = {r[0]: (r[1], r[2]) for r in con.execute(
            select(s.documents.c.doc_id, s.documents.c.content_hash, s.documents.c.path)
            .where(s.documents.c.doc_id.in_(list(latest))))}
        moved: list[str] = []
        fresh: list[tuple[Document, Sequence[Segment], str]] = []
        for doc_id, item in latest.items():
            old = prev.get(doc_id)
            if old is not None and old[0] == item[2]:
                if old[1] != path:  # the same document, now exported in another file
                    moved.append(doc_id)
            else:
                fresh.append(item)
        if moved:
            con.execute(update(s.documents).where(s.documents.c.doc_id.in_(moved)).values(path=path))
        if not fresh:
            return
        replaced = [doc.doc_id for doc, _, _ in fresh if doc.doc_id in prev]
        if replaced:
            con.execute(delete(s.segments).where(s.segments.c.doc_id.in_(replaced)))
            con.execute(delete(s.documents).where(s.documents.c.doc_id.in_(replaced)))
        con.execute(insert(s.documents), [
            dict(
                doc_id=doc.doc_id, source=doc.source.value, created_at=doc.created_at,
                path=path, content_hash=doc_hash, account_id=doc.account_id,
                account_name=doc.account_name, segment=doc.segment,
                opportunity_id=doc.opportunity_id, stage=doc.stage, outcome=doc.outcome,
                amount=doc.amount, author=doc.author, dated_by=doc.dated_by,
            )
            for doc, _, doc_hash in fresh
        ])
        rows = [
            dict(
                segment_id=seg.segment_id, doc_id=seg.doc_id, seq=i,
                source=seg.source.value, speaker=seg.speaker,
                speaker_role=seg.speaker_role.value, created_at=seg.created_at,
                start_s=seg.start_s, end_s=seg.end_s, text=seg.text,
                text_hash=text_hash(seg.text), small_talk=seg.small_talk,
                account_id=seg.account_id, account_name=seg.account_name,
                outcome=seg.outcome,
            )
            for _, segs, _ in fresh for i, seg in enumerate(segs)
        ]
        if rows:
            con.execute(insert(s.segments), rows)

    def load_segments(self, until: datetime) -> list[Segment]:
        """Every stored segment dated at or before ``until``, in document order."""
        q = (
            select(s.segments)
            .where(s.segments.c.created_at <= until)
            .order_by(s.segments.c.created_at, s.segments.c.doc_id, s.segments.c.seq)
        )
        with self.engine.connect() as con:
            rows = con.execute(q).all()
        return [
            Segment(
                segment_id=r.segment_id, doc_id=r.doc_id, source=Source(r.source),
                speaker=r.speaker, speaker_role=Role(r.speaker_role), created_at=r.created_at,
                text=r.text, start_s=r.start_s, end_s=r.end_s, small_talk=bool(r.small_talk),
                account_id=r.account_id, account_name=r.account_name, outcome=r.outcome,
            )
            for r in rows
        ]

    def count_documents(self, until: datetime) -> int:
        """How many stored documents are dated at or before ``until``."""
        from sqlalchemy import func

        with self.engine.connect() as con:
            return int(con.execute(
                select(func.count()).select_from(s.documents).where(s.documents.c.created_at <= until)
            ).scalar_one())

    def documents_digest(self, until: datetime) -> str:
        """sha256 over the (doc_id, content hash) of every document dated at or before ``until``.

        Two runs that see the same digest mine exactly the same documents.
        """
        import hashlib

        digest = hashlib.sha256()
        q = (select(s.documents.c.doc_id, s.documents.c.content_hash)
             .where(s.documents.c.created_at <= until).order_by(s.documents.c.doc_id))
        with self.engine.connect() as con:
            for doc_id, content_hash in con.execute(q):
                digest.update(f"{doc_id}\x1f{content_hash}\x1e".encode("utf-8"))
        return digest.hexdigest()

    # -- embeddings -------------------------------------------------------
    def cached_vectors(self, text_hashes: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        """The cached vectors for those text hashes under one model id."""
        return dict(self.iter_cached_vectors(text_hashes, model_id))

    def iter_cached_vectors(self, text_hashes: Sequence[str], model_id: str) -> Iterator[tuple[str, np.ndarray]]:
        """(text hash, vector) for each of those hashes the cache holds under one model id, a chunk at a time."""
        unique = sorted(set(text_hashes))
        with self.engine.connect() as con:
            for chunk in _chunks(unique):
                rows = con.execute(
                    select(s.embeddings.c.text_hash, s.embeddings.c.vector).where(
                        s.embeddings.c.model_id == model_id, s.embeddings.c.text_hash.in_(chunk)
                    )
                ).all()
                for h, v in rows:
                    yield h, _from_blob(v)

    def save_vectors(self, vectors: dict[str, np.ndarray], model_id: str) -> None:
        """Cache vectors by text hash (existing keys are left alone)."""
        if not vectors:
            return
        have = self.cached_vectors(list(vectors), model_id)
        rows = [
            dict(text_hash=h, model_id=model_id, dim=int(v.shape[0]), vector=_to_blob(v))
            for h, v in sorted(vectors.items())
            if h not in have
        ]
        with self.engine.begin() as con:
            for chunk in _chunks(rows):
                con.execute(insert(s.embeddings), list(chunk))

    # -- themes and runs --------------------------------------------------
    def last_done_run(self) -> str | None:
        """The id of the latest finished run, if any."""
        with self.engine.connect() as con:
            row = con.execute(
                select(s.runs.c.run_id).where(s.runs.c.status == "done")
                .order_by(s.runs.c.finished_at.desc(), s.runs.c.run_id.desc())
            ).first()
        return row[0] if row else None

    def load_themes(self) -> list[StoredTheme]:
        """The themes the store remembers, with members from the latest finished run."""
        last = self.last_done_run()
        members: dict[str, set[str]] = {}
        with self.engine.connect() as con:
            rows = con.execute(select(s.themes).order_by(s.themes.c.theme_id)).all()
            if last is not None:
                for seg_id, theme_id in con.execute(
                    select(s.assignments.c.segment_id, s.assignments.c.theme_id).where(
                        s.assignments.c.run_id == last
                    )
                ):
                    members.setdefault(theme_id, set()).add(seg_id)
        return [
            StoredTheme(
                theme_id=r.theme_id, label=r.label, centroid=_from_blob(r.centroid),
                members=frozenset(members.get(r.theme_id, ())), alive=bool(r.alive),
            )
            for r in rows
        ]

    def theme_statuses(self) -> dict[str, str]:
        """The status each theme had in the run that last saw it."""
        with self.engine.connect() as con:
            return {r[0]: r[1] for r in con.execute(select(s.themes.c.theme_id, s.themes.c.status))}

    def start_run(self, run_id: str, as_of: str, started_at: datetime) -> None:
        """Open a run record; runs left 'running' by a killed process are marked failed.

        Call it holding the store's lock, so no live run is among them.
        """
        with self.engine.begin() as con:
            con.execute(update(s.runs).where(s.runs.c.status == "running", s.runs.c.run_id != run_id).values(
                status="failed", finished_at=started_at,
                record=json.dumps({"error": "interrupted: the process ended before the run finished"}),
            ))
            con.execute(delete(s.runs).where(s.runs.c.run_id == run_id))
            con.execute(insert(s.runs).values(
                run_id=run_id, as_of=as_of, started_at=started_at, status="running", record="{}"
            ))

    def finish_run(
        self,
        run_id: str,
        *,
        finished_at: datetime,
        record: dict,
        themes: Sequence[tuple[str, str, Sequence[str], np.ndarray, int, str]],
        assignments: dict[str, str],
        lineage: Sequence[LineageEvent] = (),
    ) -> None:
        """Save a run's themes, assignments and lineage and mark it done, in one transaction.

        Args:
            themes: (theme_id, label, keywords, centroid, size, status) of this run.
            assignments: segment_id -> theme_id.
            lineage: the run's lineage events, in report order.
        """
        ids = {t[0] for t in themes}
        with self.engine.begin() as con:
            existing = {r[0]: r[1] for r in con.execute(select(s.themes.c.theme_id, s.themes.c.first_run))}
            for theme_id, label, keywords, centroid, size, status in themes:
                values = dict(
                    label=label, keywords=json.dumps(list(keywords)), centroid=_to_blob(centroid),
                    size=size, status=status, last_run=run_id, alive=True,
                )
                if theme_id in existing:
                    con.execute(update(s.themes).where(s.themes.c.theme_id == theme_id).values(**values))
                else:
                    con.execute(insert(s.themes).values(theme_id=theme_id, first_run=run_id, **values))
            gone = [t for t in existing if t not in ids]
            for chunk in _chunks(gone):
                con.execute(update(s.themes).where(s.themes.c.theme_id.in_(chunk)).values(alive=False))
            con.execute(delete(s.assignments).where(s.assignments.c.run_id == run_id))
            rows = [dict(run_id=run_id, segment_id=k, theme_id=v) for k, v in sorted(assignments.items())]
            for chunk in _chunks(rows):
                con.execute(insert(s.assignments), list(chunk))
            con.execute(delete(s.lineage).where(s.lineage.c.run_id == run_id))
            if lineage:
                con.execute(insert(s.lineage), [
                    dict(run_id=run_id, seq=i, kind=ev.kind.value, sources=json.dumps(list(ev.sources)),
                         targets=json.dumps(list(ev.targets)), summary=ev.summary)
                    for i, ev in enumerate(lineage)
                ])
            con.execute(update(s.runs).where(s.runs.c.run_id == run_id).values(
                finished_at=finished_at, status="done", record=json.dumps(record, sort_keys=True, default=str)
            ))
            # assignments of all but the latest finished runs go: a nightly run on 100k segments adds 100k rows
            keep = [r[0] for r in con.execute(
                select(s.runs.c.run_id).where(s.runs.c.status == "done")
                .order_by(s.runs.c.finished_at.desc(), s.runs.c.run_id.desc()).limit(KEEP_ASSIGNMENT_RUNS))]
            con.execute(delete(s.assignments).where(s.assignments.c.run_id.not_in(keep)))

    def load_lineage(self, run_id: str) -> list[LineageEvent]:
        """The lineage events a finished run recorded, in report order."""
        with self.engine.connect() as con:
            rows = con.execute(
                select(s.lineage).where(s.lineage.c.run_id == run_id).order_by(s.lineage.c.seq)
            ).all()
        return [LineageEvent(LineageKind(r.kind), tuple(json.loads(r.sources)), tuple(json.loads(r.targets)),
                             r.summary) for r in rows]

    def run_record(self, run_id: str) -> dict | None:
        with self.engine.connect() as con:
            row = con.execute(select(s.runs).where(s.runs.c.run_id == run_id)).first()
        if row is None:
            return None
        return {"run_id": row.run_id, "as_of": row.as_of, "status": row.status,
                "started_at": row.started_at, "finished_at": row.finished_at,
                **json.loads(row.record or "{}")}

    def fail_run(self, run_id: str, *, finished_at: datetime, reason: str) -> None:
        """Mark a run that stopped part-way as failed, with the reason in its record."""
        with self.engine.begin() as con:
            con.execute(update(s.runs).where(s.runs.c.run_id == run_id, s.runs.c.status == "running").values(
                finished_at=finished_at, status="failed", record=json.dumps({"error": reason[:2000]})))

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_con, _record) -> None:  # noqa: ANN001
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
