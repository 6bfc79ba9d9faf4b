"""Property values as a review may show them: looked up by the engine's property paths, with
secrets, unknowns and secret-derived names masked."""

from __future__ import annotations

import json
import re
from typing import Any

from preview_review.model import SECRET_SIG, SECRET_TYPES, UNKNOWN, Change

SECRET = "[secret]"
UNKNOWN_TEXT = "(known after apply)"
ABSENT = "(none)"
_MISSING = object()
MISSING = _MISSING  # what lookup returns for a path that is not there
_PATH_PART = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.\[\]]+)')


def is_secret_type(change: Change) -> bool:
    return change.type in SECRET_TYPES


def lookup(inputs: Any, path: str) -> Any:
    """The value at an engine property path (`spec.template.spec.volumes[1].secret.secretName`),
    or `_MISSING`."""
    value = inputs
    for index, quoted, plain in _PATH_PART.findall(path):
        key: Any = int(index) if index else (quoted if quoted else plain)
        if isinstance(value, dict) and not isinstance(key, int) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return _MISSING
    return value


def is_secret(value: Any) -> bool:
    return value == SECRET or (isinstance(value, dict) and SECRET_SIG in value)


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def shown(change: Change, path: str, inputs: Any) -> str:
    """The value at `path` as the review prints it. A Secret's values, any value marked secret and
    any property that names a secret (a name derived from its content) print as [secret]."""
    if is_secret_type(change) or (change.named_after_secrets and path in ("metadata.name", "name")):
        return SECRET
    value = lookup(inputs, path) if inputs is not None else _MISSING
    if value is _MISSING:
        return ABSENT
    if "secret" in path.lower() or contains_secret(value):
        return SECRET
    if value == UNKNOWN:
        return UNKNOWN_TEXT
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."
