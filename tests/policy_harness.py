"""Feed what a program declares through the Moorings policy pack, the way the engine does.

The Pulumi CLI cannot run here, so this module plays the engine's side of the analyzer
protocol against pulumi_policy's own servicer: the object that `PolicyPack(...)` in
policies/__main__.py serves over gRPC when `pulumi preview --policy-pack policies` starts the
pack (`pack_servicer` runs that entry point and takes the servicer before the server starts).
Nothing on the pack's side is re-implemented:

1. `GetAnalyzerInfo` gives the policies, their default levels and config schemas;
2. the stack's policy config file is parsed and reconciled as the CLI does it
   (`--policy-pack-config`: schema defaults, then the file's levels and properties, `all`
   first), and validated against each policy's schema, as the CLI does before it starts;
3. `Configure` hands the result to the pack;
4. `Analyze` runs once per declared resource, with its inputs marshalled as the engine does
   for analyzers (unknowns as pulumi_policy's sentinels, secrets kept, `__` keys dropped),
   its type, name, URN, options (protect, parent...) and explicit provider;
5. `AnalyzeStack` runs once with every resource. The engine hands stack policies each
   resource's *outputs*; under the test mocks a custom resource's outputs are its inputs
   echoed back, and a component's are what it registered, so that is what is sent.

Differences from a real run, by construction: the provider's `Check` (defaults, autonaming)
does not run, so props hold exactly what the program set.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

import jsonschema
import pulumi
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer

from tests.harness import Declared, Run, run_program
from tests.stack_config import ROOT

POLICIES_DIR = ROOT / "policies"
LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "remediate": proto.REMEDIATE, "disabled": proto.DISABLED}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory
    resource: str  # the resource's name ("" when a stack policy names none)
    message: str  # what the rule reported (the diagnostic without its description line)
    text: str  # the diagnostic as the CLI prints it: description, newline, message


class PolicyConfigError(Exception):
    """The CLI would refuse this --policy-pack-config before running anything."""


def policy_config_file(stack: str) -> dict:
    return json.loads((POLICIES_DIR / "config" / f"{stack}.json").read_text())


class _Registered(Exception):
    pass


def pack_servicer() -> _PolicyAnalyzerServicer:
    """The servicer that policies/__main__.py serves to the engine: the entry point runs, and
    the servicer is taken as `PolicyPack(...)` registers it with its gRPC server, before the
    server starts."""
    served = []

    def register(servicer: _PolicyAnalyzerServicer, _server: Any) -> None:
        served.append(servicer)
        raise _Registered

    original = analyzer_pb2_grpc.add_AnalyzerServicer_to_server
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server = register
    try:
        runpy.run_path(str(POLICIES_DIR / "__main__.py"), run_name="__main__")
    except _Registered:
        pass
    finally:
        analyzer_pb2_grpc.add_AnalyzerServicer_to_server = original
    return served[0]


def analyze(run: Run, policy_config: Union[str, Mapping[str, Any], None] = None) -> list[Violation]:
    """Every diagnostic the pack reports for `run`, with `policy_config` (a stack name, whose
    policies/config/<stack>.json is read, or the config itself; None: the pack's defaults)."""
    if isinstance(policy_config, str):
        policy_config = policy_config_file(policy_config)
    servicer = pack_servicer()
    servicer.Configure(configure_request(servicer, policy_config or {}), None)

    by_urn = {r.urn: r for r in run.resources}
    violations = []
    for resource in run.resources:
        request = proto.AnalyzeRequest(type=resource.type, urn=resource.urn, name=resource.name)
        request.properties.update(_wire(resource.raw_inputs))
        request.options.CopyFrom(_options(resource))
        provider = _provider(resource, by_urn)
        if provider is not None:
            request.provider.CopyFrom(provider)
        response = servicer.Analyze(request, None)
        # The engine files every diagnostic of Analyze under the analyzed resource.
        violations += [_violation(d, resource.name) for d in response.diagnostics]

    stack = proto.AnalyzeStackRequest()
    for resource in run.resources:
        item = stack.resources.add(type=resource.type, urn=resource.urn, name=resource.name, parent=resource.parent)
        item.properties.update(_wire(run.component_outputs.get(resource.urn, resource.raw_inputs)))
        item.options.CopyFrom(_options(resource))
        item.dependencies.extend(resource.depends_on)
        provider = _provider(resource, by_urn)
        if provider is not None:
            item.provider.CopyFrom(provider)
    response = servicer.AnalyzeStack(stack, None)
    violations += [_violation(d, by_urn[d.urn].name if d.urn in by_urn else "") for d in response.diagnostics]
    return violations


def configure_request(servicer: _PolicyAnalyzerServicer, raw: Mapping[str, Any]) -> Any:
    """The ConfigureAnalyzerRequest the CLI sends for a --policy-pack-config file's content."""
    info = servicer.GetAnalyzerInfo(None, None)
    policies = {
        p.name: (LEVEL_NAMES[p.enforcementLevel], json_format.MessageToDict(p.configSchema)) for p in info.policies
    }
    # createConfigWithDefaults: each policy's level and its schema's defaults...
    config = {
        name: (level, {k: v["default"] for k, v in schema.get("properties", {}).items() if "default" in v})
        for name, (level, schema) in policies.items()
    }
    # ...then applyConfig: `all` first, then each entry's level and properties on top.
    given = _parse(raw)
    if "all" in given and given["all"][0]:
        config = {name: (given["all"][0], props) for name, (_, props) in config.items()}
    for name, (level, props) in given.items():
        old_level, old_props = config.get(name, (None, {}))
        config[name] = (level or old_level, {**(old_props or {}), **(props or {})})
    # validatePolicyPackConfig: each policy's properties against its schema.
    errors = []
    for name, (_, schema) in policies.items():
        if not schema:
            continue
        document_schema = {"type": "object", **{k: schema[k] for k in ("properties", "required") if k in schema}}
        for error in jsonschema.Draft7Validator(document_schema).iter_errors(config[name][1] or {}):
            errors.append(f"{name}: {error.message}")
    if errors:
        raise PolicyConfigError(errors)

    request = proto.ConfigureAnalyzerRequest()
    for name, (level, props) in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = LEVELS[level]
        if props:
            entry.properties.update(props)
    return request


def _parse(raw: Mapping[str, Any]) -> dict[str, tuple[Optional[str], Optional[dict]]]:
    """parsePolicyPackConfig: a level string, or an object with enforcementLevel and properties."""
    parsed = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise PolicyConfigError([f'parsing enforcement level for "{name}": "{value}" is not a valid enforcement level'])
            parsed[name] = (value, None)
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and level not in LEVELS:
                raise PolicyConfigError([f'parsing enforcement level for "{name}": "{level}" is not a valid enforcement level'])
            parsed[name] = (level, props or None)
        else:
            raise PolicyConfigError([f'parsing "{name}": {value!r} is not a valid value; must be a string or object'])
    return parsed


def _wire(value: Any) -> Any:
    """A property value as the engine marshals it for an analyzer."""
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return serialize_properties({"asset": value})["asset"]
    if isinstance(value, pulumi.Resource):
        raise TypeError("resource references in inputs are not supported by this adapter")
    return value


def _options(resource: Declared) -> Any:
    return proto.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=resource.ignore_changes,
        deleteBeforeReplace=resource.delete_before_replace,
        parent=resource.parent,
    )


def _provider(resource: Declared, by_urn: Mapping[str, Declared]) -> Optional[Any]:
    """The explicit provider the resource names (`urn::id`), when the program declared it."""
    declared = by_urn.get(resource.provider.rsplit("::", 1)[0]) if resource.provider else None
    if declared is None:
        return None
    provider = proto.AnalyzerProviderResource(type=declared.type, urn=declared.urn, name=declared.name)
    provider.properties.update(_wire(declared.raw_inputs))
    return provider


def _violation(diagnostic: Any, resource: str) -> Violation:
    prefix = diagnostic.description + "\n"
    text = diagnostic.message
    return Violation(
        policy=diagnostic.policyName,
        level=LEVEL_NAMES[diagnostic.enforcementLevel],
        resource=resource,
        message=text[len(prefix) :] if text.startswith(prefix) else text,
        text=text,
    )


def findings(violations: list[Violation], resource: str) -> list[tuple[str, str]]:
    """(policy, message) of every violation reported on one resource."""
    return [(v.policy, v.message) for v in violations if v.resource == resource]


def messages(violations: list[Violation], policy: str, resource: Optional[str] = None) -> list[str]:
    """The messages of one policy's violations (for one resource, if named)."""
    return [v.message for v in violations if v.policy == policy and (resource is None or v.resource == resource)]


def check(program: Any, policy_config: Union[str, Mapping[str, Any], None] = None, preview: bool = False) -> list[Violation]:
    """Run `program` under the mocks (as stack `test`) and feed it through the pack."""
    return analyze(run_program(program, stack="test", preview=preview), policy_config)
