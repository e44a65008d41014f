"""The recording time from the container's creation_time tag, and the date a batch gives a clip."""

from __future__ import annotations

import datetime as dt
import fractions
import os

import av
import numpy as np

from sprintcv.batch import clip_date
from sprintcv.io.video import creation_time


def tagged_clip(path, tag):
    """A 5-frame H.264 mp4 whose container carries ``creation_time = tag`` (None: no tag)."""
    with av.open(str(path), "w") as container:
        if tag is not None:
            container.metadata["creation_time"] = tag
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 40 * i, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, fractions.Fraction(1, 30)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_creation_time_is_read_as_utc(tmp_path):
    clip = tagged_clip(tmp_path / "a.mp4", "2024-05-01T10:20:30.000000Z")
    assert creation_time(clip) == dt.datetime(2024, 5, 1, 10, 20, 30, tzinfo=dt.timezone.utc)
    date, source, recorded_at = clip_date(clip)
    local = dt.datetime(2024, 5, 1, 10, 20, 30, tzinfo=dt.timezone.utc).astimezone()
    assert (date, source) == (local.date().isoformat(), "container")
    assert recorded_at == local.isoformat(timespec="seconds")


def test_no_tag_epoch_tag_or_no_video_fall_back_to_the_file_time(tmp_path):
    untagged = tagged_clip(tmp_path / "b.mp4", None)
    epoch = tagged_clip(tmp_path / "c.mp4", "1970-01-01T00:00:00.000000Z")  # a camera without a clock
    junk = tmp_path / "d.mp4"
    junk.write_text("not a video")
    for path in (untagged, epoch, junk):
        assert creation_time(path) is None
        os.utime(path, (1_700_000_000, 1_700_000_000))
        date, source, _ = clip_date(path)
        assert source == "file" and date == dt.datetime.fromtimestamp(1_700_000_000).date().isoformat()
