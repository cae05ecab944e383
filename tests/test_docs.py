"""Docs cannot drift from the code: commands, modules and the recorded score are checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from huiqi.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *DOCS.glob("*.md")])


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


@pytest.mark.parametrize("command", [c.name or c.callback.__name__ for c in app.registered_commands])
def test_every_command_has_help_and_a_documented_example(command: str) -> None:
    docs = _all_docs()
    assert f"huiqi {command}" in docs or f"make {command}" in docs
    cmd = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == command)
    assert cmd.callback.__doc__ and cmd.callback.__doc__.strip()


def test_every_extract_module_is_described_in_the_architecture() -> None:
    arch = (DOCS / "architecture.md").read_text(encoding="utf-8")
    for module in (ROOT / "src" / "huiqi" / "extract").glob("*.py"):
        if module.name != "__init__.py":
            assert f"extract/{module.name}" in arch, module.name


def test_every_model_is_in_the_glossary() -> None:
    glossary = (DOCS / "glossary.md").read_text(encoding="utf-8")
    source = (ROOT / "src" / "huiqi" / "extract" / "model.py").read_text(encoding="utf-8")
    for name in re.findall(r"^class (\w+)\(_Model\)", source, re.M):
        assert f"`{name}`" in glossary, name


@pytest.mark.seeds
def test_recorded_extraction_score_is_current() -> None:
    recorded = (DOCS / "extraction-score.md").read_text(encoding="utf-8")
    last = re.findall(r"^incentives: found .*$", recorded, re.M)[-1]
    fresh = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extraction_score.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert last in fresh, "run `make score` to record the current figures in docs/extraction-score.md"


@pytest.mark.parametrize("command", ["generate", "kinds", "map-kind"])
def test_every_registry_subcommand_is_documented(command: str) -> None:
    assert f"huiqi registry {command}" in _all_docs()


def test_every_stored_table_is_in_the_glossary() -> None:
    glossary = (DOCS / "glossary.md").read_text(encoding="utf-8")
    source = (ROOT / "src" / "huiqi" / "db" / "models.py").read_text(encoding="utf-8")
    for name in re.findall(r"^class (\w+)\((?:_Provenance, )?Base\)", source, re.M):
        assert f"`{name}`" in glossary or f"`{name}." in glossary, name
