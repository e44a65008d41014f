"""Result files written atomically: a reader never sees half a file.

Each file is written to a temporary name in the same directory and renamed into place
(``os.replace`` is atomic on POSIX and Windows). A whole output folder is staged the same way
by :func:`staged_dir`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates files readable by the owner only; give the usual umask permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _finite(obj: Any) -> Any:
    """Replace NaN/inf by None so the JSON is standard (``NaN`` is not valid JSON)."""
    if isinstance(obj, float) or isinstance(obj, np.floating):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _finite(obj.tolist())
    return obj


def to_json(obj: Any) -> str:
    """Serialise results (numpy scalars/arrays allowed; NaN becomes null)."""
    return json.dumps(_finite(obj), indent=2, default=_json_default, allow_nan=False) + "\n"


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as standard JSON, atomically."""
    write_text_atomic(path, to_json(obj))


def format_cell(value: Any, digits: int = 4) -> str:
    """CSV cell text: empty for missing values, fixed precision for floats."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return "" if not np.isfinite(value) else f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def table_to_csv(columns: Mapping[str, Sequence[Any]]) -> str:
    """Render a dict of equal-length columns as CSV text."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    n = len(next(iter(columns.values()))) if columns else 0
    for i in range(n):
        writer.writerow([format_cell(columns[c][i]) for c in names])
    return buf.getvalue()


def write_csv_atomic(path: Path, columns: Mapping[str, Sequence[Any]]) -> None:
    """Write a dict of equal-length columns as CSV, atomically."""
    write_text_atomic(path, table_to_csv(columns))


@contextlib.contextmanager
def staged_dir(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``.

    Nothing appears in ``out_dir`` when the block raises, and each file is moved into place
    with an atomic rename, so an interrupted run leaves either the old or the new file.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".staging", dir=out_dir.parent))
    try:
        yield stage
        out_dir.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.rglob("*")):
            if src.is_file():
                dst = out_dir / src.relative_to(stage)
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
