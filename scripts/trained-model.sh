#!/usr/bin/env bash
# Puts a trained model at models/policyline.tar.gz, training only when nothing trained from the
# same inputs is cached. The cache lives outside the clone, so a fresh clone of unchanged data
# copies a model instead of training for minutes:
#   ${POLICYLINE_MODEL_CACHE:-${XDG_CACHE_HOME:-~/.cache}/policyline/models}/<key>.tar.gz
# The key is a SHA-256 over every training input: config.yml, domain.yml, every file under data/
# (names and contents), and the installed Rasa and TensorFlow versions. Any change retrains.
# The newest few models are kept; older ones are removed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
MODEL=models/policyline.tar.gz
KEEP=5
cache="${POLICYLINE_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/policyline/models}"

versions=$("$PY" -c 'import importlib.metadata as m; print("rasa", m.version("rasa"), "tensorflow", m.version("tensorflow"))')
key=$(
  {
    echo "$versions"
    find config.yml domain.yml data -type f | LC_ALL=C sort | while IFS= read -r file; do
      printf '%s %s\n' "$(sha256sum <"$file" | cut -d' ' -f1)" "$file"
    done
  } | sha256sum | cut -c1-32
)
cached="$cache/$key.tar.gz"

mkdir -p models
if [[ -f "$cached" ]]; then
  cp "$cached" "$MODEL.tmp.$$"
  mv "$MODEL.tmp.$$" "$MODEL"
  echo "model: training inputs unchanged, copied from $cached"
else
  .venv/bin/rasa train --fixed-model-name policyline --out models --quiet
  mkdir -p "$cache"
  cp "$MODEL" "$cached.tmp.$$"
  mv "$cached.tmp.$$" "$cached"  # atomic: a concurrent clone never copies half a model
  echo "model: trained and cached as $cached"
  # shellcheck disable=SC2012  # names are our own hex keys
  ls -1t "$cache"/*.tar.gz | tail -n +$((KEEP + 1)) | xargs -r rm -f
fi
touch "$MODEL"
