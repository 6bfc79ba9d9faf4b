"""What every rule shares: a plain view of what the engine sends, unknown values, and how a
check function becomes a pulumi_policy Policy.

A rule is written as a *check*: a generator that reads a `Resource` (or every resource of the
stack) and yields violation messages. `resource_rule` and `stack_rule` turn a check into the
`ResourceValidationPolicy` / `StackValidationPolicy` that the policy pack registers, so the
checks themselves never touch pulumi_policy's proxies.

Unknown values. During `pulumi preview`, an input computed from another resource (an image id,
a generated password) is not known yet. pulumi_policy hands it over as a sentinel and raises
`UnknownValueError` when a rule reads it. `thaw` turns the props into plain data once, with an
`Unknown` object in place of each such value, so each rule decides explicitly, per field:
  - skip it (the value is checked elsewhere, or is harmless whatever it turns out to be), or
  - `ctx.defer(value)`: the rule finishes everything it can judge, reports that, then raises the
    first deferred `UnknownValueError`. pulumi_policy turns that into an *advisory* diagnostic
    ("can't run policy ... during preview: string value at .envs.0 can't be known during
    preview"); `pulumi up` runs the rule again with the value known, before the resource is
    created, at the rule's configured level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)

Path = tuple[Union[str, int], ...]


class Unknown:
    """A value that cannot be known during preview, with where it sits in the props."""

    def __init__(self, sentinel: str, path: Path):
        self.sentinel = sentinel
        self.path = path

    def error(self) -> UnknownValueError:
        return UnknownValueError(self.sentinel, [str(p) for p in self.path])

    def __repr__(self) -> str:
        return f"<unknown at {dotted(self.path)}>"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(value: Any) -> Optional[Unknown]:
    """The first unknown value anywhere inside `value`, or None."""
    if isinstance(value, Unknown):
        return value
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        found = first_unknown(item)
        if found is not None:
            return found
    return None


def thaw(value: Any, path: Path = ()) -> Any:
    """Plain dicts/lists from pulumi_policy's props, `Unknown` where a value is not known yet."""
    if isinstance(value, str):
        return Unknown(value, path) if value in _SENTINELS else value
    if isinstance(value, Mapping):
        result = {}
        for key in list(value):  # iterating keys never reads a value
            try:
                item = value[key]
            except UnknownValueError as unknown:
                result[key] = Unknown(unknown.unknown_type_sentinel, path + (key,))
                continue
            result[key] = thaw(item, path + (key,))
        return result
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError as unknown:
                items.append(Unknown(unknown.unknown_type_sentinel, path + (index,)))
                continue
            items.append(thaw(item, path + (index,)))
        return items
    return value


def dotted(path: Iterable[Union[str, int]]) -> str:
    """The wire path as users write it: spec.template.spec.containers[0].image."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def get(node: Any, *path: Union[str, int], default: Any = None) -> Any:
    """node[path...], `default` where a key or index is missing or null, the `Unknown` if a
    value on the way is unknown."""
    for key in path:
        if isinstance(node, Unknown):
            return node
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return default
        elif not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
        if node is None:
            return default
    return node


def items(node: Any) -> list:
    """The elements of a list field, [] when it is absent (an unknown list comes back as is)."""
    if isinstance(node, (list, Unknown)):
        return node if isinstance(node, list) else [node]
    return []


def number(value: Any) -> Optional[float]:
    """A number from the wire (every number arrives as a float), None if not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def show(value: Any) -> str:
    """A value as a message quotes it: 3, not 3.0; strings quoted."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it: its inputs (resource rules) or outputs (stack rules)."""

    type: str
    name: str
    urn: str
    props: dict
    protect: bool = False
    provider_props: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.type} '{self.name}'"

    def get(self, *path: Union[str, int], default: Any = None) -> Any:
        return get(self.props, *path, default=default)

    @classmethod
    def from_policy(cls, resource: Any) -> "Resource":
        """From a ResourceValidationArgs or a PolicyResource: both carry the same fields."""
        provider = getattr(resource, "provider", None)
        return cls(
            type=resource.resource_type,
            name=resource.name,
            urn=resource.urn,
            props=thaw(resource.props),
            protect=bool(resource.opts.protect),
            provider_props=thaw(provider.props) if provider is not None else {},
        )


class Context:
    """What a check gets besides the resource: the policy's config, and `defer`."""

    def __init__(self, config: Mapping[str, Any]):
        self.config = dict(config or {})
        self._deferred: list[Unknown] = []

    def defer(self, value: Unknown) -> None:
        """This value decides the verdict and is unknown: say so once the check is done."""
        self._deferred.append(value)

    def raise_deferred(self) -> None:
        if self._deferred:
            raise self._deferred[0].error()


ResourceCheck = Callable[[Resource, Context], Iterator[str]]
StackCheck = Callable[[list[Resource], Context], Iterator[tuple[Resource, str]]]


def resource_rule(
    name: str,
    description: str,
    check: ResourceCheck,
    severity: Severity,
    config_schema: Optional[PolicyConfigSchema] = None,
) -> ResourceValidationPolicy:
    """A policy that runs `check` on each resource, before the engine creates or updates it."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        ctx = Context(args.get_config())
        for message in check(Resource.from_policy(args), ctx):
            report_violation(message, None)
        ctx.raise_deferred()

    return ResourceValidationPolicy(name, description, validate, severity=severity, config_schema=config_schema)


def stack_rule(
    name: str,
    description: str,
    check: StackCheck,
    severity: Severity,
    config_schema: Optional[PolicyConfigSchema] = None,
) -> StackValidationPolicy:
    """A policy that runs `check` once on every resource of the stack (their outputs), at the
    end of a preview or an update."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        ctx = Context(args.get_config())
        resources = [Resource.from_policy(r) for r in args.resources]
        for resource, message in check(resources, ctx):
            report_violation(message, resource.urn)
        ctx.raise_deferred()

    return StackValidationPolicy(name, description, validate, severity=severity, config_schema=config_schema)
