"""Small video clips generated on the fly in ``tmp_path`` (no video file is committed)."""

from __future__ import annotations

import fractions
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest

from sprintcv.io.writer import VideoWriter


def pattern(height: int = 48, width: int = 64) -> np.ndarray:
    """An asymmetric picture: red block top-left, green bar right, blue bar bottom.

    Shape (height, width, 3) uint8 RGB on a mid-grey background; every rotation and mirror of
    it is distinguishable.
    """
    img = np.full((height, width, 3), 128, np.uint8)
    img[: height // 3, : width // 4] = (255, 0, 0)
    img[:, -width // 8 :] = (0, 255, 0)
    img[-height // 8 :, : width // 2] = (0, 0, 255)
    return img


def moving_square(
    i: int, height: int = 48, width: int = 64, size: int = 10, step: int = 4
) -> np.ndarray:
    """Frame ``i`` of a white square moving right ``step`` px per frame on a textured background."""
    rng = np.random.default_rng(7)  # same background in every frame
    img = (rng.integers(60, 110, (height, width, 1)) * np.ones((1, 1, 3))).astype(np.uint8)
    x = (4 + step * i) % (width - size)
    y = height // 2 - size // 2
    img[y : y + size, x : x + size] = 250
    return img


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: float = 30.0,
    rotation: int | None = None,
    crf: int = 12,
) -> Path:
    """Encode RGB frames (H, W, 3) uint8 to an H.264 mp4 with :class:`VideoWriter`."""
    frames = list(frames)
    h, w = frames[0].shape[:2]
    with VideoWriter(path, fps, w, h, crf=crf, display_rotation_deg=rotation) as writer:
        for img in frames:
            writer.write(img)
    return path


def write_vfr_clip(path: Path, times_ms: Sequence[int], height: int = 48, width: int = 64) -> Path:
    """Encode one frame per entry of ``times_ms`` with exactly those presentation times."""
    tb = fractions.Fraction(1, 1000)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = tb
        stream.time_base = tb
        for i, t in enumerate(times_ms):
            img = moving_square(i, height, width, step=3)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = int(t), tb
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_audio_only(path: Path, codec: str = "aac") -> Path:
    """A short silent mono audio file (no video stream)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=44100)
        n = stream.codec_context.frame_size or 1152
        fmt = stream.codec_context.format.name
        dtype = np.float32 if fmt.startswith("flt") else np.int16
        for i in range(10):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, n), dtype), format=fmt, layout="mono")
            frame.sample_rate, frame.pts = 44100, i * n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def clips(tmp_path: Path) -> SimpleNamespace:
    """Clip helpers writing into ``tmp_path``.

    ``clips.write(name, frames, fps=30, rotation=None, crf=12)``, ``clips.vfr(name,
    times_ms)``, ``clips.audio(name, codec)`` return the new file's path; ``clips.pattern``
    and ``clips.moving_square`` make frames; ``clips.dir`` is ``tmp_path``.
    """

    def in_tmp(fn: Callable[..., Path]) -> Callable[..., Path]:
        return lambda name, *args, **kwargs: fn(tmp_path / name, *args, **kwargs)

    return SimpleNamespace(
        dir=tmp_path,
        write=in_tmp(write_clip),
        vfr=in_tmp(write_vfr_clip),
        audio=in_tmp(write_audio_only),
        pattern=pattern,
        moving_square=moving_square,
    )
