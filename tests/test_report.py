"""report.html: one self-contained page in every results folder, and ``ceasefire report``.

The unit tests read the page's HTML (sections, data URIs, no external address, escaping,
missing files); the ``browser`` tests load real reports in headless Chromium (no console
error, every image decoded, a page that is not blank).  The browser tests need Chromium at
``/usr/bin/chromium`` (Debian: ``apt-get install chromium``) and the ``playwright`` package
(the ``test`` extra); they run with ``pytest -m browser`` (CI does).  ``CEASEFIRE_CHROMIUM``
names another Chromium binary.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sim.cli import main
from sim.report import build_report, write_report
from sim.report.assumptions import commented_fields, source_rows, split_comment

SECTIONS = ("question", "warnings", "headline", "figures", "compared", "assumptions", "reproduce")
KINDS = ("run", "compare", "deal", "sweep", "sensitivity", "discover")

EVIL = "<script>alert('x')</script>"

SCENARIO = f"""# Header: where the numbers come from (see seeds/README.md) {EVIL}
name: tiny
description: A test scenario {EVIL} & friends.
horizon: 52   # [CAL] one year
actors:
  Russia:
    capability: 1.49   # [SIPRI] military expenditure "$149 bn" # not a second comment
    resolve: {{uniform: [0.9, 0.99]}}   # assumption [CAL-RESOLVE]
    # a comment on the line above the field
    risk: 1.0
events:
  - {{name: pause, window: [8, 20]}}   # [KIEL] the pause
policies:
  cut:
    description: The US halts aid {EVIL}.
    set: {{actors.US.aid: 0.0}}   # [KIEL]
"""

SEEDS = """# Sources

| Tag | Source | Figure | Parameter | Status |
|---|---|---|---|---|
| `[SIPRI]` | SIPRI *Fact Sheet* 2024 | $149 bn | capability | verified |
| `[KIEL]` | Kiel tracker <b>bold</b> | pause | aid | verified |
"""


class _Page(HTMLParser):
    """The tags, attributes and section ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def ids(self) -> set[str]:
        return {a["id"] for t, a in self.tags if t == "section" and "id" in a}

    def attrs(self, name: str) -> list[str]:
        return [a[name] for _, a in self.tags if a.get(name) is not None]


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _png(path: Path, colour=(30, 90, 150)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), colour).save(path)


@pytest.fixture
def run_folder(tmp_path) -> Path:
    """A synthetic ``run`` folder, with a scenario text full of markup, a seeds README
    beside its scenario, a new summary block and a figure."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "README.md").write_text(SEEDS)
    folder = tmp_path / "results" / "tiny-1"
    manifest = {
        "scenario": "tiny",
        "label": "tiny+cut",
        "source": "scenarios/tiny.yaml",
        "policy": "cut",
        "overrides": [f"actors.Russia.risk=1.0 {EVIL}"],
        "scenario_sha256": "abc",
        "scenario_texts": {"scenarios/tiny.yaml": SCENARIO},
        "issues": {"territory": {"low": "a", "high": "b"}},
        "actors": {"Russia": "Russia"},
        "horizon_weeks": 52,
        "runs": 5000,
        "seed": 7,
        "versions": {"python": "3.11", "ceasefire": "0.1.0"},
        "timings": {"wall_seconds": 1.5},
        "created": "2026-01-01T00:00:00+00:00",
        "command": "ceasefire run scenarios/tiny.yaml --policy cut --seed 7",
        "working_directory": str(tmp_path),
        "warnings": [f"a warning from the model {EVIL}"],
    }
    summary = {
        "runs": 5000,
        "horizon_weeks": 52,
        "p_ceasefire": 0.5,
        "p_ceasefire_lo": 0.48,
        "p_ceasefire_hi": 0.52,
        "median_week": 30.0,
        "median_week_lo": 28.0,
        "median_week_hi": 33.0,
        "p_new_thing": 0.25,
        "p_new_thing_lo": 0.2,
        "p_new_thing_hi": 0.3,
        "mean_collapses": 1.2,
        "terms": {"territory": {"q05": 0.1, "q25": 0.2, "q50": 0.3, "q75": 0.4, "q95": 0.5}},
        "final_control_quantiles": {"q05": 0.8, "q25": 0.81, "q50": 0.82, "q75": 0.83, "q95": 0.84},
        "blockers": {"Russia": 0.1, "Ukraine": 0.05},
        "outcome": {
            "signed_and_held": {"share": 0.4, "lo": 0.38, "hi": 0.42},
            "no_deal": 0.6,
            "no_deal_lo": 0.58,
            "no_deal_hi": 0.62,
        },
    }
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "summary.json").write_text(json.dumps(summary))
    _png(folder / "plots" / "ceasefire_by_week.png")
    _png(folder / "plots" / "extra_figure.png", (200, 40, 40))
    return folder


def test_every_section_is_there_and_says_what_it_should(run_folder):
    text = build_report(run_folder)
    page = parse(text)
    assert page.ids() >= set(SECTIONS)
    assert "<title>Scenario run: tiny+cut</title>" in text
    assert "P(ceasefire by week 52)" in text and "48.0% – 52.0%" in text  # registry label
    assert "P(new thing)" in text and "20.0% – 30.0%" in text  # a key no registry names
    assert "Signed and held" in text and "38.0% – 42.0%" in text  # a new nested block
    assert "No deal" in text and "58.0% – 62.0%" in text
    assert "Policy “cut” applied" in text and "The US halts aid" in text
    assert "ceasefire run scenarios/tiny.yaml --policy cut --seed 7" in text
    assert "a warning from the model" in text
    assert "Extra figure." in text  # a figure no caption names gets one from its name
    # the assumptions: fields with their comments, the tags' rows of seeds/README.md
    assert "actors.Russia.capability" in text and "military expenditure" in text
    assert "a comment on the line above the field" in text
    assert "SIPRI Fact Sheet 2024" in text and "Kiel tracker" in text
    assert "<code>seeds/README.md</code> in the project" in text  # quoted, not linked
    assert str(run_folder.parent.parent) not in text  # no absolute author path


def test_self_contained_images_inline_and_no_external_address(run_folder):
    text = build_report(run_folder)
    page = parse(text)
    sources = page.attrs("src")
    assert len(sources) == 2
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        base64.b64decode(src.split(",", 1)[1], validate=True)
    for href in page.attrs("href"):  # plain links only: in-page anchors and relative paths
        assert href.startswith("#") or "://" not in href and not href.startswith("//"), href
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed"}
    assert "@import" not in text and "url(" not in text


def test_text_from_files_is_escaped(run_folder):
    text = build_report(run_folder)
    assert "<script" not in text.lower()
    assert "&lt;script&gt;" in text
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text


def test_missing_optional_files_are_noted_not_fatal(run_folder):
    (run_folder / "summary.json").unlink()
    shutil.rmtree(run_folder / "plots")
    info = json.loads((run_folder / "manifest.json").read_text())
    for key in ("scenario_texts", "command", "versions", "warnings"):
        del info[key]
    info["source"] = "gone.yaml"
    (run_folder / "manifest.json").write_text(json.dumps(info))
    text = build_report(run_folder)
    assert parse(text).ids() >= set(SECTIONS)
    assert "summary.json is missing" in text
    assert "No figures in this folder" in text
    assert "the scenario file gone.yaml was not found" in text
    # no recorded command line: an equivalent one is rebuilt from the manifest
    assert "ceasefire run gone.yaml --policy cut --runs 5000 --seed 7 --set" in text


def test_sensitivity_folder_warns_of_wide_intervals(tmp_path):
    folder = tmp_path / "sens"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps(
            {"kind": "sensitivity", "method": "sobol", "inputs": {"a.b": {"uniform": [0, 1]}}}
        )
    )
    (folder / "sensitivity.csv").write_text(
        "outcome,input,S1,S1_conf,ST,ST_conf\np_ceasefire,a.b,0.1,0.4,0.2,0.05\n"
    )
    text = build_report(folder)
    assert "1 of 2 sensitivity indices have a 95% interval as wide as the index" in text
    assert "a.b" in text


def test_not_a_results_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "not a results folder" in err and "\n" not in err
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert not (tmp_path / "report.html").exists()


def test_report_command_rebuilds_the_page(run_folder, capsys):
    assert main(["report", str(run_folder)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert parse((run_folder / "report.html").read_text()).ids() >= set(SECTIONS)
    assert not list(run_folder.glob(".report.html.partial-*"))


def test_a_run_writes_its_report_and_records_its_command(mini_path, tmp_path):
    out = tmp_path / "r"
    args = ["run", str(mini_path), "-n", "20", "-w", "1", "-o", str(out), "--no-plots"]
    assert main(args) == 0
    info = json.loads((out / "manifest.json").read_text())
    assert info["command"].startswith(f"ceasefire run {mini_path} -n 20")
    text = (out / "report.html").read_text()
    assert info["command"] in text and "Scenario “mini”" in text
    assert not list(tmp_path.glob(".r.partial-*"))


def test_a_report_that_cannot_be_built_does_not_lose_the_results(mini_path, tmp_path, monkeypatch):
    import sim.report

    def broken(folder, final=None):
        raise ValueError("a bug")

    monkeypatch.setattr(sim.report, "write_report", broken)
    out = tmp_path / "r"
    with pytest.warns(UserWarning, match="could not be built"):
        assert (
            main(["run", str(mini_path), "-n", "10", "-w", "1", "-o", str(out), "--no-plots"]) == 0
        )
    assert (out / "summary.json").is_file()
    assert "could not be built (ValueError: a bug)" in (out / "report.html").read_text()


def test_compare_and_deal_folders_get_their_tables(mini_path, tmp_path):
    compare, deal = tmp_path / "c", tmp_path / "d"
    common = ["-n", "20", "-w", "1", "--no-plots"]
    assert main(["compare", str(mini_path), *common, "-o", str(compare)]) == 0
    terms = ["--terms", "territory=line,nato=0", "--weeks", "1,10"]
    assert main(["deal", str(mini_path), *terms, *common, "-o", str(deal)]) == 0
    text = (compare / "report.html").read_text()
    assert parse(text).ids() >= set(SECTIONS)
    assert "Outcomes by arm" in text and "Difference from the reference" in text
    assert "The arms compared" in text and "mini+us_aid_cut" in text
    assert "ceasefire compare" in text and "Only 20 runs per arm" in text
    text = (deal / "report.html").read_text()
    assert parse(text).ids() >= set(SECTIONS)
    assert "Acceptance by the week the deal is tabled" in text
    assert "territory = the line of contact" in text and "tabled in week 1, 10" in text


def test_sweep_folder_from_its_table(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    info = {"kind": "sweep", "source": "x.yaml", "vary": ["actors.US.aid=0:0.4:2"], "runs": 50}
    (folder / "manifest.json").write_text(json.dumps(info))
    (folder / "sweep.csv").write_text(
        "actors.US.aid,runs,p_ceasefire,p_ceasefire_lo,p_ceasefire_hi\n"
        "0.0,50,0.5,0.4,0.6\n0.4,50,0.7,0.6,0.8\n"
    )
    text = build_report(folder)
    assert "How do the outcomes change as actors.US.aid changes?" in text
    assert "70.0%" in text and "[60.0%, 80.0%]" in text
    assert "--vary actors.US.aid=0:0.4:2 --runs 50" in text  # the rebuilt command


def test_comments_are_paired_with_their_fields():
    fields = {f.path: f for f in commented_fields(SCENARIO)}
    assert fields["horizon"].value == "52" and fields["horizon"].tags == ["CAL"]
    assert fields["actors.Russia.capability"].comment.startswith("[SIPRI] military")
    assert fields["actors.Russia.risk"].comment == "a comment on the line above the field"
    assert fields["events[]"].tags == ["KIEL"]  # a flow mapping in a list
    assert fields["policies.cut.set"].tags == ["KIEL"]
    assert "description" not in fields  # the header comment belongs to the file
    assert split_comment('a: "x # y"  # z') == ('a: "x # y"', "z")
    assert source_rows(SEEDS, ["KIEL", "NONE"]) == {
        "KIEL": ["Kiel tracker <b>bold</b> — pause — aid — verified"]
    }


def test_write_report_is_atomic_and_returns_the_path(run_folder):
    path = write_report(run_folder)
    assert path == run_folder / "report.html" and path.stat().st_size > 1000


# --------------------------------------------------------------------------- in a browser
CHROMIUM = Path(os.environ.get("CEASEFIRE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM}: install it with "
            "`sudo apt-get install chromium` (Debian/Ubuntu), or deselect them with "
            "-m 'not browser'",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the browser tests need playwright: pip install -e '.[test]' "
            "(no `playwright install`: the system's Chromium is used)",
            pytrace=False,
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def real_folders(tmp_path_factory) -> dict[str, Path]:
    """Small real results folders of every kind (the mini scenario)."""
    mini = Path(__file__).parent / "data" / "mini.yaml"
    root = tmp_path_factory.mktemp("reports")
    commands = {
        "run": ["run", str(mini), "-n", "40"],
        "compare": ["compare", str(mini), "-n", "40"],
        "deal": ["deal", str(mini), "--terms", "territory=line,nato=0", "--weeks", "1,20"],
        "sweep": ["sweep", str(mini), "--vary", "actors.US.aid=0:0.4:3", "-n", "30"],
        "sensitivity": ["sensitivity", str(mini), "--method", "morris", "--samples", "4"],
        "discover": ["discover", str(root / "run"), "--outcome", "ceasefire_week <= 52"],
    }
    folders = {}
    for kind, args in commands.items():
        out = root / kind
        extra = {"deal": ["-n", "40"], "sensitivity": ["--replicates", "2"]}.get(kind, [])
        workers = [] if kind == "discover" else ["-w", "1"]
        assert main([*args, *extra, *workers, "-o", str(out)]) == 0, kind
        folders[kind] = out
    return folders


def _load(browser, path: Path):
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_report_loads_in_chromium_with_every_image(browser, real_folders, kind):
    path = real_folders[kind] / "report.html"
    page, problems = _load(browser, path)
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])"
    )
    expected = len(list(real_folders[kind].rglob("*.png")))
    assert len(images) == expected >= 1
    assert all(done and width > 0 for done, width, _ in images), images
    assert page.evaluate("Array.from(document.querySelectorAll('section')).map(s => s.id)")[
        : len(SECTIONS)
    ] == list(SECTIONS)
    width = page.evaluate("document.body.getBoundingClientRect().width")
    assert width <= 900
    assert problems == []
    page.close()


@pytest.mark.browser
def test_report_prints(browser, real_folders):
    """Printable: the print style sheet applies and Chromium makes a PDF of the page."""
    page, problems = _load(browser, real_folders["run"] / "report.html")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    pdf = page.pdf(format="A4")
    page.close()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    assert problems == []


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_the_first_screen_holds_the_bottom_line(browser, real_folders, kind):
    """At 1,400 x 900 (a laptop), the bottom line is read before any scrolling."""
    page, problems = _load(browser, real_folders[kind] / "report.html")
    page.set_viewport_size({"width": 1400, "height": 900})
    box = page.evaluate(
        "(() => { const r = document.getElementById('bottom-line').getBoundingClientRect();"
        " return [r.top, r.bottom, document.getElementById('bottom-line').innerText]; })()"
    )
    page.close()
    top, bottom, text = box
    assert 0 <= top < bottom <= 900, box
    assert text.startswith("Bottom line.") and any(c.isdigit() for c in text)
    assert problems == []


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_report_screenshot_is_not_blank(browser, real_folders, kind):
    from PIL import Image

    page, problems = _load(browser, real_folders[kind] / "report.html")
    shot = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    page.close()
    colours = shot.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "too few colours: a blank page?"
    pixels = shot.width * shot.height
    white = sum(n for n, c in colours if min(c) >= 250)
    assert white / pixels < 0.97, "the page is nearly all white"
    assert problems == []
