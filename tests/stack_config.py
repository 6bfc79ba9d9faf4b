"""The config a committed stack runs with: Pulumi.yaml defaults merged under the stack file,
the way the Pulumi CLI merges them before it starts the program."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "moorings"


def project_file() -> dict:
    return _parsed(ROOT / "Pulumi.yaml")


def stack_file(stack: str) -> dict:
    return _parsed(ROOT / "stacks" / f"Pulumi.{stack}.yaml")


def _parsed(path: Path) -> dict:
    return copy.deepcopy(_parse(path))


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> dict:
    # Parsed once per test session (with libyaml when present): most stack runs read these files.
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def committed_stacks() -> list[str]:
    return sorted(p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def stack_config(stack: str) -> dict[str, Any]:
    """`moorings:key -> value` for stack `stack`, project defaults applied by path."""
    config = copy.deepcopy(stack_file(stack).get("config") or {})
    for key, declaration in (project_file().get("config") or {}).items():
        if "default" not in declaration:
            continue
        top, *rest = key.split(".")
        full_top = f"{PROJECT}:{top}"
        if not rest:
            config.setdefault(full_top, declaration["default"])
            continue
        node = config.setdefault(full_top, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(rest[-1], declaration["default"])
    return config
