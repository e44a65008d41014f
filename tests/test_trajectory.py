"""The trajectory container: validation, save/load round trip, tidy export."""

import numpy as np
import pytest

from sprintcv.errors import SprintcvError
from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.trajectory import Trajectory


def _traj(n=5, d=3):
    rng = np.random.default_rng(0)
    return Trajectory(
        coords=rng.normal(size=(n, 33, d)) * 100,
        visibility=rng.uniform(size=(n, 33)),
        t_s=np.arange(n) / 120.0,
        joint_names=MEDIAPIPE_JOINTS,
        frame_index=np.arange(n) * 2,
        meta={"source": "x.mp4"},
    )


def test_validation_rejects_bad_shapes():
    t = _traj()
    with pytest.raises(ValueError, match="visibility"):
        t.replace(visibility=np.ones((5, 32)))
    with pytest.raises(ValueError, match="increasing"):
        t.replace(t_s=np.array([0, 1, 1, 2, 3.0]))
    with pytest.raises(ValueError, match="joint_names"):
        t.replace(joint_names=MEDIAPIPE_JOINTS[:-1] + ("nose",))
    with pytest.raises(ValueError, match="coords"):
        t.replace(coords=np.zeros((5, 33)))


def test_arrays_are_read_only():
    t = _traj()
    with pytest.raises(ValueError):
        t.coords[0, 0, 0] = 1.0


def test_save_load_roundtrip(tmp_path):
    t = _traj()
    t.save(tmp_path / "t.npz")
    u = Trajectory.load(tmp_path / "t.npz")
    np.testing.assert_array_equal(u.coords, t.coords)
    np.testing.assert_array_equal(u.frame_index, t.frame_index)
    assert u.joint_names == t.joint_names and u.meta == t.meta and u.units == "px"
    assert u.fps == pytest.approx(120.0)
    assert not list(tmp_path.glob("*.part"))


def test_load_garbage_is_a_clear_error(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(SprintcvError, match="not a sprintcv trajectory"):
        Trajectory.load(tmp_path / "bad.npz")


def test_tidy_export():
    t = _traj(n=2, d=2)
    rec = t.to_records()
    assert len(rec["joint"]) == 2 * 33
    assert rec["joint"][34] == "left_eye_inner" and rec["frame"][34] == 2
    text = t.to_csv()
    assert text.splitlines()[0] == "frame,t_s,joint,x_px,y_px,visibility"
    assert len(text.splitlines()) == 1 + 66
