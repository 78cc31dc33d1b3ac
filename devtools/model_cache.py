"""Trained Rasa models cached outside the clone, keyed by their training inputs.

A fresh clone of unchanged data then copies a model instead of training for minutes. The cache
folder is ``$POLICYLINE_MODEL_CACHE``, else ``$XDG_CACHE_HOME/policyline/models``, else
``~/.cache/policyline/models``; it keeps the newest ``KEEP`` models.

A key is a SHA-256 over the installed Rasa and TensorFlow versions, each input file's name and
content, and any extra text the caller trains from (the held-out split, say): change any of
them and the model is trained again.

``python -m devtools.model_cache`` puts the assistant's model at models/policyline.tar.gz
(``make run``/``make test`` call it when config.yml, domain.yml or data/ is newer than the model).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODEL = PROJECT_ROOT / "models" / "policyline.tar.gz"
KEEP = 8


def cache_dir() -> Path:
    if explicit := os.environ.get("POLICYLINE_MODEL_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policyline" / "models"


def assistant_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    """What ``rasa train`` reads: config.yml, domain.yml and every file under data/."""
    data = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    return [root / "config.yml", root / "domain.yml", *data]


def inputs_key(files: Iterable[Path], *, extra: str = "", root: Path = PROJECT_ROOT) -> str:
    """The cache key of a model trained from ``files`` (and ``extra``) with the installed Rasa."""
    digest = hashlib.sha256()
    for package in ("rasa", "tensorflow"):
        digest.update(f"{package} {importlib.metadata.version(package)}\n".encode())
    for path in sorted(files):
        name = path.relative_to(root) if path.is_relative_to(root) else path
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(f"{content} {name}\n".encode())
    digest.update(extra.encode())
    return digest.hexdigest()[:32]


def cached_model(key: str, dest: Path, train: Callable[[Path], Path]) -> bool:
    """Puts the model for ``key`` at ``dest``: copied from the cache, or trained by
    ``train(folder) -> model file`` and stored. Returns whether it came from the cache."""
    cache = cache_dir()
    stored = cache / f"{key}.tar.gz"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if stored.is_file():
        _copy_atomically(stored, dest)
        return True
    with tempfile.TemporaryDirectory(prefix="policyline-train-") as work:
        model = train(Path(work))
        cache.mkdir(parents=True, exist_ok=True)
        _copy_atomically(model, stored)  # a concurrent reader never sees half a model
        _copy_atomically(model, dest)
    for old in sorted(cache.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
        old.unlink(missing_ok=True)
    return False


def _copy_atomically(source: Path, dest: Path) -> None:
    partial = dest.with_name(f"{dest.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    partial.replace(dest)


def _train_assistant(work: Path) -> Path:
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run(
        [str(rasa), "train", "--fixed-model-name", "policyline", "--out", str(work), "--quiet"],
        cwd=PROJECT_ROOT,
        check=True,
    )
    return work / "policyline.tar.gz"


def main() -> int:
    key = inputs_key(assistant_inputs())
    from_cache = cached_model(key, MODEL, _train_assistant)
    MODEL.touch()  # newer than the inputs, for make
    how = "training inputs unchanged, copied from" if from_cache else "trained, cached as"
    print(f"model: {how} {cache_dir() / f'{key}.tar.gz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
