"""The ``reproduce`` command: the validation table against published models."""

from __future__ import annotations

from .cli import app  # noqa: F401
