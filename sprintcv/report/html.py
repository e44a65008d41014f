"""The HTML report: one page beside the result files (images and video referenced relatively).

Built with Jinja2 and autoescaping on, so athlete names and file names with HTML in them are
shown as text. ``sprintcv report DIR`` rebuilds it (and the plots) from a saved results folder
without running pose estimation again: :meth:`ReportData.from_folder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..events import Contact
from ..io.results import write_text_atomic
from .text import fmt

TEMPLATES = Path(__file__).parent / "templates"

#: Per-step columns shown in the report table: (column, header, unit, digits, scale).
STEP_COLUMNS = (
    ("step", "step", "", 0, 1.0),
    ("touchdown_s", "touchdown s", "", 3, 1.0),
    ("toeoff_s", "toe-off s", "", 3, 1.0),
    ("contact_s", "contact ms", "", 0, 1000.0),
    ("flight_s", "flight ms", "", 0, 1000.0),
    ("step_frequency_hz", "step Hz", "", 2, 1.0),
    ("step_length_m", "step m", "", 2, 1.0),
    ("thigh_front_max_deg", "knee lift deg", "", 0, 1.0),
    ("knee_td_deg", "knee at TD deg", "", 0, 1.0),
    ("touchdown_distance_leg", "TD distance (legs)", "", 2, 1.0),
    ("trunk_lean_td_deg", "trunk lean deg", "", 0, 1.0),
    ("thigh_to_deg", "thigh at TO deg", "", 0, 1.0),
    ("thigh_separation_td_deg", "thigh sep. at TD deg", "", 0, 1.0),
    ("shin_td_deg", "shin at TD deg", "", 0, 1.0),
    ("knee_swing_min_deg", "heel recovery knee deg", "", 0, 1.0),
    ("front_side_share", "front side %", "", 0, 100.0),
    ("elbow_front_deg", "elbow front deg", "", 0, 1.0),
    ("elbow_back_deg", "elbow back deg", "", 0, 1.0),
)


@dataclass
class ReportData:
    """What the report shows, from a fresh analysis or from a saved results folder."""

    summary: dict[str, Any]
    steps: dict[str, np.ndarray]
    t_s: np.ndarray
    angles: dict[str, np.ndarray]
    contacts: list[Contact]
    velocity: dict[str, np.ndarray] | None

    @classmethod
    def from_analysis(cls, analysis: Any) -> "ReportData":
        return cls(analysis.summary, analysis.steps, analysis.clean.t_s, analysis.angles,
                   list(analysis.contacts.contacts), analysis.velocity)

    @classmethod
    def from_folder(cls, out_dir: str | Path) -> "ReportData":
        """Rebuild from ``summary.json``, ``steps.csv``, ``trajectory.npz`` (and ``velocity.csv``)."""
        from ..clean import to_body_frame
        from ..errors import SprintcvError
        from ..metrics.kinematics import angle_series
        from ..pipeline import load_results

        saved = load_results(out_dir)
        traj = saved["trajectory"]
        if traj is None:
            raise SprintcvError(f"{out_dir}: trajectory.npz is missing; run sprintcv analyze again")
        direction = 1 if saved["summary"].get("direction") == "left_to_right" else -1
        body, _ = to_body_frame(traj.xy, direction)
        steps = saved["steps"]
        contacts = _contacts_from_steps(steps, traj.t_s)
        velocity = _read_columns(Path(out_dir) / "velocity.csv")
        return cls(saved["summary"], steps, traj.t_s, angle_series(body, traj.joint_names), contacts, velocity)


def _contacts_from_steps(steps: dict[str, np.ndarray], t_s: np.ndarray) -> list[Contact]:
    out = []
    for i in range(len(steps.get("step", []))):
        td, to = float(steps["touchdown_s"][i]), float(steps["toeoff_s"][i])
        near = [int(np.argmin(np.abs(t_s - x))) if np.isfinite(x) else 0 for x in (td, to)]
        out.append(Contact(str(steps["foot"][i]), td, to, near[0], near[1],
                           float(steps.get("touchdown_confidence", [np.nan] * (i + 1))[i]),
                           float(steps.get("toeoff_confidence", [np.nan] * (i + 1))[i])))
    return out


def _read_columns(path: Path) -> dict[str, np.ndarray] | None:
    if not path.exists():
        return None
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=float, missing_values="", filling_values=np.nan)
    return {name: np.atleast_1d(data[name]) for name in data.dtype.names}


def write_plots(data: ReportData, folder: Path) -> list[tuple[Path, str]]:
    """Plot PNGs into ``folder``; returns (path, caption) pairs."""
    from . import plots

    folder.mkdir(parents=True, exist_ok=True)
    made = []

    def save(name: str, caption: str, fig_ax: tuple[Any, Any]) -> None:
        plots.save_figure(fig_ax[0], folder / name)
        made.append((folder / name, caption))

    save("angles.png", "Thigh and knee angles over time; shaded: ground contacts (left / right)",
         plots.plot_joint_angles(data.t_s, data.angles, data.contacts))
    if len(data.steps.get("step", [])):
        save("contact_flight.png", "Contact and flight time per step, left and right (error bars: +/-1 frame)",
             plots.plot_contact_flight(data.steps))
    save("front_back.png", "Front-side vs back-side: thigh angle range in front of and behind the body",
         plots.plot_front_back(data.angles))
    if np.isfinite(np.asarray(data.steps.get("front_side_share", [np.nan]), float)).any():
        save("front_side_share.png", "Share of each leg cycle with the ankle in front of the body line, per step",
             plots.plot_front_side_share(data.steps))
    if any(k in data.angles for k in ("left_elbow_deg", "right_elbow_deg")):
        save("arms.png", "Elbow angles over time (90 deg = right angle); shaded: ground contacts",
             plots.plot_joint_angles(data.t_s, data.angles, data.contacts,
                                     keys=("left_elbow_deg", "right_elbow_deg")))
    if data.velocity is not None and np.isfinite(data.velocity.get("speed_mps", np.array([np.nan]))).any():
        save("velocity.png", "Horizontal speed against distance (fly-10 zone shaded)",
             plots.plot_velocity(data.velocity["distance_m"], data.velocity["speed_mps"],
                                 data.summary.get("gate_crossings")))
    return made


def _cards(summary: dict[str, Any]) -> list[dict[str, str]]:
    res_ms = 1000 * (summary.get("resolution_s") or float("nan"))
    cards = []
    if summary.get("fly10_s") is not None:
        cards.append({"label": "Fly-10", "value": fmt(summary["fly10_s"], " s", 3),
                      "note": f"+/-{res_ms:.0f} ms per gate"})
    if summary.get("speed_peak_mps") is not None:
        approx = " (approximate scale)" if summary.get("calibration", {}).get("approximate") else ""
        cards.append({"label": "Top speed", "value": fmt(summary["speed_peak_mps"], " m/s", 2),
                      "note": f"mean {fmt(summary.get('speed_mean_mps'), ' m/s', 2)}{approx}"})
    reliable = summary.get("contacts_reliable", True)
    cards.append({"label": "Contact time", "value": fmt(summary.get("contact_s_mean"), " ms", 0, 1000) if reliable else "n/a",
                  "note": f"+/-{res_ms:.0f} ms per event" if reliable else "contacts not consistent: see notes"})
    cards.append({"label": "Flight time", "value": fmt(summary.get("flight_s_mean"), " ms", 0, 1000) if reliable else "n/a",
                  "note": f"{summary.get('n_complete_contacts', 0)} complete contacts"})
    cards.append({"label": "Step frequency", "value": fmt(summary.get("step_frequency_hz"), " Hz", 2),
                  "note": f"{fmt(summary.get('cadence_spm'), ' steps/min', 0)}"})
    kin = summary.get("kinematics", {})
    cards.append({"label": "Knee lift", "value": fmt(kin.get("thigh_front_max_deg_mean"), " deg", 0),
                  "note": "max thigh angle in front"})
    return cards


def _step_table(steps: dict[str, np.ndarray]) -> tuple[list[str], list[list[dict[str, str]]]]:
    cols = [c for c in STEP_COLUMNS if c[0] in steps]
    header = [c[1] for c in cols[:1]] + ["foot"] + [c[1] for c in cols[1:]]
    rows = []
    for i in range(len(steps.get("step", []))):
        foot = str(steps["foot"][i])
        far = "camera_side" in steps and str(steps["camera_side"][i]) == "far"
        cells = [{"text": fmt(float(steps[c[0]][i]), c[2], c[3], c[4]), "cls": ""} for c in cols]
        foot_cell = {"text": f"{foot} (far)" if far else foot, "cls": foot if foot in ("left", "right") else ""}
        rows.append(cells[:1] + [foot_cell] + cells[1:])
    return header, rows


def _kinogram_caption(summary: dict[str, Any], stem: str) -> str:
    side = stem.split("_", 1)[1]
    kino = (summary.get("kinogram") or {}).get(side) or {}
    positions = kino.get("positions", {})
    frames = ", ".join(f"{name.replace('_', ' ')} {p.get('frame')}" for name, p in positions.items())
    return f"{side} landing, step {kino.get('step', '?')}: frames {frames}" if positions else f"{side} landing"


def _flags(summary: dict[str, Any]) -> list[dict[str, str]] | None:
    if "flags" not in summary:
        return None  # a results folder from a version without flags
    out = []
    for f in summary.get("flags") or []:
        frames = ", ".join(str(x) for x in f.get("frames", []))
        out.append({"text": str(f.get("text", "")), "frames": frames or "n/a",
                    "reference": str(f.get("reference", "")), "id": str(f.get("id", ""))})
    return out


def _meta(summary: dict[str, Any]) -> list[tuple[str, str]]:
    v = summary.get("video", {})
    res = summary.get("resolution_s") or float("nan")
    calib = summary.get("calibration") or {}
    rows = [
        ("clip", str(Path(str(v.get("path", ""))).name)),
        ("frame size", f"{v.get('width')} x {v.get('height')} px (rotation {v.get('rotation_deg', 0)} deg)"),
        ("frames", f"{v.get('frames')} decoded, {v.get('frames_analysed')} analysed, "
                   f"{v.get('duplicates_dropped', 0)} repeats dropped"),
        ("frame rate", f"{fmt(v.get('capture_fps'), ' fps', 1)} capture, {fmt(v.get('fps'), ' fps', 2)} in the file"
                       + (" (variable frame rate)" if v.get("vfr") else "")),
        ("timing resolution", f"{fmt(res, ' ms', 1, 1000)} (one frame): every event time is +/- about one frame"),
        ("direction", str(summary.get("direction", "")).replace("_", " ")),
        ("distance scale", f"{calib.get('method')} ({calib.get('source')})" if calib else "none (no markers, no height)"),
        ("pose model", str(summary.get("pose", {}).get("backend", {}).get("backend", ""))),
        ("sprintcv", str(summary.get("sprintcv_version", ""))),
    ]
    return rows


def render_html(data: ReportData, out_dir: Path, *, plots: list[tuple[Path, str]] = (),
                athlete: str | None = None) -> str:
    """The report page as a string (frames and video are looked up in ``out_dir``)."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    clip = Path(str(data.summary.get("video", {}).get("path", "clip"))).name
    title = f"{athlete}: {clip}" if athlete else clip
    frames = [{"src": p.relative_to(out_dir).as_posix(), "caption": p.stem.replace("_", " ")}
              for p in sorted((out_dir / "frames").glob("*.png")) if not p.name.startswith("kinogram_")]
    kinograms = [{"src": p.relative_to(out_dir).as_posix(), "caption": _kinogram_caption(data.summary, p.stem)}
                 for p in sorted((out_dir / "frames").glob("kinogram_*.png"))]
    plot_items = [{"src": p.relative_to(out_dir).as_posix(), "caption": caption} for p, caption in plots]
    header, rows = _step_table(data.steps)
    video = "annotated.mp4" if (out_dir / "annotated.mp4").exists() else None
    return env.get_template("report.html.j2").render(
        title=title, subtitle=f"sprint analysis by sprintcv {data.summary.get('sprintcv_version', '')}",
        cards=_cards(data.summary), warnings=data.summary.get("warnings", []), video=video,
        frames=frames, plots=plot_items, step_header=header, step_rows=rows, meta=_meta(data.summary),
        far_steps=any(row[1]["text"].endswith("(far)") for row in rows),
        kinograms=kinograms, flags=_flags(data.summary), flags_note=data.summary.get("flags_note", ""),
    )


def build_report(out_dir: str | Path, data: ReportData | None = None, *, athlete: str | None = None,
                 plots: bool = True) -> Path:
    """Write ``plots/*.png`` and ``report.html`` into ``out_dir``; returns the report path."""
    out_dir = Path(out_dir)
    data = data if data is not None else ReportData.from_folder(out_dir)
    made = write_plots(data, out_dir / "plots") if plots else []
    path = out_dir / "report.html"
    write_text_atomic(path, render_html(data, out_dir, plots=made, athlete=athlete))
    return path
