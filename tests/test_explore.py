"""``ceasefire explore``: the local web app (Solara on 127.0.0.1), driven in headless
Chromium: it steps one replicate and shows what that replicate's row of runs.parquet says.

Marked ``browser`` (left out of the default run): needs Chromium at /usr/bin/chromium and
the ``solara`` and ``playwright`` packages (the ``test`` extra)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.explore.world import World

MINI = Path(__file__).parent / "data" / "mini.yaml"
REPLICATE = 3
CHROMIUM = Path(os.environ.get("CEASEFIRE_CHROMIUM", "/usr/bin/chromium"))


def test_the_world_is_the_run_s_replicate(tmp_path):
    """The explorer's world is the same, draw for draw, as the run's replicate."""
    out = tmp_path / "r"
    assert main(["run", str(MINI), "-n", "6", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    for replicate in (0, REPLICATE, 5):
        world = World(str(MINI), replicate=replicate)
        world.play()
        row = runs[runs["replicate"] == replicate].iloc[0]
        got = world.history[-1]["outcome"]
        assert got["outcome"] == row["outcome"] and got["final_control"] == row["final_control"]
        expected = None if pd.isna(row["ceasefire_week"]) else int(row["ceasefire_week"])
        assert got["ceasefire_week"] == expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "explore", str(MINI), "--replicate", str(REPLICATE),
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        start_new_session=True,  # its own group: the server and its children end together
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("the explorer did not start within 90 s")
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.mark.browser
def test_the_explorer_steps_and_shows_the_replicate_s_row(server, tmp_path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "r"
    assert main(["run", str(MINI), "-n", "6", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    row = pd.read_parquet(out / "runs.parquet").iloc[REPLICATE]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server, wait_until="load")
        page.get_by_text("Week 0", exact=False).first.wait_for(timeout=60_000)
        assert f"replicate {REPLICATE}" in page.inner_text("body")
        page.get_by_role("button", name="Step a week").click()
        page.get_by_text("Week 1 of", exact=False).first.wait_for(timeout=30_000)
        assert "The last package tabled (week 1)" in page.inner_text("body")
        assert re.search(r"(accepts|refuses) \(surplus [+-]\d", page.inner_text("body"))
        page.get_by_role("button", name="Play to the end").click()
        page.get_by_text("Outcome at week", exact=False).first.wait_for(timeout=60_000)
        text = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "explore.png"))
        browser.close()
    found = re.search(r"Outcome: (\w+); (first ceasefire in week (\d+)|no ceasefire); "
                      r"final control (\d+\.\d+)", text)  # fmt: skip
    assert found, text[-800:]
    assert found.group(1) == row["outcome"]
    if pd.isna(row["ceasefire_week"]):
        assert found.group(2) == "no ceasefire"
    else:
        assert int(found.group(3)) == int(row["ceasefire_week"])
    assert float(found.group(4)) == pytest.approx(float(row["final_control"]), abs=1e-6)
