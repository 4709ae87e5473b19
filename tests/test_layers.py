"""The import layers in pyproject.toml ([tool.importlinter]) hold for the whole tree."""

from __future__ import annotations

from pathlib import Path

import importlinter.cli  # noqa: F401  (configures import-linter's adapters on import)
import pytest
from importlinter.application import use_cases

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_runs_against_the_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The use case, not ``cli.lint_imports``: that one reconfigures logging for the whole
    # process and silences every logger created before it (the app's among them).
    monkeypatch.chdir(ROOT)
    assert use_cases.lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None)
