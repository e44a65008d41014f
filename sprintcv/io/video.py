"""Streaming video input with exact per-frame timestamps (PyAV).

Frames are decoded one at a time (:meth:`VideoReader.frames` is a generator), so a clip is
never held in memory as a whole.

Time convention
    ``Frame.pts_s`` is the container presentation time in seconds, relative to the first
    decoded frame (the first frame is at 0.0). It is read from the stream (``pts *
    time_base``), never computed from ``index / fps``: phones record variable frame rate.
    A missing pts, or one that does not increase, is repaired to ``previous + 1 /
    container_fps`` (1/30 s when the container gives no rate), so times are strictly
    increasing; :attr:`TimelineStats.n_pts_repaired` counts the repairs.
    :func:`capture_times` turns the kept playback times into *capture* times when the user
    gives the real capture rate (``--fps``, e.g. 240 for a slow-motion clip exported at
    30 fps playback): ``t = pts * playback_unique_rate / capture_fps`` with
    ``playback_unique_rate = 1 / typical_interval(kept pts)`` (see :func:`typical_interval`:
    a median-like interval that ignores gaps and copes with quantised timestamps). This
    assumes one slow-down factor for the whole clip (no speed ramps).

Rotation convention
    Phones store portrait clips as landscape pixels plus a display matrix.
    :attr:`VideoInfo.rotation_deg` is the angle in degrees by which the stored picture must be
    rotated **counter-clockwise** for display, in {0, 90, 180, 270}: FFmpeg's
    ``av_display_rotation_get`` (PyAV's ``VideoFrame.rotation``, range [-180, 180]) taken
    modulo 360. ``ffprobe``'s "rotation of -90.00 degrees" (a typical iPhone portrait clip)
    is therefore ``rotation_deg == 270``: rotate 90 degrees clockwise. Frames are rotated as
    ``np.rot90(image, k=rotation_deg // 90)`` would (counter-clockwise; done with the faster
    ``cv2.rotate``). This is what ffmpeg/ffplay autorotation does (``get_rotation``: ``theta =
    -av_display_rotation_get(matrix)`` mod 360; theta 90 -> ``transpose=clock``, 270 ->
    ``transpose=cclock``), and the tests check it pixel for pixel against OpenCV's own
    implementation of the same rule (``CAP_PROP_ORIENTATION_AUTO``). Files without a display
    matrix fall back to the legacy ``rotate`` stream tag, which is clockwise (tag 90
    means ``rotation_deg == 270``). Mirroring in the display matrix is ignored (phones do not
    write it for the back camera).

Duplicate rule
    Editors slow a clip down by repeating frames. Each decoded frame is reduced to a YCrCb
    thumbnail (area averaging; at least halved, longer side at most 160 px) and compared
    with the thumbnail of the last *kept* frame, so slow motion accumulates and cannot hide.
    A pixel has *changed* when its luma differs by more than 16 levels or its Cr or Cb by
    more than 24. The frame is a duplicate when both

    * at most 3 thumbnail pixels changed: no object moved, however small, and
    * the 99.5th percentile of the luma difference is at most 8: the picture as a whole did
      not change either.

    The 99.5th percentile alone would call a real frame a duplicate when only a small object
    moves (a 10x10 px runner in a 320x240 clip changes ~0.1 % of the pixels), hence the
    changed-pixel count. Chroma is compared because a red kit on a green track can have the
    luma of its background. The thresholds come from x264 re-encodes (CRF 18-33) of frames
    repeated 3 times and of a 10x10 px square moving 3 px per frame, on smooth, textured and
    noise backgrounds, 64x48 to 640x480: at CRF 18-23, 1 repeat of 432 was kept and no real
    frame of 612 was dropped (a 10x10 px object in 640x480 shrinks to 2.5 thumbnail pixels
    and is the limit). Real frames in which nothing moves (a runner still in the blocks) are
    dropped too; the kept frames still carry their true timestamps, so timing is unaffected.

VFR rule
    With ``T`` the typical interval between kept frames (see :func:`typical_interval`), the
    clip is variable frame rate when more than 2 % of the kept intervals differ from ``T`` by
    more than 10 %. Timestamps quantised to a coarse time base (e.g. 1/600 s at 240 fps)
    count as variable too: they are irregular, and are used as they are.
"""

from __future__ import annotations

import math
import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import av.error
import cv2
import numpy as np

from ..errors import VideoError

#: Longest side, in pixels, of the thumbnails compared to find duplicates.
DUP_THUMB_SIZE = 160
#: A duplicate's 99.5th percentile of absolute luma difference is at most this (8-bit levels).
DUP_P995_MAX = 8.0
#: Luma difference above which a thumbnail pixel counts as changed (8-bit levels).
DUP_LUMA_DIFF = 16
#: Cr or Cb difference above which a thumbnail pixel counts as changed (8-bit levels).
DUP_CHROMA_DIFF = 24
#: A duplicate has at most this many changed thumbnail pixels.
DUP_MAX_CHANGED = 3
#: Relative deviation from the typical interval that makes an interval irregular.
VFR_REL_DEV = 0.10
#: Fraction of irregular intervals above which a clip is variable frame rate.
VFR_FRACTION = 0.02
#: Fraction of decoded frames that must be duplicates to call the clip slowed down.
SLOWED_DUP_FRACTION = 0.15
#: Highest capture rate accepted from ``--fps``, in Hz.
MAX_FPS = 10000.0
#: Frame interval assumed when the container gives no frame rate, in seconds.
DEFAULT_DT_S = 1.0 / 30.0

# Demuxers that turn text files into "video" (ANSI art renderers).
_TEXT_FORMATS = frozenset({"tty", "bin", "adf", "idf", "xbin"})
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})
# Demuxers of single still images ("png_pipe", "jpeg_pipe", ... all end in "_pipe").
_IMAGE_FORMATS = frozenset({"image2", "image2pipe"})


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` learns about a clip without decoding it all.

    Attributes
    ----------
    path : str
        The file.
    width, height : int
        Size in pixels of the upright frame (after applying the rotation).
    rotation_deg : int
        Counter-clockwise display rotation of the stored picture: 0, 90, 180 or 270.
    container_fps : float
        Average frame rate from the container, in Hz (0.0 when unknown).
    n_frames_estimate : int
        Frame count from the container (or duration x rate when it has none).
    duration_s : float
        Duration from the container, in seconds.
    codec : str
        Video codec name (``"h264"``, ``"hevc"``...).
    has_audio : bool
        Whether the file has an audio stream.
    """

    path: str
    width: int
    height: int
    rotation_deg: int
    container_fps: float
    n_frames_estimate: int
    duration_s: float
    codec: str
    has_audio: bool


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame.

    Attributes
    ----------
    index : int
        0-based index among all decoded frames, duplicates included (decode order, the
        count OpenCV would give).
    pts_s : float
        Presentation time in seconds relative to the first decoded frame.
    image : np.ndarray
        Shape (H, W, 3) uint8 RGB, upright, C-contiguous.
    """

    index: int
    pts_s: float
    image: np.ndarray


@dataclass
class TimelineStats:
    """Counts and kept timestamps, filled while :meth:`VideoReader.frames` runs.

    Attributes
    ----------
    n_decoded : int
        Frames decoded.
    n_kept : int
        Frames yielded (decoded minus dropped duplicates).
    n_duplicates : int
        Frames dropped as repeats of the previous kept frame.
    duplicate_runs : int
        Maximal runs of consecutive dropped frames.
    kept_index : list of int
        ``Frame.index`` of each kept frame.
    kept_pts_s : list of float
        ``Frame.pts_s`` of each kept frame, seconds, strictly increasing.
    n_pts_repaired : int
        Frames whose pts was missing or not increasing and was repaired.
    """

    n_decoded: int = 0
    n_kept: int = 0
    n_duplicates: int = 0
    duplicate_runs: int = 0
    kept_index: list[int] = field(default_factory=list)
    kept_pts_s: list[float] = field(default_factory=list)
    n_pts_repaired: int = 0


# --------------------------------------------------------------------------- validation


def validate_fps(value: Any) -> float:
    """Check a user-given capture frame rate (``--fps``).

    Parameters
    ----------
    value : float or str
        Frame rate in Hz.

    Returns
    -------
    float
        The rate, finite, in (0, 10000].

    Raises
    ------
    VideoError
        When the value is not a number, not finite, <= 0 or > 10000.
    """
    try:
        fps = float(value)
    except (TypeError, ValueError):
        raise VideoError(f"--fps must be a number of frames per second (got {value!r})") from None
    if not math.isfinite(fps) or fps <= 0 or fps > MAX_FPS:
        raise VideoError(
            f"--fps must be a frame rate above 0 and at most {MAX_FPS:g} Hz (got {value!r})"
        )
    return fps


def _one_line(text: object) -> str:
    """FFmpeg messages can span lines; the CLI prints exactly one."""
    return " ".join(str(text).split())


def _check_file(path: Path) -> None:
    """Raise VideoError for a missing, non-regular or empty file."""
    if not path.exists():
        raise VideoError(f"{path}: file does not exist")
    if path.is_dir():
        raise VideoError(f"{path}: is a directory, not a video file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise VideoError(f"{path}: cannot be read ({_one_line(exc.strerror or exc)})") from None
    if size == 0:
        raise VideoError(f"{path}: is empty (0 bytes), not a video")


def _looks_like_video_container(path: Path) -> bool:
    """Whether the first bytes carry a video container signature (MP4/MOV, MKV, AVI, TS)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(200)
    except OSError:
        return False
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
        or head[:4] == b"\x1a\x45\xdf\xa3"
        or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")
        or (len(head) > 188 and head[0] == 0x47 and head[188] == 0x47)
    )


def _open_container(path: Path) -> Any:
    """``av.open`` with every failure turned into a one-line VideoError."""
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        reason = _one_line(getattr(exc, "strerror", None) or exc)
        if _looks_like_video_container(path):
            raise VideoError(f"{path}: is truncated or corrupt (ffmpeg: {reason})") from None
        raise VideoError(f"{path}: is not a video file (ffmpeg cannot read its format)") from None
    except OSError as exc:
        raise VideoError(f"{path}: cannot be read ({_one_line(exc.strerror or exc)})") from None


def _video_stream(container: Any, path: Path) -> Any:
    """The first video stream, rejecting text files, audio files and still images."""
    fmt = container.format.name
    if fmt in _TEXT_FORMATS:
        raise VideoError(f"{path}: is not a video file (it looks like text)")
    if not container.streams.video:
        if container.streams.audio:
            raise VideoError(f"{path}: has no video stream (it is an audio-only file)")
        raise VideoError(f"{path}: is not a video file (no video stream)")
    stream = container.streams.video[0]
    if stream.codec_context.name in _TEXT_CODECS:
        raise VideoError(f"{path}: is not a video file (it looks like text)")
    if fmt in _IMAGE_FORMATS or fmt.endswith("_pipe") or stream.frames == 1:
        raise VideoError(f"{path}: is a still image, not a video")
    return stream


def _check_index_complete(stream: Any, path: Path) -> None:
    """Raise when the container index points past the end of the file (a cut-off download)."""
    entries = getattr(stream, "index_entries", None)  # PyAV >= 16
    if not entries:
        return
    end = max(e.pos + e.size for e in entries)
    size = path.stat().st_size
    if end > size:
        raise VideoError(
            f"{path}: is truncated or corrupt (the file has {size} bytes but its index "
            f"needs {end}; was the copy interrupted?)"
        )


# --------------------------------------------------------------------------- rotation


def _matrix_rotation_ccw(matrix: bytes) -> float | None:
    """Counter-clockwise angle of an FFmpeg display matrix (``av_display_rotation_get``)."""
    # FFmpeg stores the matrix as native-endian int32 in 16.16 fixed point.
    m = np.frombuffer(matrix[:36], dtype=np.int32).astype(float) / 65536.0
    sx, sy = math.hypot(m[0], m[3]), math.hypot(m[1], m[4])
    if sx == 0.0 or sy == 0.0:
        return None
    return -math.degrees(math.atan2(m[1] / sy, m[0] / sx))


def _display_matrix(frame: Any) -> bytes | None:
    """The frame's DISPLAYMATRIX side data (9 int32, 16.16 fixed point), or None."""
    for side in frame.side_data:
        if getattr(side.type, "name", "") == "DISPLAYMATRIX":
            return bytes(side)
    return None


def _frame_rotation_ccw(frame: Any) -> float | None:
    """Display-matrix rotation of a decoded frame, or None when it has no display matrix."""
    matrix = _display_matrix(frame)
    if matrix is None:
        return None
    rotation = getattr(frame, "rotation", None)  # PyAV >= 14
    return float(rotation) if rotation is not None else _matrix_rotation_ccw(matrix)


def _tag_rotation_ccw(stream: Any) -> float | None:
    """The legacy ``rotate`` stream tag (clockwise degrees), as a counter-clockwise angle."""
    tag = stream.metadata.get("rotate")
    try:
        return -float(tag) if tag is not None else None
    except ValueError:
        return None


def _quarter_turns(angle_ccw: float | None) -> int:
    """Nearest multiple of 90 degrees, as counter-clockwise quarter turns in 0..3."""
    if angle_ccw is None or not math.isfinite(angle_ccw):
        return 0
    return int(round(angle_ccw / 90.0)) % 4


_CV2_CCW_TURNS = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


def _rotate_ccw(image: np.ndarray, turns: int) -> np.ndarray:
    """``np.rot90(image, turns)`` as a C-contiguous array (cv2.rotate: ~15x faster on HD)."""
    turns %= 4
    return cv2.rotate(image, _CV2_CCW_TURNS[turns]) if turns else image


# --------------------------------------------------------------------------- probe


def _first_frame(container: Any, stream: Any, path: Path) -> Any:
    """Decode the first frame; raise VideoError when there is none or decoding fails."""
    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        reason = _one_line(getattr(exc, "strerror", None) or exc)
        raise VideoError(f"{path}: is truncated or corrupt (ffmpeg: {reason})") from None
    raise VideoError(f"{path}: is truncated or corrupt (no video frame could be decoded)")


def _rate(stream: Any) -> float:
    """Average frame rate of the stream in Hz, 0.0 when unknown."""
    for name in ("average_rate", "guessed_rate", "base_rate"):
        rate = getattr(stream, name, None)
        if rate:
            return float(rate)
    return 0.0


def _duration_s(container: Any, stream: Any) -> float:
    """Duration in seconds from the stream, else the container, else 0.0."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Read a clip's properties (opens it and decodes one frame only).

    Parameters
    ----------
    path : path
        The video file.

    Returns
    -------
    VideoInfo

    Raises
    ------
    VideoError
        Missing file, directory, empty file, not a video, still image, audio only,
        truncated or corrupt. The message is one line naming the file.
    """
    return _probe(Path(path))[0]


def creation_time(path: str | os.PathLike[str]) -> datetime | None:
    """When the camera recorded the clip, from the container's ``creation_time`` tag.

    Phones write it in UTC (ISO 8601); editors and re-encoders often drop it or set it to
    the export time, so it is a best guess. Returns an aware datetime (UTC), or None when
    the tag is absent, unparsable or the file cannot be opened.
    """
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError):
        return None
    try:
        tags = dict(container.metadata)
        for stream in container.streams.video:
            tags.setdefault("creation_time", stream.metadata.get("creation_time"))
    finally:
        container.close()
    text = str(tags.get("creation_time") or "").strip()
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.year < 1971:  # cameras without a clock write the epoch
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=timezone.utc)


def _probe(path: Path) -> tuple[VideoInfo, int]:
    """:func:`probe`, plus the frame count the container declares (0 when it has none)."""
    _check_file(path)
    container = _open_container(path)
    try:
        stream = _video_stream(container, path)
        _check_index_complete(stream, path)
        first = _first_frame(container, stream, path)
        angle = _frame_rotation_ccw(first)
        turns = _quarter_turns(angle if angle is not None else _tag_rotation_ccw(stream))
        width, height = first.width, first.height
        if turns % 2:
            width, height = height, width
        fps = _rate(stream)
        duration = _duration_s(container, stream)
        declared = max(int(stream.frames or 0), 0)
        info = VideoInfo(
            path=str(path),
            width=int(width),
            height=int(height),
            rotation_deg=90 * turns,
            container_fps=fps,
            n_frames_estimate=declared or int(round(duration * fps)),
            duration_s=float(duration),
            codec=str(stream.codec_context.name),
            has_audio=bool(container.streams.audio),
        )
        return info, declared
    finally:
        container.close()


# --------------------------------------------------------------------------- timeline


class _Clock:
    """Container pts -> strictly increasing seconds from the first decoded frame.

    Parameters
    ----------
    nominal_dt_s : float
        Interval used to repair a missing or non-increasing pts, seconds.
    """

    def __init__(self, nominal_dt_s: float) -> None:
        self.nominal_dt_s = nominal_dt_s
        self.n_repaired = 0
        self._origin: Fraction | None = None
        self._last: float | None = None

    def seconds(self, pts: int | None, time_base: Fraction | None) -> float:
        """Time of the next decoded frame, in seconds (0.0 for the first one)."""
        t: float | None = None
        if pts is not None and time_base is not None:
            exact = Fraction(pts) * Fraction(time_base)
            if self._origin is None:
                # The first pts seen lands where the (possibly repaired) timeline has got to.
                start = 0.0 if self._last is None else self._last + self.nominal_dt_s
                self._origin = exact - Fraction(start)
            t = float(exact - self._origin)
        if self._last is None:
            t = 0.0 if t is None else t
        elif t is None or t <= self._last:
            t = self._last + self.nominal_dt_s
            self.n_repaired += 1
        self._last = t
        return t


def _thumbnail(image: np.ndarray) -> np.ndarray:
    """YCrCb thumbnail (H', W', 3) int16 of an RGB frame: at least halved, longer side <= 160 px."""
    h, w = image.shape[:2]
    # Area-averaging at least 2x2 pixels cancels most per-pixel compression noise.
    scale = min(DUP_THUMB_SIZE / max(h, w), 0.5)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb).astype(np.int16)


def same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two thumbnails show the same picture up to compression noise.

    Parameters
    ----------
    a, b : np.ndarray
        YCrCb thumbnails of equal shape (H', W', 3), 8-bit levels (as from ``_thumbnail``).

    Returns
    -------
    bool
        True when at most ``DUP_MAX_CHANGED`` pixels changed (luma difference above
        ``DUP_LUMA_DIFF`` or chroma difference above ``DUP_CHROMA_DIFF``) and the 99.5th
        percentile of the luma difference is at most ``DUP_P995_MAX``.
    """
    d = np.abs(a.astype(np.int16) - b.astype(np.int16))
    luma = d[..., 0]
    changed = (luma > DUP_LUMA_DIFF) | (d[..., 1:].max(axis=-1) > DUP_CHROMA_DIFF)
    if np.count_nonzero(changed) > DUP_MAX_CHANGED:
        return False
    return float(np.percentile(luma, 99.5)) <= DUP_P995_MAX


class _DuplicateFilter:
    """Compare each frame with the last kept one and update the counts in ``stats``."""

    def __init__(self, stats: TimelineStats) -> None:
        self.stats = stats
        self._ref: np.ndarray | None = None
        self._in_run = False

    def is_duplicate(self, image: np.ndarray) -> bool:
        thumb = _thumbnail(image)
        ref = self._ref
        if ref is not None and thumb.shape == ref.shape and same_picture(thumb, ref):
            self.stats.n_duplicates += 1
            if not self._in_run:
                self.stats.duplicate_runs += 1
            self._in_run = True
            return True
        self._ref = thumb
        self._in_run = False
        return False


# --------------------------------------------------------------------------- reader


class VideoReader:
    """Stream the unique, upright RGB frames of a clip with their container timestamps.

    Parameters
    ----------
    path : path
        The video file.
    drop_duplicates : bool
        Drop frames that repeat the previous kept frame (see the module's duplicate rule).
        When False every decoded frame is yielded and none is counted as a duplicate.
    min_frames : int
        Fewest (distinct) frames a usable clip has.

    Attributes
    ----------
    info : VideoInfo
        From :func:`probe`.
    stats : TimelineStats
        Filled while :meth:`frames` runs (reset by each call).

    Raises
    ------
    VideoError
        On construction for any input :func:`probe` rejects or a container that declares
        fewer than ``min_frames`` frames; while iterating for decoding failures and clips
        with too few (distinct) frames.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, drop_duplicates: bool = True, min_frames: int = 8
    ) -> None:
        self.path = Path(path)
        self.drop_duplicates = drop_duplicates
        self.min_frames = int(min_frames)
        self.info, self._declared = _probe(self.path)
        self.stats = TimelineStats()
        self._container: Any = None
        self._gen: Generator[Frame, None, None] | None = None
        if 0 < self._declared < self.min_frames:
            raise VideoError(
                f"{self.path}: has only {self._declared} frames; "
                f"at least {self.min_frames} are needed"
            )

    def frames(self) -> Iterator[Frame]:
        """Decode the clip, yielding each kept frame as soon as it is decoded.

        Yields
        ------
        Frame
            Unique (when ``drop_duplicates``) upright RGB frames in presentation order.

        Raises
        ------
        VideoError
            When decoding fails part-way (truncated or corrupt file) or the clip turns out
            to have a single frame or fewer than ``min_frames`` (distinct) frames.
        """
        self.close()
        self._gen = self._frames()
        return self._gen

    def _frames(self) -> Generator[Frame, None, None]:
        self.stats = stats = TimelineStats()
        fps = self.info.container_fps
        clock = _Clock(1.0 / fps if fps > 0 else DEFAULT_DT_S)
        dups = _DuplicateFilter(stats) if self.drop_duplicates else None
        turns = self.info.rotation_deg // 90
        self._container = container = _open_container(self.path)
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"  # frame threading: several times faster on phone HD
            for av_frame in self._decode(container, stream):
                index = stats.n_decoded
                stats.n_decoded += 1
                t = clock.seconds(av_frame.pts, av_frame.time_base or stream.time_base)
                stats.n_pts_repaired = clock.n_repaired
                image = av_frame.to_ndarray(format="rgb24")
                if dups is not None and dups.is_duplicate(image):
                    continue
                if turns:
                    image = _rotate_ccw(image, turns)
                stats.n_kept += 1
                stats.kept_index.append(index)
                stats.kept_pts_s.append(t)
                yield Frame(index=index, pts_s=t, image=image)
            self._check_counts(self._declared)
        finally:
            container.close()
            self._container = None

    def _decode(self, container: Any, stream: Any) -> Iterator[Any]:
        """Decoded frames; FFmpeg errors become VideoError (the yield stays outside the try)."""
        frames = container.decode(stream)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return
            except av.error.FFmpegError as exc:
                reason = _one_line(getattr(exc, "strerror", None) or exc)
                raise VideoError(
                    f"{self.path}: is truncated or corrupt (decoding failed after "
                    f"{self.stats.n_decoded} frames; ffmpeg: {reason})"
                ) from None
            yield frame

    def _check_counts(self, declared: int) -> None:
        """Raise VideoError for a clip cut short, a single frame or too few frames."""
        s = self.stats
        # Demuxers often stop quietly at a cut; the container's own count tells. The slack
        # allows for frames an edit list discards (the index check in probe is the main test).
        if declared > 0 and s.n_decoded < 0.9 * declared - 2:
            raise VideoError(
                f"{self.path}: is truncated or corrupt (decoding stopped after "
                f"{s.n_decoded} of its {declared} frames)"
            )
        if s.n_decoded == 1:
            raise VideoError(f"{self.path}: is a still image (a single frame), not a video")
        if s.n_decoded < self.min_frames:
            raise VideoError(
                f"{self.path}: has only {s.n_decoded} frames; at least {self.min_frames} are needed"
            )
        if s.n_kept < self.min_frames:
            raise VideoError(
                f"{self.path}: has only {s.n_kept} distinct frames ({s.n_duplicates} repeated "
                f"frames dropped); at least {self.min_frames} are needed"
            )

    def capture_times(self, capture_fps: float | None = None) -> np.ndarray:
        """:func:`capture_times` of the kept frames (call after iterating)."""
        return capture_times(self.stats.kept_pts_s, capture_fps)

    def frame_rate_report(self, capture_fps: float | None = None) -> dict[str, Any]:
        """:func:`frame_rate_report` of the kept frames (call after iterating)."""
        return frame_rate_report(
            self.stats.kept_pts_s,
            capture_fps,
            self.stats.n_duplicates,
            container_fps=self.info.container_fps,
            duplicate_runs=self.stats.duplicate_runs,
            kept_index=self.stats.kept_index,
        )

    def close(self) -> None:
        """Stop any running iteration and close the container."""
        if self._gen is not None:
            self._gen.close()  # runs the generator's finally: closes its container
            self._gen = None
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- timing


def _intervals(kept_pts_s: Sequence[float] | np.ndarray) -> np.ndarray:
    """Intervals between kept frames, seconds; raise ValueError unless strictly increasing."""
    t = np.asarray(kept_pts_s, dtype=float)
    if t.ndim != 1:
        raise ValueError("kept_pts_s must be one-dimensional")
    dt = np.diff(t)
    if np.any(~np.isfinite(dt)) or np.any(dt <= 0):
        raise ValueError("kept_pts_s must be finite and strictly increasing")
    return dt


def typical_interval(kept_pts_s: Sequence[float] | np.ndarray) -> float:
    """Typical interval between kept frames, seconds (NaN for fewer than two frames).

    The mean of the intervals no longer than 1.75 x their 25th percentile. Longer intervals
    are gaps left by dropped frames (a runner still in the blocks) and are left out; taking
    the mean rather than the median of the rest gives the exact rate when timestamps are
    quantised (240 fps on a 1/600 s time base alternates 2/600 and 3/600 s intervals) or
    an editor repeated frames 2 and 3 times alternately (a 2.5x slow-down).

    Parameters
    ----------
    kept_pts_s : sequence of float
        Strictly increasing times, seconds.

    Returns
    -------
    float
        Seconds.
    """
    dt = _intervals(kept_pts_s)
    if dt.size == 0:
        return float("nan")
    base = float(np.percentile(dt, 25))
    return float(np.mean(dt[dt <= 1.75 * base]))


def capture_times(
    kept_pts_s: Sequence[float] | np.ndarray, capture_fps: float | None = None
) -> np.ndarray:
    """Analysis times of the kept frames.

    Parameters
    ----------
    kept_pts_s : sequence of float, shape (N,)
        Strictly increasing playback times of the kept frames, seconds.
    capture_fps : float, optional
        Real capture rate in Hz (``--fps``). Without it the playback times are returned.

    Returns
    -------
    np.ndarray, shape (N,)
        Seconds from the first kept frame, strictly increasing. With ``capture_fps``:
        ``(pts - pts[0]) * playback_unique_rate / capture_fps`` where
        ``playback_unique_rate = 1 / typical_interval(kept_pts_s)``; a 240 fps capture
        exported at 30 fps gives ``pts / 8``, a 30 fps clip slowed 4x by repeated frames
        and ``capture_fps=30`` gives ``pts / 4``.

    Raises
    ------
    VideoError
        Invalid ``capture_fps``.
    ValueError
        ``kept_pts_s`` not strictly increasing.
    """
    t = np.asarray(kept_pts_s, dtype=float)
    _intervals(t)
    t = t - t[0] if t.size else t.copy()
    if capture_fps is None or t.size < 2:
        if capture_fps is not None:
            validate_fps(capture_fps)
        return t
    fps = validate_fps(capture_fps)
    return t / (typical_interval(t) * fps)


def _is_vfr(dt: np.ndarray, typical: float) -> bool:
    if dt.size == 0:
        return False
    irregular = np.abs(dt - typical) / typical > VFR_REL_DEV
    return bool(np.mean(irregular) > VFR_FRACTION)


def _is_slowed(n_kept: int, n_duplicates: int, duplicate_runs: int | None) -> bool:
    """Systematic duplication: many duplicates, spread over many runs (not one still scene)."""
    n_decoded = n_kept + n_duplicates
    if n_kept < 2 or n_decoded == 0:
        return False
    many = n_duplicates / n_decoded >= SLOWED_DUP_FRACTION
    spread = duplicate_runs is None or duplicate_runs >= SLOWED_DUP_FRACTION * n_kept
    return bool(many and spread)


def frame_rate_report(
    kept_pts_s: Sequence[float] | np.ndarray,
    capture_fps: float | None = None,
    n_duplicates: int = 0,
    *,
    container_fps: float | None = None,
    duplicate_runs: int | None = None,
    kept_index: Sequence[int] | np.ndarray | None = None,
) -> dict[str, Any]:
    """Summarise the frame timing of a clip.

    Parameters
    ----------
    kept_pts_s : sequence of float, shape (N,)
        Strictly increasing playback times of the kept frames, seconds.
    capture_fps : float, optional
        Real capture rate in Hz (``--fps``).
    n_duplicates : int
        Frames dropped as duplicates.
    container_fps : float, optional
        Average rate from the container, Hz (reported as given; None when unknown).
    duplicate_runs : int, optional
        Runs of consecutive duplicates; when given, ``slowed_by_duplicates`` also needs
        the duplicates spread over at least 15 % as many runs as kept frames.
    kept_index : sequence of int, optional
        Decoded-frame index of each kept frame. Intervals that span dropped frames (a still
        scene, repeats) are then left out of the VFR rule and of ``dt_min_s``/``dt_max_s``:
        they are gaps in the kept sequence, not irregular recording.

    Returns
    -------
    dict
        ``container_fps`` (Hz or None); ``effective_fps``: capture rate of the kept
        frames, ``capture_fps`` if given else ``1 / typical_interval`` (Hz, None for
        fewer than two frames); ``vfr``: kept intervals irregular (module VFR rule);
        ``dt_min_s``, ``dt_max_s``: shortest and longest kept interval in analysis time
        (:func:`capture_times`), seconds; ``n_duplicates``; ``slowed_by_duplicates``: at
        least 15 % of decoded frames were duplicates, spread over many runs;
        ``resolution_s``: ``1 / effective_fps``, seconds.
    """
    t = capture_times(kept_pts_s, capture_fps)
    dt = np.diff(t)
    typical = typical_interval(t) if dt.size else float("nan")
    if kept_index is not None and dt.size:
        adjacent = np.diff(np.asarray(kept_index)) == 1
        dt = dt[adjacent] if adjacent.any() else dt
    if capture_fps is not None:
        effective: float | None = validate_fps(capture_fps)
    else:
        effective = 1.0 / typical if dt.size else None
    return {
        "container_fps": float(container_fps) if container_fps else None,
        "effective_fps": effective,
        "vfr": _is_vfr(dt, typical),
        "dt_min_s": float(dt.min()) if dt.size else None,
        "dt_max_s": float(dt.max()) if dt.size else None,
        "n_duplicates": int(n_duplicates),
        "slowed_by_duplicates": _is_slowed(len(t), int(n_duplicates), duplicate_runs),
        "resolution_s": 1.0 / effective if effective else None,
    }


def read_crops(
    path: str | os.PathLike[str], windows: Sequence[tuple[int, int, int, int]],
    frames: Sequence[Sequence[int]],
) -> list[np.ndarray]:
    """Crops of the upright frames, in one streaming pass (only the crops are kept).

    Parameters
    ----------
    windows : sequence of (row0, row1, col0, col1)
        Pixel windows (end-exclusive, inside the upright frame).
    frames : sequence of sequence of int
        For each window, the decoded-frame indices (duplicates counted, as in
        :attr:`Frame.index`) to crop.

    Returns
    -------
    list of ndarray
        Per window, shape (len(frames[k]), row1 - row0, col1 - col0, 3) uint8 RGB, in the
        order of ``frames[k]``.

    Raises
    ------
    VideoError
        When a requested frame is not in the clip, or decoding fails.
    """
    wanted: dict[int, list[tuple[int, int]]] = {}
    for k, picks in enumerate(frames):
        for j, index in enumerate(picks):
            wanted.setdefault(int(index), []).append((k, j))
    out = [np.zeros((len(f), r1 - r0, c1 - c0, 3), np.uint8) for f, (r0, r1, c0, c1) in zip(frames, windows)]
    if not wanted:
        return out
    last, found = max(wanted), 0
    with VideoReader(path, drop_duplicates=False) as reader:
        for frame in reader.frames():
            for k, j in wanted.get(frame.index, ()):
                r0, r1, c0, c1 = windows[k]
                out[k][j] = frame.image[r0:r1, c0:c1]
                found += 1
            if frame.index >= last:
                break
    if found < sum(len(v) for v in wanted.values()):
        raise VideoError(f"{path}: has fewer frames than its pose timeline (frame {last} not decoded)")
    return out
