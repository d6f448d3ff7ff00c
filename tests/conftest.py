"""Shared fixtures: a small stable scenario and helpers to write scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"


@pytest.fixture
def mini_path() -> Path:
    return MINI


@pytest.fixture
def mini_doc() -> dict:
    return yaml.safe_load(MINI.read_text())


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario document (dict or text) to a file and return its path."""

    def write(doc: dict | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False))
        return path

    return write
