"""H.264 video writing with PyAV (plays in browsers: yuv420p, even dimensions, faststart)."""

from __future__ import annotations

import fractions
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from .results import atomic_path


class VideoWriter:
    """Write RGB frames to an H.264 ``.mp4`` atomically (the file appears only on close).

    Parameters
    ----------
    path : path
        Output file (``.mp4``).
    fps : float
        Playback frame rate in Hz.
    width, height : int
        Frame size in pixels; odd sizes are rounded down to even (yuv420p needs even sizes).
    crf : int
        x264 constant rate factor (lower = better quality, larger file).
    display_rotation_deg : int, optional
        Rotation written into the stream's display matrix (as phones do for portrait clips).
    """

    def __init__(
        self,
        path: str | Path,
        fps: float,
        width: int,
        height: int,
        crf: int = 23,
        display_rotation_deg: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.width = int(width) // 2 * 2
        self.height = int(height) // 2 * 2
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        rate = fractions.Fraction(fps).limit_denominator(1001)
        self._container = av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = self.width
        self._stream.height = self.height
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "medium"}
        if display_rotation_deg:
            self._stream.set_display_rotation(display_rotation_deg)
        self.n_frames = 0

    def write(self, rgb: np.ndarray) -> None:
        """Append one frame, shape (height, width, 3) uint8 RGB (cropped to even size)."""
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(rgb[: self.height, : self.width]), format="rgb24"
        )
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.n_frames += 1

    def close(self, ok: bool = True) -> None:
        """Flush the encoder and move the file into place (or discard it when ``ok`` is false)."""
        try:
            if ok:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
            if ok:
                self._atomic.__exit__(None, None, None)
            else:
                self._atomic.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(ok=exc_type is None)
