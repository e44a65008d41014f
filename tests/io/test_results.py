"""Atomic result files: no half files, standard JSON, CSV cells."""

import json

import numpy as np
import pytest

from sprintcv.io.results import staged_dir, table_to_csv, to_json, write_json_atomic


def test_json_nan_becomes_null_and_numpy_serialises(tmp_path):
    write_json_atomic(tmp_path / "s.json", {"a": np.float64("nan"), "b": np.arange(3), "c": np.int64(4)})
    assert json.loads((tmp_path / "s.json").read_text()) == {"a": None, "b": [0, 1, 2], "c": 4}


def test_staged_dir_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_dir(out) as stage:
            (stage / "summary.json").write_text("{}")
            raise RuntimeError("crash while writing")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".staging")]
    with staged_dir(out) as stage:
        (stage / "sub").mkdir()
        (stage / "sub" / "a.txt").write_text("x")
    assert (out / "sub" / "a.txt").read_text() == "x"


def test_csv_cells():
    text = table_to_csv({"step": np.array([1, 2]), "t": np.array([0.1234567, np.nan]), "foot": ["l", "r"]})
    assert text.splitlines() == ["step,t,foot", "1,0.1235,l", "2,,r"]
    assert to_json({"x": float("inf")}).strip().endswith("null\n}".strip())
