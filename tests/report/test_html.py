"""The HTML report: escaping of user text, rebuild from a saved folder, and rendering in a
real headless Chromium (images and the video load, no console errors)."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from sprintcv.cli import main
from sprintcv.report.html import ReportData, render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _tiny_data(video_path: str = "clip.mp4") -> ReportData:
    summary = {
        "sprintcv_version": "0", "video": {"path": video_path, "width": 10, "height": 10, "frames": 3},
        "resolution_s": 1 / 120, "direction": "left_to_right", "warnings": [f"note {EVIL}"],
        "contact_s_mean": 0.1, "flight_s_mean": 0.12, "step_frequency_hz": 4.5, "cadence_spm": 270.0,
        "kinematics": {}, "n_complete_contacts": 1,
    }
    steps = {"step": np.array([1]), "foot": np.array(["left"], dtype=object),
             "touchdown_s": np.array([0.1]), "toeoff_s": np.array([0.2]),
             "contact_s": np.array([0.1]), "flight_s": np.array([np.nan])}
    return ReportData(summary, steps, np.arange(3) / 120, {}, [], None)


def test_user_text_is_escaped(tmp_path):
    html = render_html(_tiny_data(video_path=f"/videos/{EVIL}.mp4"), tmp_path, athlete=EVIL)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    body = html.split("<body>", 1)[1]
    assert "n/a" in body and ">nan<" not in body.lower()  # a missing value is said, not printed


def test_flags_and_kinogram_sections(tmp_path):
    data = _tiny_data()
    data.summary["flags"] = [{"id": "foot_lands_ahead", "text": f"Right foot lands {EVIL}", "frames": [39, 92],
                              "reference": "Bezodis et al. 2015"}]
    data.summary["flags_note"] = "Flags are observations, not a diagnosis."
    data.summary["kinogram"] = {"left": {"step": 3, "positions": {"toe_off": {"frame": 81}, "strike": {"frame": 85}}},
                                "right": None}
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "kinogram_left.png").write_bytes(b"png")
    (frames / "frame_00039.png").write_bytes(b"png")
    html = render_html(data, tmp_path)
    assert "<script>alert" not in html and "Right foot lands &lt;script&gt;" in html
    assert "frames 39, 92" in html and "Bezodis et al. 2015" in html and "not a diagnosis" in html
    kino = html.split('<section id="kinogram">', 1)[1].split("</section>", 1)[0]
    assert 'src="frames/kinogram_left.png"' in kino and "toe off 81, strike 85" in kino
    keyframes = html.split('<section id="frames">', 1)[1].split("</section>", 1)[0]
    assert "kinogram" not in keyframes and "frame_00039.png" in keyframes
    data.summary["flags"] = []
    assert "No flag was raised" in render_html(data, tmp_path)
    del data.summary["flags"]  # a folder from before flags existed: no section at all
    assert 'id="flags"' not in render_html(data, tmp_path)


@pytest.fixture(scope="module")
def results(tmp_path_factory, sample_clip):
    out = tmp_path_factory.mktemp("report") / "sample"
    res = CliRunner().invoke(main, ["analyze", str(sample_clip), "--out", str(out), "--quiet",
                                    "--athlete", EVIL, "--cache-dir", str(out.parent / "cache")])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.slow
def test_analyze_writes_report_video_and_plots(results):
    assert (results / "report.html").exists()
    assert (results / "annotated.mp4").stat().st_size > 10_000
    plots = sorted(p.name for p in (results / "plots").glob("*.png"))
    assert {"angles.png", "contact_flight.png", "front_back.png", "velocity.png", "arms.png",
            "front_side_share.png"} <= set(plots)
    html = (results / "report.html").read_text()
    assert 'src="frames/kinogram_left.png"' in html and 'src="frames/kinogram_right.png"' in html
    assert '<section id="flags">' in html and "not a diagnosis" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert 'src="annotated.mp4"' in html and "Fly-10" in html


@pytest.mark.slow
def test_report_rebuilds_from_folder(results, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(results, copy)
    (copy / "report.html").unlink()
    shutil.rmtree(copy / "plots")
    res = CliRunner().invoke(main, ["report", str(copy), "--athlete", "Ann"])
    assert res.exit_code == 0, res.output
    html = (copy / "report.html").read_text()
    assert "Ann: sprint_fly_120fps.mp4" in html
    assert (copy / "plots" / "angles.png").exists()


def test_report_of_non_results_folder_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "not a sprintcv results folder" in res.output


CHECK_PAGE = """<!doctype html><html><body><iframe id="r" src="report.html" style="width:1280px;height:3000px"></iframe>
<pre id="out">pending</pre>
<script>
const frame = document.getElementById('r');
frame.addEventListener('load', () => {
  const doc = frame.contentDocument;
  const imgs = Array.from(doc.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  const video = doc.querySelector('video');
  const report = () => {
    document.getElementById('out').textContent = JSON.stringify({
      images: imgs.length,
      broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
      video: video ? {ready: video.readyState, error: video.error ? video.error.code : null,
                      width: video.videoWidth} : null,
      title: doc.title,
    });
  };
  if (video) { video.addEventListener('loadedmetadata', report); video.addEventListener('error', report); video.load(); }
  setTimeout(report, 4000);
});
</script></body></html>"""


def _chromium(args: list[str]) -> subprocess.CompletedProcess:
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--allow-file-access-from-files", "--autoplay-policy=no-user-gesture-required",
            "--enable-logging=stderr", "--v=0"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_report_renders_in_headless_chromium(results, tmp_path):
    check = results / "_check.html"
    check.write_text(CHECK_PAGE)
    try:
        profile = tmp_path / "profile"
        dom = _chromium([f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", check.as_uri()])
        shot = tmp_path / "report.png"
        _chromium([f"--user-data-dir={profile}", "--window-size=1280,2200", f"--screenshot={shot}",
                   (results / "report.html").as_uri()])
    finally:
        check.unlink()
    text = dom.stdout.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    state = json.loads(text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert state["images"] >= 4 and state["broken"] == [], state
    assert state["video"] is not None and state["video"]["error"] is None, state
    assert state["video"]["ready"] >= 1 and state["video"]["width"] > 0, state
    console_errors = [line for line in dom.stderr.splitlines()
                      if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
    assert console_errors == []
    assert shot.exists() and shot.stat().st_size > 20_000
