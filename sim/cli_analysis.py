"""Commands that compare policies and explore assumptions: compare, sweep, sensitivity,
discover."""

from __future__ import annotations

from .cli import app  # noqa: F401
