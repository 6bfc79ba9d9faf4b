"""Run a Pulumi program under mocks and record what the engine would receive.

`run_program(fn, config)` runs `fn` as a stack program (the way the engine runs __main__.py)
and returns every resource registration: type, name, parent, the inputs on the wire (camelCase
names, secrets still marked) and the resource options that matter here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings as runtime_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

PROJECT = "moorings"
SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def reveal(value: Any) -> Any:
    """The value with every secret marker removed (to assert on content)."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


@dataclass
class Declared:
    """One resource as the engine would receive it."""

    type: str
    name: str
    urn: str
    parent: str
    raw_inputs: dict  # secrets still wrapped
    protect: bool = False
    depends_on: list = field(default_factory=list)
    ignore_changes: list = field(default_factory=list)
    provider: str = ""
    delete_before_replace: bool = False
    delete_before_replace_set: bool = False
    """The program said so either way (an explicit False overrides the provider's own choice)."""
    replace_on_changes: list = field(default_factory=list)
    additional_secret_outputs: list = field(default_factory=list)
    custom: bool = True
    before_create: list = field(default_factory=list)
    """The resource hooks the engine runs before it creates the resource (callables, see `HookRecorder`)."""
    before_create_names: list = field(default_factory=list)
    """Their names: what the engine binds, and so what two runs compare (a hook made in a
    component is a new callable at every run)."""

    @property
    def inputs(self) -> dict:
        return reveal(self.raw_inputs)

    def input_is_secret(self, key: str) -> bool:
        return is_secret(self.raw_inputs.get(key))


@dataclass
class Run:
    resources: list[Declared]
    outputs: dict  # stack exports, secrets still wrapped
    component_outputs: dict  # urn -> registered outputs
    error: Optional[BaseException] = None

    def of_type(self, type_: str) -> list[Declared]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: Optional[str] = None) -> Declared:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Declared:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def children_of(self, parent: Declared) -> list[Declared]:
        return [r for r in self.resources if r.parent == parent.urn]

    def output(self, key: str) -> Any:
        return reveal(self.outputs[key])


class FakeOutputs(pulumi_mocks.Mocks):
    """Echo inputs back as outputs, plus the few computed outputs programs read."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        state = dict(args.inputs)
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = f"generated-{args.name}-" + "x" * int(args.inputs.get("length", 16))
        if args.typ == "docker:index/remoteImage:RemoteImage":
            state["imageId"] = f"sha256:{args.name}"
        if args.typ == "docker:index/image:Image":
            state["repoDigest"] = f"{args.inputs.get('imageName')}@sha256:{'0' * 64}"
        if args.typ in ("command:local:Command", "command:remote:Command"):
            state["stdout"] = f"stdout-of-{args.name}"  # what the script printed: a node ID, a token
            state["stderr"] = ""
        return f"{args.name}-id", state

    def call(self, args: pulumi_mocks.MockCallArgs):
        return {}, None


class HookRecorder:
    """Stands in for the SDK's callback server, which registers resource hooks with the engine:
    keeps each hook's function by name, so a test can call it as the engine would."""

    def __init__(self):
        self.registered: dict[str, Callable[..., Any]] = {}

    def register_resource_hook(self, hook: Any) -> None:
        self.registered[hook.name] = hook.callback


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi_mocks.Mocks, project: str, stack: str, hooks: "HookRecorder"):
        super().__init__(mocks)
        self.project, self.stack = project, stack
        self.hooks = hooks
        self.declared: list[Declared] = []
        self.outputs: dict[str, dict] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine names resources after its own stack; the SDK's mock asks the runtime settings,
        # which a registration made from another thread does not see (it then says stack::project).
        urn = super().make_urn(parent, type_, name)
        return "urn:pulumi:" + "::".join([self.stack, self.project] + urn.split("::")[2:])

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.declared.append(
                Declared(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    raw_inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    protect=bool(request.protect),
                    depends_on=sorted(request.dependencies),  # a set: the order is when each input resolved
                    ignore_changes=list(request.ignoreChanges),
                    provider=request.provider,
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    delete_before_replace_set=bool(request.deleteBeforeReplaceDefined),
                    replace_on_changes=list(request.replaceOnChanges),
                    additional_secret_outputs=list(request.additionalSecretOutputs),
                    custom=bool(request.custom),
                    before_create=[self.hooks.registered[name] for name in request.hooks.before_create],
                    before_create_names=list(request.hooks.before_create),
                )
            )
        return response

    def RegisterResourceOutputs(self, request):
        self.outputs[request.urn] = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        return super().RegisterResourceOutputs(request)


def run_program(
    program: Callable[[], Any],
    config: Optional[Mapping[str, Any]] = None,
    stack: str = "dev",
    secret_keys: Iterable[str] = (),
    preview: bool = False,
    capture_error: bool = False,
) -> Run:
    """Run `program` as stack `stack` of project moorings with `config` (keys without the
    `moorings:` prefix unless they carry their own namespace). Exceptions propagate, unless
    `capture_error`: then the run comes back with `error` set and what was declared before."""
    full_config = {
        (k if ":" in k else f"{PROJECT}:{k}"): (v if isinstance(v, str) else json.dumps(v))
        for k, v in (config or {}).items()
    }
    full_secret_keys = [k if ":" in k else f"{PROJECT}:{k}" for k in secret_keys]
    set_all_config(full_config, full_secret_keys)

    hooks = HookRecorder()
    monitor = RecordingMonitor(FakeOutputs(), PROJECT, stack, hooks)
    runtime_settings.ROOT.set(None)
    pulumi_mocks.set_mocks(FakeOutputs(), project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    runtime_settings.SETTINGS.callbacks = hooks
    # set_mocks installs a bare root stack; run the program in a fresh one, as the engine does,
    # so that its exports are registered as the stack's outputs.
    runtime_settings.ROOT.set(None)
    error: Optional[BaseException] = None
    try:
        _sync_await(run_in_stack(program))
    except Exception as raised:  # noqa: BLE001 - handed back to the caller who asked for it
        if not capture_error:
            raise
        error = raised

    stack_outputs = next(
        (outs for urn, outs in monitor.outputs.items() if "::pulumi:pulumi:Stack::" in urn), {}
    )
    return Run(monitor.declared, stack_outputs, monitor.outputs, error)


def plain_occurrences(value: Any, needle: str, path: str = "") -> list[str]:
    """Paths where `needle` appears in `value` outside a secret-marked subtree."""
    if is_secret(value):
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in plain_occurrences(v, needle, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plain_occurrences(v, needle, f"{path}[{i}]")]
    if isinstance(value, str) and needle in value:
        return [path or "."]
    return []


def differences(before: Run, after: Run) -> list[str]:
    """Everything that differs between two runs' registrations, one line per difference:
    a resource added or removed, an option changed, or an input changed at its wire path."""
    old = {r.urn: r for r in before.resources}
    new = {r.urn: r for r in after.resources}
    found = [f"+ {urn}" for urn in new if urn not in old] + [f"- {urn}" for urn in old if urn not in new]
    for urn in old.keys() & new.keys():
        a, b = vars(old[urn]), vars(new[urn])
        for key in a:
            if key == "before_create":
                continue  # compared by name (before_create_names)
            if key == "raw_inputs":
                found += [f"{urn} {path}: {x!r} -> {y!r}" for path, x, y in _value_differences(a[key], b[key], "")]
            elif a[key] != b[key]:
                found.append(f"{urn} ({key}): {a[key]!r} -> {b[key]!r}")
    return sorted(found)


def _value_differences(a: Any, b: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(a.keys() | b.keys()) for d in _value_differences(a.get(key), b.get(key), f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _value_differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [(path, a, b)]
