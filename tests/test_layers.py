"""The layering rules in pyproject.toml hold: no Qt below ui, imports point one way."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    command = shutil.which("lint-imports")
    assert command, "import-linter is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_domain_imports_without_qt_or_peewee():
    code = (
        "import sys, desktop_helpdesk.domain.sla, desktop_helpdesk.domain.policy;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'peewee')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
