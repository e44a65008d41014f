"""Roster files and clip discovery: parsing, validation and the order settings apply in."""

from __future__ import annotations

import pytest

from sprintcv.errors import BatchError, RosterError
from sprintcv.roster import (
    ClipSettings,
    athlete_key,
    clean_name,
    discover_clips,
    load_roster,
    parse_settings,
)


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def clips(tmp_path):
    for name in ("anna_1.mp4", "anna_2.MOV", "ben_1.mp4", "notes.txt", ".hidden.mp4"):
        touch(tmp_path / name)
    touch(tmp_path / "sub" / "cara_1.mp4")
    return tmp_path


# ------------------------------------------------------------------------------ discovery


def test_folder_gives_its_videos_and_reports_other_files(clips):
    found = discover_clips([clips])
    assert [p.name for p in found.clips] == ["anna_1.mp4", "anna_2.MOV", "ben_1.mp4"]
    assert [p.name for p in found.ignored] == ["notes.txt"]
    assert all(p.is_absolute() for p in found.clips)


def test_recursive_and_glob_and_explicit_file(clips):
    assert "cara_1.mp4" in [p.name for p in discover_clips([clips], recursive=True).clips]
    assert [p.name for p in discover_clips([str(clips / "anna_*")]).clips] == ["anna_1.mp4", "anna_2.MOV"]
    # A file named explicitly is taken whatever its name (the analysis says if it is no video).
    assert [p.name for p in discover_clips([clips / "notes.txt"]).clips] == ["notes.txt"]


def test_excluded_output_folder_and_results_folders_are_not_searched(clips):
    out = clips / "results"
    touch(out / "anna_1" / "annotated.mp4")
    touch(out / "anna_1" / "summary.json", b"{}")
    found = discover_clips([clips], recursive=True, exclude=[out])
    assert not any("results" in p.parts for p in found.clips)
    touch(clips / "old" / "summary.json", b"{}")
    touch(clips / "old" / "annotated.mp4")
    assert not any(p.parent.name == "old" for p in discover_clips([clips], recursive=True).clips)


def test_missing_input_and_empty_glob_are_errors(tmp_path):
    with pytest.raises(BatchError, match="no such file or folder"):
        discover_clips([tmp_path / "nope"])
    with pytest.raises(BatchError, match="matches no file"):
        discover_clips([str(tmp_path / "*.mp4")])


def test_names():
    assert clean_name("  Anna   Smith ") == "Anna Smith"
    assert athlete_key("Anna Smith") == athlete_key("anna  smith ") == "anna smith"


# --------------------------------------------------------------------------------- TOML


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_roster_and_the_order_settings_apply_in(clips):
    roster = load_roster(write(clips / "r.toml", """
[defaults]
date = 2025-03-03
gate_distance_m = 20
height_m = 1.80

[athletes."Anna Smith"]
height_m = 1.70
fps = 240

[[clips]]
clip = "anna_*"
athlete = "Anna Smith"

[[clips]]
clip = "ben_1.mp4"
athlete = "Ben Okoro"
rep = 2
gates = [412, 1630.5]
cones = false
"""))
    assert [p.name for p in roster.clips] == ["anna_1.mp4", "anna_2.MOV", "ben_1.mp4"]
    base = ClipSettings(gate_distance_m=10.0, cone_color="red", session="cli")
    anna = roster.settings_for(clips / "anna_2.MOV", base)
    # command line < [defaults] < athlete < row
    assert anna == ClipSettings(athlete="Anna Smith", date="2025-03-03", session="cli", height_m=1.70,
                                fps=240.0, gate_distance_m=20.0, cone_color="red")
    ben = roster.settings_for(clips / "ben_1.mp4", base)
    assert ben.height_m == 1.80 and ben.rep == 2 and ben.gates_px == (412.0, 1630.5) and ben.find_cones is False
    assert roster.entry_for(clips / "ben_1.mp4").where.endswith("entry 2")
    assert roster.settings_for(clips / "notes.txt") == ClipSettings(date="2025-03-03", gate_distance_m=20.0,
                                                                   height_m=1.80)


def test_row_naming_a_missing_clip_is_kept_as_missing_not_an_error(clips):
    roster = load_roster(write(clips / "r.toml", '[[clips]]\nclip = "anna_9.mp4"\n[[clips]]\nclip = "ben_1.mp4"\n'))
    assert [e.pattern for e in roster.missing] == ["anna_9.mp4"]
    assert [p.name for p in roster.clips] == ["ben_1.mp4"]


@pytest.mark.parametrize("text, match", [
    ('[[clips]]\nclip = "ben_1.mp4"\nspeed = 3\n', r"unknown key 'speed'; allowed here: clip, athlete"),
    ('[defaults]\nclip = "x.mp4"\n', r"\[defaults\]: unknown key 'clip'"),
    ('[athletes."A"]\nrep = 1\n', r"unknown key 'rep'"),
    ('[roster]\nx = 1\n', r"unknown section 'roster'"),
    ('[[clips]]\nclip = "ben_1.mp4"\nheight_m = 180\n', r"height_m: must be the athlete's height in metres"),
    ('[[clips]]\nclip = "ben_1.mp4"\nfps = -1\n', r"fps: must be a capture frame rate"),
    ('[[clips]]\nclip = "ben_1.mp4"\nrep = 0\n', r"rep: must be a whole number from 1"),
    ('[[clips]]\nclip = "ben_1.mp4"\nrep = true\n', r"rep: must be a whole number"),
    ('[[clips]]\nclip = "ben_1.mp4"\ndate = "03/03/2025"\n', r"date: must be a date YYYY-MM-DD"),
    ('[[clips]]\nclip = "ben_1.mp4"\ngates = [412]\n', r"gates: needs at least two"),
    ('[[clips]]\nclip = "ben_1.mp4"\ngate_distance_m = 0\n', r"gate_distance_m: must be a distance"),
    ('[[clips]]\nclip = "ben_1.mp4"\ncone_color = "purple"\n', r"cone_color: unknown colour 'purple'"),
    ('[[clips]]\nclip = "ben_1.mp4"\nathlete = "  "\n', r"athlete: is empty"),
    ('[[clips]]\nathlete = "Ben"\n', r"has no clip"),
    ('[[clips]]\nclip = "ben_1.mp4"\n[[clips]]\nclip = "ben_*.mp4"\n', r"ben_1.mp4 is also named by .*entry 1"),
    ('clips = 3\n', r"clips must be an array of tables"),
    ('[[clips]\nclip = 1', r"not valid TOML"),
])
def test_toml_problems_are_one_clear_line(clips, text, match):
    with pytest.raises(RosterError, match=match):
        load_roster(write(clips / "r.toml", text))


def test_one_athlete_spelled_two_ways_is_refused(clips):
    text = ('[[clips]]\nclip = "anna_1.mp4"\nathlete = "Anna Smith"\n'
            '[[clips]]\nclip = "anna_2.MOV"\nathlete = "anna smith "\n')
    with pytest.raises(RosterError, match=r"'anna smith' .*entry 2.* and 'Anna Smith' .*entry 1.* differ only in case"):
        load_roster(write(clips / "r.toml", text))
    # The athletes table is checked against the rows too.
    text = '[athletes."ANNA SMITH"]\nheight_m = 1.7\n[[clips]]\nclip = "anna_1.mp4"\nathlete = "Anna Smith"\n'
    with pytest.raises(RosterError, match="differ only in case or spacing"):
        load_roster(write(clips / "r.toml", text))
    # Extra spaces alone are not a second spelling (they are cleaned away).
    text = '[[clips]]\nclip = "anna_1.mp4"\nathlete = "Anna  Smith"\n[[clips]]\nclip = "anna_2.MOV"\nathlete = "Anna Smith"\n'
    assert {e.settings.athlete for e in load_roster(write(clips / "r.toml", text)).entries} == {"Anna Smith"}


# ---------------------------------------------------------------------------------- CSV


def test_csv_roster_with_athlete_rows(clips):
    roster = load_roster(write(clips / "r.csv", (
        "clip,athlete,date,rep,height_m,fps,gates,gate_distance_m,cones\n"
        "anna_1.mp4,Anna Smith,2025-03-03,1,,,,,\n"
        "anna_2.MOV,Anna Smith,2025-03-03,2,,,\"412,1630\",5,no\n"
        ",Anna Smith,,,1.70,240,,,\n"
        "sub/cara_*.mp4,Cara,2025-03-04,,,,412;1630;2400,,\n"
        "\n"
    )))
    a1 = roster.settings_for(clips / "anna_1.mp4")
    assert (a1.athlete, a1.rep, a1.height_m, a1.fps) == ("Anna Smith", 1, 1.70, 240.0)
    a2 = roster.settings_for(clips / "anna_2.MOV")
    assert a2.gates_px == (412.0, 1630.0) and a2.gate_distance_m == 5.0 and a2.find_cones is False
    assert roster.settings_for(clips / "sub" / "cara_1.mp4").gates_px == (412.0, 1630.0, 2400.0)


@pytest.mark.parametrize("text, match", [
    ("clip,speed\nanna_1.mp4,3\n", r"header: unknown column 'speed'"),
    ("clip,clip\nanna_1.mp4,x\n", r"appear more than once"),
    ("clip,athlete\nanna_1.mp4,Anna,extra\n", r"line 2: 3 cells but the header has 2"),
    ("clip,athlete,rep\n,Anna,1\n", r"rep needs a clip"),
    ("clip,athlete\n,,\n", None),  # an all-empty row is skipped
    ("clip,date\n,2025-01-01\n", r"line 2: names neither a clip nor an athlete"),
    ("clip,athlete\n,Anna\n,Anna\n", r"line 3: athlete 'Anna' has a settings row already"),
    ("clip,athlete\nanna_1.mp4,Anna Smith\nanna_2.MOV,ANNA SMITH\n", r"differ only in case or spacing"),
    ("", r"is empty"),
])
def test_csv_problems(clips, text, match):
    path = write(clips / "r.csv", text)
    if match is None:
        assert load_roster(path).entries == ()
    else:
        with pytest.raises(RosterError, match=match):
            load_roster(path)


def test_roster_file_itself(tmp_path):
    with pytest.raises(RosterError, match="roster file does not exist"):
        load_roster(tmp_path / "nope.toml")
    with pytest.raises(RosterError, match=r"a roster is a \.toml or \.csv file"):
        load_roster(write(tmp_path / "r.json", "{}"))


def test_parse_settings_checks_command_line_values():
    assert parse_settings({"fps": "240", "gates": "412,1630", "cones": False}) == ClipSettings(
        fps=240.0, gates_px=(412.0, 1630.0), find_cones=False)
    with pytest.raises(RosterError, match="command line: height_m"):
        parse_settings({"height_m": 0.3}, "command line")
