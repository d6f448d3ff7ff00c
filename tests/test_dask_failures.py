"""A Dask backend that fails says so in one line within a bounded time (never hangs)."""

from __future__ import annotations

import socket
import time

import pytest

from sim.cli import main

pytest.importorskip("distributed")

TIMEOUT = 2.0


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setenv("CEASEFIRE_CONNECT_TIMEOUT", str(TIMEOUT))


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _timed(args: list[str]) -> tuple[int, float]:
    began = time.monotonic()
    code = main(args)
    return code, time.monotonic() - began


def _one_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["run", "compare"])
def test_unreachable_scheduler_fails_in_bounded_time(
    mini_path, tmp_path, capsys, short_timeout, command
):
    address = f"tcp://127.0.0.1:{_unused_port()}"
    args = [command, str(mini_path), "--runs", "20", "--scheduler", address]
    code, seconds = _timed([*args, "-o", str(tmp_path / "res")])
    assert code == 1
    line = _one_line(capsys)
    assert f"{address}: no Dask scheduler answered within {TIMEOUT:g} s" in line
    assert "CEASEFIRE_CONNECT_TIMEOUT" in line
    assert seconds < TIMEOUT + 5
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "reply",
    [b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", b"SSH-2.0-OpenSSH_9.6\r\n"],
    ids=["http", "ssh"],
)
def test_a_server_of_another_protocol_is_refused_unread(
    mini_path, tmp_path, capsys, short_timeout, reply
):
    # issue 22, fault 5: an HTTP server's first bytes read as a frame length were 3 EiB,
    # which distributed tried to allocate (MemoryError); now 8 bytes are read, then refused
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def speak() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(reply)
                time.sleep(0.2)

    threading.Thread(target=speak, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        args = ["run", str(mini_path), "--runs", "20", "--scheduler", address]
        code, seconds = _timed([*args, "-o", str(tmp_path / "res")])
    finally:
        server.close()
    assert code == 1
    line = _one_line(capsys)
    assert f"{address}: not a Dask scheduler (it speaks another protocol" in line
    assert seconds < TIMEOUT + 5
    assert not (tmp_path / "res").exists()


@pytest.mark.parametrize("address", ["not a url", "http://127.0.0.1:8786", "tcp://host:0"])
def test_an_address_that_is_not_a_dask_address_is_refused_at_once(
    mini_path, tmp_path, capsys, address
):
    code, seconds = _timed(["run", str(mini_path), "--scheduler", address, "-o", str(tmp_path)])
    assert code == 2 and seconds < 2
    assert _one_line(capsys).startswith("error: --scheduler: not a Dask scheduler address")


def test_silent_listener_fails_in_bounded_time(mini_path, tmp_path, capsys, short_timeout):
    # a port that accepts connections but never speaks: Client(timeout=...) alone hangs here
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        args = ["run", str(mini_path), "--runs", "20", "--scheduler", address]
        code, seconds = _timed([*args, "-o", str(tmp_path / "res")])
    assert code == 1
    assert "no Dask scheduler answered" in _one_line(capsys)
    assert seconds < 2 * TIMEOUT + 5


def test_bad_timeout_variable_is_bad_input(mini_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_CONNECT_TIMEOUT", "soon")
    args = ["run", str(mini_path), "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path / "r")]
    assert main(args) == 2
    assert "CEASEFIRE_CONNECT_TIMEOUT" in _one_line(capsys)


@pytest.fixture
def cluster():
    import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


def _losing(monkeypatch, lose):
    """Make the CLI's progress callback call ``lose()`` once the first chunk is in."""
    import importlib
    from contextlib import contextmanager

    cli_app = importlib.import_module("sim.cli.app")  # the bar every command's job shows

    @contextmanager
    def bar(total, label):
        calls = []

        def advance(n):
            calls.append(n)
            if len(calls) == 1:
                lose()

        yield advance

    monkeypatch.setattr(cli_app, "progress_bar", bar)


def _lost_with_hint(capsys, out) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: ") and "Traceback" not in "".join(lines)
    assert lines[1] == f"finished chunks are kept: complete the job with --resume {out}"
    return lines[0]


def test_workers_lost_mid_run_fail_with_a_resume_hint(
    mini_path, tmp_path, capsys, monkeypatch, short_timeout, cluster
):
    _losing(monkeypatch, lambda: cluster.scale(0))
    out = tmp_path / "res"
    args = ["compare", str(mini_path), "--policies", "us_aid_cut", "--runs", "80", "--no-plots"]
    code, seconds = _timed([*args, "--scheduler", cluster.scheduler_address, "-o", str(out)])
    assert code == 1
    assert "no Dask workers left" in _lost_with_hint(capsys, out)
    assert seconds < 30
    monkeypatch.undo()
    assert main([*args, "--workers", "1", "--resume", str(out)]) == 0


@pytest.mark.slow  # closing an in-process scheduler under a client takes 40-110 s here
def test_scheduler_lost_mid_run_fails_with_a_resume_hint(
    mini_path, tmp_path, capsys, monkeypatch, short_timeout, cluster
):
    _losing(monkeypatch, lambda: cluster.sync(cluster.scheduler.close))
    out = tmp_path / "res"
    args = ["sweep", str(mini_path), "--vary", "actors.US.aid=0:0.4:2", "--runs", "80"]
    code, seconds = _timed([*args, "--scheduler", cluster.scheduler_address, "-o", str(out)])
    assert code == 1
    assert "Dask" in _lost_with_hint(capsys, out)
    assert seconds < 30
