"""The layering rule of design.md, checked by import-linter (`[tool.importlinter]` in
pyproject.toml): cogs -> bot.discord -> core, no cycles. These tests keep the contracts honest:
they run them, and they fail when a new core module is left out of the contract that fences it.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parents[2]
# The two parts of bot/ that are not core: the Discord layer and the process entry point.
NOT_CORE = {"bot.discord", "bot.__main__"}


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_every_core_module_is_fenced_off_from_discord() -> None:
    core = next(c for c in _contracts() if "discord" in c.get("forbidden_modules", []))
    modules = {f"bot.{m.name}" for m in pkgutil.iter_modules(bot.__path__)}
    assert set(core["source_modules"]) == modules - NOT_CORE  # type: ignore[arg-type]


def test_every_core_module_has_its_place_in_the_layers() -> None:
    """A new core module must be given a layer: otherwise nothing checks what it may import,
    nor who may import it."""
    layers = next(c for c in _contracts() if c.get("type") == "layers")
    placed = {f"bot.{name.strip()}" for layer in layers["layers"]  # type: ignore[attr-defined]
              for name in layer.replace(":", "|").split("|")}
    modules = {f"bot.{m.name}" for m in pkgutil.iter_modules(bot.__path__)}
    assert modules - NOT_CORE == placed


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
