"""`from_wire`: the plain dict the component provider host passes, to Moorings' frozen dataclass.

The host (pulumi.provider.experimental) hands a component a dict with snake_case keys, integers
as floats, nested objects as dicts and lists as lists. The components take frozen dataclasses.
This is the one conversion between the two, driven by the dataclass's own field types, so a wire
face (schema_types.py) that drifts from its dataclass fails here, naming the key.
"""

import collections.abc
import dataclasses
import sys
import typing
from typing import Any, Mapping, TypeVar

import pulumi

T = TypeVar("T")

_SEQUENCES = (list, tuple, collections.abc.Sequence)


def from_wire(cls: type[T], wire: Mapping[str, Any], where: str = "") -> T:
    """`cls(**wire)` with each value converted to its field's type; absent or None keeps the default."""
    where = where or cls.__name__
    if not isinstance(wire, Mapping):
        raise TypeError(f"{where}: expected an object, got {type(wire).__name__}")
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(wire) - names)
    if unknown:
        raise ValueError(f"{where}: unknown input {', '.join(repr(key) for key in unknown)} (expected {', '.join(sorted(names))})")
    hints = {field.name: _hint(cls, field) for field in dataclasses.fields(cls)}
    values = {key: _convert(hints[key], value, f"{where}.{key}") for key, value in wire.items() if value is not None}
    return cls(**values)


def _hint(cls: type, field: dataclasses.Field) -> Any:
    """The field's type. Moorings' modules use `from __future__ import annotations`, so it is a string:
    evaluated in the module, one level only (typing.get_type_hints would also chase the forward
    references inside pulumi.Input, which no module can resolve)."""
    if not isinstance(field.type, str):
        return field.type
    return eval(field.type, vars(sys.modules[cls.__module__]))  # noqa: S307 - our own source's annotation


def _convert(hint: Any, value: Any, where: str) -> Any:
    if isinstance(value, pulumi.Output):  # an input from another resource: the component takes it as is
        return value
    hint = _without_none(hint)
    if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return from_wire(hint, value, where)
    if hint is int and isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{where}: {value} is not a whole number")
        return int(value)
    if typing.get_origin(hint) in _SEQUENCES and isinstance(value, (list, tuple)):
        # Frozen dataclasses hold tuples (hashable, like their defaults), never the wire's lists.
        item = typing.get_args(hint)[0] if typing.get_args(hint) else Any
        return tuple(_convert(item, element, f"{where}[{i}]") for i, element in enumerate(value))
    return value


def _without_none(hint: Any) -> Any:
    """Optional[X] -> X; any other union (pulumi.Input[...]) stays as it is."""
    if typing.get_origin(hint) is typing.Union:
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return hint
