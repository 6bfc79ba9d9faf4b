"""The config a committed stack runs with: Pulumi.yaml defaults merged under the stack file,
the way the Pulumi CLI merges them before it starts the program."""

from __future__ import annotations

import copy
import re
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


def cli_path_value(value: Any) -> Any:
    """A Pulumi.yaml default of a nested key as the CLI stores it: formatted as text (Go's %v),
    then set by path, which turns "true"/"false" into booleans and digit strings that do not
    start with 0 into integers (pulumi/sdk go/common/resource/config/object.go, coerce).
    The engine tier checks this against what the real CLI hands the program."""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[1-9]\d*|0", text):
        return int(text)
    return text


def stack_config(stack: str) -> dict[str, Any]:
    """`moorings:key -> value` for stack `stack`, project defaults applied by path, the values
    typed as the CLI types them."""
    config = copy.deepcopy(stack_file(stack).get("config") or {})
    for key, declaration in (project_file().get("config") or {}).items():
        if "default" not in declaration:
            continue
        top, *rest = key.split(".")
        full_top = f"{PROJECT}:{top}"
        if not rest:  # a top-level key is set as the text of its default, never coerced
            default = declaration["default"]
            text = ("true" if default else "false") if isinstance(default, bool) else str(default)
            config.setdefault(full_top, text)
            continue
        node = config.setdefault(full_top, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(rest[-1], cli_path_value(declaration["default"]))
    return config
