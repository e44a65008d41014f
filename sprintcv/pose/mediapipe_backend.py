"""MediaPipe pose backends.

* :class:`MediaPipeLegacyPose` (default): ``mp.solutions.pose`` from ``mediapipe==0.10.21``,
  whose full landmark model (``model_complexity=1``) ships inside the wheel and runs offline.
  Tracking mode (``static_image_mode=False``) with MediaPipe's own landmark smoothing **off**:
  sprintcv filters offline with a zero-lag filter instead (:mod:`sprintcv.clean`), whereas
  MediaPipe's online smoothing lags fast limbs by a frame or more.
* :class:`MediaPipeTaskPose`: the Tasks API with a user-supplied ``.task`` model file (e.g. the
  heavy pose landmarker), in VIDEO running mode. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import PoseError
from ..joints import MEDIAPIPE_JOINTS
from .base import PoseResult


@contextlib.contextmanager
def _quiet_stderr() -> Any:
    """Silence the C++ log lines MediaPipe prints on start-up (they are not errors)."""
    try:
        fd = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(fd, 2)
            os.close(fd)


def _to_result(landmarks: Any, width: int, height: int) -> PoseResult:
    arr = np.array([(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks], dtype=float)
    # MediaPipe normalises x by width and y by height; z uses the same scale as x.
    coords = arr[:, :3] * np.array([width, height, width], dtype=float)
    return PoseResult(coords=coords, visibility=np.clip(arr[:, 3], 0.0, 1.0))


class MediaPipeLegacyPose:
    """Default backend: legacy MediaPipe Pose, full model, tracking mode, no smoothing.

    Parameters
    ----------
    min_detection_confidence, min_tracking_confidence : float
        MediaPipe's thresholds for detecting the person and keeping the track.
    """

    name = "mediapipe-legacy-pose-full"
    joint_names = MEDIAPIPE_JOINTS

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5):
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        self._pose: Any = None

    def settings(self) -> dict[str, Any]:
        import mediapipe as mp

        return {
            "backend": self.name,
            "mediapipe": mp.__version__,
            "model_complexity": 1,
            "smooth_landmarks": False,
            "min_detection_confidence": self.min_detection_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
        }

    def _open(self) -> Any:
        try:
            import mediapipe as mp
        except ImportError as exc:  # pragma: no cover - dependency is declared
            raise PoseError(f"mediapipe is not installed ({exc})") from None
        with _quiet_stderr():
            return mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=1,
                smooth_landmarks=False,
                enable_segmentation=False,
                min_detection_confidence=self.min_detection_confidence,
                min_tracking_confidence=self.min_tracking_confidence,
            )

    def reset(self) -> None:
        self.close()

    def process(self, rgb: np.ndarray, t_s: float) -> PoseResult | None:
        if self._pose is None:
            self._pose = self._open()
            # The graph starts on the first frame and logs its set-up there.
            with _quiet_stderr():
                result = self._pose.process(np.ascontiguousarray(rgb))
        else:
            result = self._pose.process(np.ascontiguousarray(rgb))
        if result.pose_landmarks is None:
            return None
        return _to_result(result.pose_landmarks.landmark, rgb.shape[1], rgb.shape[0])

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None


class MediaPipeTaskPose:
    """Tasks-API pose landmarker with a local ``.task`` model file (VIDEO running mode).

    Parameters
    ----------
    model_path : path
        A MediaPipe pose-landmarker ``.task`` bundle on disk.
    """

    joint_names = MEDIAPIPE_JOINTS

    def __init__(self, model_path: str | Path, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise PoseError(f"{self.model_path}: model file not found")
        self.name = f"mediapipe-task:{self.model_path.name}"
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        self._landmarker: Any = None
        self._last_ms = -1

    def settings(self) -> dict[str, Any]:
        import hashlib

        import mediapipe as mp

        digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()
        return {
            "backend": "mediapipe-task",
            "mediapipe": mp.__version__,
            "model_sha256": digest,
            "min_detection_confidence": self.min_detection_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
        }

    def _open(self) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        )
        try:
            with _quiet_stderr():
                return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise PoseError(f"{self.model_path}: not a usable pose-landmarker model ({exc})") from None

    def reset(self) -> None:
        self.close()
        self._landmarker = self._open()
        self._last_ms = -1

    def process(self, rgb: np.ndarray, t_s: float) -> PoseResult | None:
        import mediapipe as mp

        if self._landmarker is None:
            self.reset()
        # VIDEO mode needs strictly increasing integer milliseconds.
        ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._landmarker.detect_for_video(image, ms)
        if not result.pose_landmarks:
            return None
        return _to_result(result.pose_landmarks[0], rgb.shape[1], rgb.shape[0])

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None


def make_backend(model: str | Path | None = None) -> MediaPipeLegacyPose | MediaPipeTaskPose:
    """The default legacy backend, or the Tasks backend when a ``.task`` file is given."""
    if model is None:
        return MediaPipeLegacyPose()
    return MediaPipeTaskPose(model)
