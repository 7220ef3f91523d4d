"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Table,
    Index,
)

__all__ = ["SCHEMA_VERSION", "metadata", "meta", "files", "documents", "segments",
           "embeddings", "themes", "runs", "assignments", "lineage"]

# Bump with a step in pipelines/store/migrations.py whenever an existing table
# changes; a new table needs no step (create_all makes it on open).
SCHEMA_VERSION = 2

metadata = MetaData()

# key/value facts about the store itself: schema version, id counters.
meta = Table(
    "gs_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# the ledger of input files, by path; content_hash says which version was read.
files = Table(
    "gs_files",
    metadata,
    Column("path", String(1024), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    # sha256 over the calls.csv/team.csv in force when the file was read (v2)
    Column("sidecar_hash", String(64), nullable=False, default="", server_default=""),
    # sha256 of the ingest settings that shape stored text: redaction, NER model, segmenting (v2)
    Column("config_hash", String(64), nullable=False, default="", server_default=""),
    Column("kind", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # ok | quarantined
    Column("reason", Text, nullable=False, default=""),
    Column("line", Integer, nullable=True),
    Column("field", String(200), nullable=True),
    Column("documents", Integer, nullable=False, default=0),
    Column("first_run", String(64), nullable=False),
    Column("last_run", String(64), nullable=False),
)

documents = Table(
    "gs_documents",
    metadata,
    Column("doc_id", String(512), primary_key=True),
    Column("source", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("path", String(1024), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("account_id", String(200), nullable=False, default=""),
    Column("account_name", String(400), nullable=False, default=""),
    Column("segment", String(200), nullable=False, default=""),
    Column("opportunity_id", String(200), nullable=False, default=""),
    Column("stage", String(200), nullable=False, default=""),
    Column("outcome", String(16), nullable=False, default=""),
    Column("amount", Float, nullable=True),
    Column("author", String(400), nullable=False, default=""),
    Column("dated_by", String(32), nullable=False, default="export"),
)

segments = Table(
    "gs_segments",
    metadata,
    Column("segment_id", String(600), primary_key=True),
    Column("doc_id", String(512), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Column("speaker", String(400), nullable=False, default=""),
    Column("speaker_role", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("start_s", Float, nullable=True),
    Column("end_s", Float, nullable=True),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("small_talk", Boolean, nullable=False, default=False),
    Column("account_id", String(200), nullable=False, default=""),
    Column("account_name", String(400), nullable=False, default=""),
    Column("outcome", String(16), nullable=False, default=""),
)

# vectors cached by (text hash, model id): no text is embedded twice.
embeddings = Table(
    "gs_embeddings",
    metadata,
    Column("text_hash", String(64), primary_key=True),
    Column("model_id", String(200), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32 little-endian
)

# the store's memory of themes: the latest state of each theme id.
themes = Table(
    "gs_themes",
    metadata,
    Column("theme_id", String(32), primary_key=True),
    Column("label", Text, nullable=False),
    Column("keywords", Text, nullable=False),  # JSON list
    Column("centroid", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_run", String(64), nullable=False),
    Column("last_run", String(64), nullable=False),
    Column("alive", Boolean, nullable=False, default=True),
)

# which theme each segment belonged to in each run.
assignments = Table(
    "gs_assignments",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("segment_id", String(600), primary_key=True),
    Column("theme_id", String(32), nullable=False),
)
Index("ix_gs_assignments_theme", assignments.c.run_id, assignments.c.theme_id)

# theme lineage per run: births, merges, splits, fadings (sources/targets: JSON lists of theme ids).
lineage = Table(
    "gs_lineage",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # born | merged | split | faded
    Column("sources", Text, nullable=False),
    Column("targets", Text, nullable=False),
    Column("summary", Text, nullable=False),
)

runs = Table(
    "gs_runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("as_of", String(10), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("record", Text, nullable=False, default="{}"),  # JSON: models, counts, settings, timings
)
