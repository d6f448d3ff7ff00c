"""Bad input is refused with one clear line, exit code 2 and nothing written (issue 7).

``tests/data/bad_scenarios/`` holds broken scenario files, one defect each, and
``EXPECTED.yaml`` the exact message for each.  Every file goes through the loader and through
``validate`` and ``run`` on the command line; bad command lines are checked the same way.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.cli.app import max_workers
from sim.scenario import MAX_FILE_BYTES, MAX_RUNS

BAD = Path(__file__).parent / "data" / "bad_scenarios"
EXPECTED: dict[str, str] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text())
FILES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "EXPECTED.yaml")
# a cycle is reported in the parent whose `extends:` closes it
REPORTED_IN_PARENT = {"extends_cycle_a.yaml", "extends_cycle_b.yaml"}


def test_corpus_and_index_agree():
    assert len(FILES) >= 30
    assert sorted(EXPECTED) == FILES
    assert all(len(msg.splitlines()) == 1 and msg.strip() == msg for msg in EXPECTED.values())
    big = [p.name for p in BAD.iterdir() if p.stat().st_size > 20_000]
    assert not big, f"keep the corpus small: {big}"


def _load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


@pytest.mark.parametrize("name", FILES)
def test_loader_refuses_with_the_expected_message(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `extends:` resolves against the file's folder, not the cwd
    path = BAD / name
    err = _load_error(path)
    if name in REPORTED_IN_PARENT:
        assert Path(err.source).resolve().parent == BAD.resolve()
    else:
        assert err.source == str(path)
    assert str(err) == f"{err.source}: {EXPECTED[name]}"


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def _assert_one_line(code: int, err: str, expected: str | None = None, more: int = 0) -> None:
    """One line per problem (``more``: the file's further problems, each its own line),
    the first as expected."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 + more, err
    assert all(line.startswith("error: ") for line in lines)
    if expected is not None and expected.endswith("..."):  # click's wording may vary
        assert lines[0].startswith(f"error: {expected[:-3]}")
    elif expected is not None:
        assert lines[0] == f"error: {expected}"


@pytest.mark.parametrize("name", FILES)
def test_validate_command_shows_the_same_line(name, capsys):
    path = BAD / name
    found = _load_error(path)
    code, err = _cli(["validate", str(path)], capsys)
    _assert_one_line(code, err, str(found), more=len(found.lines()) - 1)
    assert err.strip().splitlines() == [f"error: {line}" for line in found.lines()]
    assert "\x1b" not in err and "\x07" not in err  # escape sequences are shown, not sent


@pytest.mark.parametrize("name", FILES)
def test_run_command_exits_2_and_writes_nothing(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a default results/ folder would land here
    path = BAD / name
    found = _load_error(path)
    out = tmp_path / "res"
    code, err = _cli(["run", str(path), "-w", "1", "-o", str(out)], capsys)
    _assert_one_line(code, err, str(found), more=len(found.lines()) - 1)
    assert list(tmp_path.iterdir()) == []


def test_huge_file_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    filler = "# " + "x" * 98 + "\n"
    path.write_text((BAD.parent / "mini.yaml").read_text() + filler * (MAX_FILE_BYTES // 100 + 1))
    size = path.stat().st_size
    assert size > MAX_FILE_BYTES
    err = _load_error(path)
    assert str(err) == f"{path}: file is {size:,} bytes; scenario files are limited to 1 MB"
    out = tmp_path / "res"
    code, stderr = _cli(["run", str(path), "-w", "1", "-o", str(out)], capsys)
    _assert_one_line(code, stderr, str(err))
    assert not out.exists()


def test_extends_chain_may_not_be_endless(tmp_path):
    for i in range(40):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i + 1}.yaml\nname: s{i}\n")
    err = _load_error(tmp_path / "s0.yaml")
    assert err.field == "extends" and "more than 16 files in the extends chain" in err.problem


def test_extends_with_a_relative_path_is_resolved_against_the_file(tmp_path, monkeypatch):
    sub = tmp_path / "variants"
    sub.mkdir()
    (sub / "child.yaml").write_text(f"extends: {os.path.relpath(BAD.parent / 'mini.yaml', sub)}\n")
    monkeypatch.chdir(BAD)  # a different folder: the path must not depend on it
    assert load_scenario(sub / "child.yaml").spec.name == "mini"


def test_scientific_notation_is_a_number(tmp_path, mini_doc):
    text = (BAD.parent / "mini.yaml").read_text().replace("aid_cost: 0.01", "aid_cost: 1e-2")
    path = tmp_path / "sci.yaml"
    path.write_text(text)
    assert load_scenario(path).spec.actors["US"].aid_cost == 0.01


# --------------------------------------------------------------------------- command lines
MINI = BAD.parent / "mini.yaml"
# nine levels of ten aliases each: 10**9 values once expanded, 300 characters written
ALIAS_BOMB = (
    "[&a [x, x, x, x, x, x, x, x, x, x], "
    + ", ".join(
        f"&{b} [{', '.join([f'*{a}'] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]"
)
BAD_COMMAND_LINES = [
    (["--bogus"], "No such option: --bogus..."),
    (
        ["--set", "actors.China.aid=0.5"],
        f"{MINI} (--set): actors.China.aid: no such field: actors.China",
    ),
    (["--set", "actors.US.colour=blue"], f"{MINI} (--set): actors.US.colour: unknown field"),
    (["--set", "horizon=soon"], f"{MINI} (--set): horizon: must be a whole number, got 'soon'"),
    (
        ["--set", "actors.US.aid=[1, 2]"],
        f"{MINI} (--set): actors.US.aid: must be a number, got [1, 2]",
    ),
    (
        ["--set", "actors.US.position=0.5"],
        f"{MINI} (--set): actors.US.position: must be a mapping, got float",
    ),
    (
        ["--set", "actors.US.aid=-1"],
        f"{MINI} (--set): actors.US.aid: must be between 0 and 1000000, got -1",
    ),
    (["--set", "horizon"], "--set: horizon: expected PATH=VALUE"),
    (["--set", "=5"], f"{MINI} (--set): '': not a valid field path"),
    (["--set", "actors..aid=1"], f"{MINI} (--set): 'actors..aid': not a valid field path"),
    (
        ["--set", "horizon=[1"],
        "--set horizon: line 1, column 3: invalid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    (
        ["--set", "name=!!python/object/apply:os.system [echo]"],
        "--set name: line 1, column 1: invalid YAML: YAML tags that build objects are not allowed",
    ),
    (
        ["--policy", "invade_mars"],
        f"{MINI}: policies.invade_mars: no such policy (defined: nothing, us_aid_cut)",
    ),
    (["--runs", "0"], "--runs: must be at least 1, got 0"),
    (["--runs", "-3"], "--runs: must be at least 1, got -3"),
    (["--runs", "many"], None),
    (["--workers", "0"], "--workers: must be at least 1, got 0"),
    # caps checked before any work (issue 11, fault 10)
    (["--runs", str(10**12)], f"--runs: must be at most {MAX_RUNS:,}, got {10**12:,}"),
    (["--runs", str(MAX_RUNS + 1)], f"--runs: must be at most {MAX_RUNS:,}, got {MAX_RUNS + 1:,}"),
    (["--workers", "1000"], f"--workers: must be at most {max_workers():,}, got 1,000"),
    (
        ["--set", "runs=1e300"],
        f"{MINI} (--set): runs: must be between 1 and {MAX_RUNS}, got 1e+300",
    ),
    # YAML 1.2 numbers in --set too (issue 11, fault 4)
    (["--set", "horizon=1:30"], f"{MINI} (--set): horizon: must be a whole number, got '1:30'"),
    (
        ["--set", "actors.US.aid=1_0"],
        f"{MINI} (--set): actors.US.aid: must be a number, got '1_0'",
    ),
    # an alias bomb in --set (issue 11, fault 5)
    (["--set", f"description={ALIAS_BOMB}"], "--set description: line 1, column ..."),
    # control characters in an option's text are escaped (issue 11, fault 9)
    (
        ["--set", "actors.\x1b]0;pwned\x07.aid=1"],
        f"{MINI} (--set): actors.\\x1b]0;pwned\\x07.aid: no such field: actors.\\x1b]0;pwned\\x07",
    ),
    (["--chunk-size", "0"], "--chunk-size: must be at least 1, got 0"),
    # the run seed must be what the schema allows for `seed:` (0 to 2**63 - 1)
    (["--seed", "-1"], f"--seed: must be between 0 and {2**63 - 1}, got -1"),
    (["--seed", str(2**64)], f"--seed: must be between 0 and {2**63 - 1}, got {2**64}"),
    # issue 22: bounded up front, one line each
    (
        ["--runs", "10000000", "--chunk-size", "1"],
        "--chunk-size: 1 cuts 10,000,000 runs into 10,000,000 chunks; at most 100,000 "
        "(give a larger chunk size, or leave it to the default)",
    ),
    (
        ["--scheduler", "not a url"],
        "--scheduler: not a Dask scheduler address: 'not a url' (expected tcp://HOST:PORT)",
    ),
    (["--scheduler", "ftp://127.0.0.1:21"], "--scheduler: not a Dask scheduler address: ..."),
    (["--scheduler", "tcp://127.0.0.1:70000"], "--scheduler: not a Dask scheduler address: ..."),
]


@pytest.mark.parametrize(
    ("args", "expected"),
    BAD_COMMAND_LINES,
    ids=lambda a: " ".join(a) if isinstance(a, list) else None,
)
def test_bad_options_exit_2_with_one_line(args, expected, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "res"
    code, err = _cli(["run", str(MINI), "-w", "1", "-o", str(out), *args], capsys)
    _assert_one_line(code, err, expected)
    if expected is None:  # typer's own message: it must still name the option
        assert "--runs" in err
    assert list(tmp_path.iterdir()) == []


def test_existing_results_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "res"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, err = _cli(["run", str(MINI), "-w", "1", "-o", str(out)], capsys)
    _assert_one_line(code, err, f"--out: {out}: results folder already exists")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_output_under_a_regular_file_is_refused(tmp_path, capsys):
    blocker = tmp_path / "somefile.txt"
    blocker.write_text("not a folder")
    out = blocker / "sub"
    code, err = _cli(["run", str(MINI), "-w", "1", "-o", str(out)], capsys)
    _assert_one_line(code, err, f"--out: {out}: cannot write in {blocker}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["somefile.txt"]


def test_unwritable_output_folder_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)  # 0o500
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a path under a file
            blocked = tmp_path / "afile"
            blocked.write_text("")
            out, parent = blocked / "res", blocked
        else:
            out, parent = locked / "res", locked
        code, err = _cli(["run", str(MINI), "-w", "1", "-o", str(out)], capsys)
        _assert_one_line(code, err, f"--out: {out}: cannot write in {parent}")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


@pytest.mark.parametrize("command", ["run", "validate"])
def test_missing_scenario_file(command, tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"
    code, err = _cli([command, str(path)], capsys)
    _assert_one_line(code, err, f"{path}: file not found")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "validate"])
def test_folder_given_as_scenario(command, tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    code, err = _cli([command, str(folder)], capsys)
    _assert_one_line(code, err, f"{folder}: not a file")
    assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []


def test_unknown_command_and_missing_argument(capsys):
    code, err = _cli(["frobnicate"], capsys)
    _assert_one_line(code, err, "No such command 'frobnicate'.")
    code, err = _cli(["run"], capsys)
    _assert_one_line(code, err, "Missing argument 'scenario'.")


def test_validate_reports_every_bad_file_on_its_own_line(capsys):
    paths = [BAD / name for name in FILES[:5]]
    code = main(["validate", str(MINI), *map(str, paths)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert lines == [f"error: {line}" for p in paths for line in _load_error(p).lines()]
    assert captured.out.startswith(f"ok: {MINI}")


# --------------------------------------------------------------------------- issue 11 (input)
def test_yaml_12_numbers(tmp_path, capsys):
    """`052` is 52 (YAML 1.2), never 42 (YAML 1.1 octal); `0o52` is the octal spelling."""
    text = MINI.read_text()
    for written, expected in (("052", 52), ("0o52", 42), ("0x34", 52), ("+52", 52)):
        path = tmp_path / f"h{expected}-{len(written)}.yaml"
        path.write_text(text.replace("horizon: 52", f"horizon: {written}"))
        assert load_scenario(path).spec.horizon == expected, written
    assert load_scenario(MINI, overrides=["horizon=052"]).spec.horizon == 52
    assert load_scenario(MINI, overrides=["actors.US.aid=.5"]).spec.actors["US"].aid == 0.5


def test_alias_bomb_is_refused_quickly(tmp_path, capsys):
    """Refused while composing the YAML, before anything expands or walks it."""
    import time

    path = BAD / "alias_bomb.yaml"
    start = time.perf_counter()
    code, err = _cli(["run", str(path), "-w", "1", "-o", str(tmp_path / "res")], capsys)
    assert time.perf_counter() - start < 5
    _assert_one_line(code, err, f"{path}: {EXPECTED['alias_bomb.yaml']}")
    assert "MemoryError" not in err and list(tmp_path.iterdir()) == []


def test_merge_keys_and_small_aliases_still_work(tmp_path):
    text = (
        MINI.read_text().replace("  US:\n    role: mediator", "  US: &us\n    role: mediator")
        + "x-note: *us\n"
    )
    path = tmp_path / "aliases.yaml"
    path.write_text(text)
    assert _load_error(path).problem == "unknown field"  # parsed fine; the key is unknown


@pytest.mark.parametrize("command", ["run", "validate"])
def test_symlink_loop_exits_2(command, tmp_path, capsys):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: a.yaml\nname: child\n")
    code, err = _cli([command, str(tmp_path / "a.yaml")], capsys)
    _assert_one_line(code, err, f"{tmp_path / 'a.yaml'}: cannot read: symbolic link loop")
    code, err = _cli([command, str(child)], capsys)
    _assert_one_line(code, err, f"{child}: extends: cannot read: symbolic link loop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "child.yaml"]


def test_titles_and_paths_are_printed_escaped(tmp_path, capsys, monkeypatch):
    """A scenario name full of escape sequences is shown, not obeyed, in titles and paths."""
    monkeypatch.chdir(tmp_path)
    name = "\x1b]0;pwned\x07mini\x1b[2J[bold]x[/bold]"
    code = main(["run", str(MINI), "-n", "20", "-w", "1", "--no-plots", "--set", f"name={name!r}"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "\\x1b]0;pwned\\x07mini" in captured.out
    assert "[bold]x[/bold]" in captured.out  # markup in a name is shown as written
