"""Run a kubernetes stack program under mocks and read what the Kubernetes provider receives.

`deploy("staging", {"wordpress.replicas": 3})` runs __main__.py with the committed config of
stack staging, changed at the given dotted paths (None removes a key). `manifests(run)` gives
the Kubernetes objects as the provider would apply them: apiVersion, kind, metadata, spec...
"""

from __future__ import annotations

import functools
import json
import runpy
from typing import Any, Mapping, Optional

from tests.harness import Run, run_program
from tests.stack_config import PROJECT, ROOT, stack_config

PROVIDER = "pulumi:providers:kubernetes"


def config_with(stack: str, changes: Optional[Mapping[str, Any]] = None) -> dict:
    config = stack_config(stack)
    for path, value in (changes or {}).items():
        top, *rest = path.split(".")
        key = f"{PROJECT}:{top}"
        if not rest:
            _assign(config, key, value)
            continue
        node = config.setdefault(key, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        _assign(node, rest[-1], value)
    return config


def run_stack(stack: str, changes: Optional[Mapping[str, Any]] = None, **options) -> Run:
    """Run the stack program now (for a test that changes the environment first)."""
    return run_program(
        lambda: runpy.run_path(str(ROOT / "__main__.py")), config_with(stack, changes), stack=stack, **options
    )


def deploy(stack: str = "staging", changes: Optional[Mapping[str, Any]] = None, **options) -> Run:
    """One run per distinct stack, changes and options, shared by every test that asks for it:
    a Run is a record that tests only read, and the program depends on nothing else."""
    return _deploy(stack, json.dumps(changes or {}, sort_keys=True), json.dumps(options, sort_keys=True))


@functools.lru_cache(maxsize=None)
def _deploy(stack: str, changes: str, options: str) -> Run:
    return run_stack(stack, json.loads(changes), **json.loads(options))


def kubernetes_objects(run: Run):
    """The Declared Kubernetes objects (not the provider itself)."""
    return [r for r in run.resources if r.type.startswith("kubernetes:")]


def manifests(run: Run) -> list[dict]:
    """Each object's inputs, secrets revealed, numbers as JSON has them (3, not 3.0)."""
    return [_whole_numbers(r.inputs) for r in kubernetes_objects(run)]


def find(objects: list[dict], kind: str, name: str) -> dict:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def container(workload: dict) -> dict:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def _assign(node: dict, key: str, value: Any) -> None:
    if value is None:
        node.pop(key, None)
    else:
        node[key] = value


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value
