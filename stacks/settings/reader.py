"""Typed, validating access to one stack's raw config.

The reader is the only code that sees raw config. Every read names its key, so after the
settings are built the reader knows which keys the program understands and can reject the
rest (a typo such as `wordpress.replica` must not be silently ignored). Errors are collected
and raised together, so one `pulumi up` shows every bad value at once.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

_MISSING = object()


class ConfigError(ValueError):
    """Stack config that Moorings cannot deploy. Raised before any resource is declared."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid stack config ({len(self.problems)} problem(s)):\n{lines}")


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


class ConfigReader:
    """Reads keys of one namespace (the project's) from a flat `namespace:key -> value` map.

    Values arrive as the engine hands them over: scalars as strings, objects as JSON text.
    Paths use dots (`wordpress.replicas`), as `pulumi config set --path` does.
    """

    def __init__(
        self,
        raw: Mapping[str, Any],
        namespace: str,
        secret_keys: Iterable[str] = (),
    ):
        self.namespace = namespace
        self._tree: dict[str, Any] = {}
        self._secret_top_keys = {
            k.split(":", 1)[1] for k in secret_keys if k.startswith(namespace + ":")
        }
        for full_key, value in raw.items():
            ns, _, key = full_key.partition(":")
            if ns == namespace:
                self._tree[key] = _decode(value)
        self._known: set[str] = set()
        self._open: set[str] = set()
        self.problems: list[str] = []

    # -- raw navigation -------------------------------------------------------------------

    def _lookup(self, path: str) -> Any:
        node: Any = self._tree
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def _take(self, path: str) -> Any:
        """The raw value at `path` (or _MISSING), the key now counted as one the program reads."""
        self._known.add(path)
        return self._lookup(path)

    def fail(self, path: str, value: Any, accepted: str) -> None:
        """Record a problem in the one format every config error uses."""
        self.problems.append(
            f"{self.namespace}:{path} = {_show(value)} is not accepted: expected {accepted}"
        )

    def lenient(self) -> "ConfigReader":
        """A view on the same config that records which keys are read but keeps no problems.

        For the settings of a platform the stack does not deploy to: a typo in their key names
        is still caught (the views share the known keys), their values are not judged.
        """
        view = copy.copy(self)
        view.problems = []
        return view

    # -- typed readers --------------------------------------------------------------------

    def integer(
        self,
        path: str,
        default: int,
        minimum: Optional[int] = None,
        maximum: Optional[int] = None,
    ) -> int:
        raw = self._take(path)
        if raw is _MISSING:
            return default
        return self.parse_integer(path, raw, default, minimum, maximum)

    def parse_integer(
        self,
        path: str,
        raw: Any,
        default: int,
        minimum: Optional[int] = None,
        maximum: Optional[int] = None,
    ) -> int:
        accepted = "a whole number"
        if minimum is not None and maximum is not None:
            accepted += f" from {minimum} to {maximum}"
        elif minimum is not None:
            accepted += f" of at least {minimum}"
        value: Optional[int] = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
            value = int(raw.strip())
        if (
            value is None
            or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
        ):
            self.fail(path, raw, accepted)
            return default
        return value

    def boolean(self, path: str, default: bool) -> bool:
        raw = self._take(path)
        if raw is _MISSING:
            return default
        return self.parse_boolean(path, raw, default)

    def parse_boolean(self, path: str, raw: Any, default: bool) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        self.fail(path, raw, "true or false")
        return default

    def string(
        self,
        path: str,
        default: str,
        choices: Optional[Sequence[str]] = None,
        check: Optional[Callable[[str], Optional[str]]] = None,
    ) -> str:
        """A string; `check` returns None when the value is fine, else what is accepted."""
        raw = self._take(path)
        if raw is _MISSING:
            return default
        return self.parse_string(path, raw, default, choices, check)

    def parse_string(
        self,
        path: str,
        raw: Any,
        default: str,
        choices: Optional[Sequence[str]] = None,
        check: Optional[Callable[[str], Optional[str]]] = None,
    ) -> str:
        raw = _as_text(raw)
        if not isinstance(raw, str) or not raw:
            self.fail(path, raw, "a non-empty string")
            return default
        if choices is not None and raw not in choices:
            self.fail(path, raw, "one of " + ", ".join(choices))
            return default
        if check is not None:
            accepted = check(raw)
            if accepted is not None:
                self.fail(path, raw, accepted)
                return default
        return raw

    def optional_string(
        self,
        path: str,
        check: Optional[Callable[[str], Optional[str]]] = None,
    ) -> Optional[str]:
        """A string that may stay unset: None when absent or "" (the default Pulumi.yaml
        declares for such keys, since a declared key without a default is required)."""
        raw = self._take(path)
        if raw is _MISSING or raw == "":
            return None
        return self.parse_string(path, raw, "", check=check) or None

    def secret(self, path: str) -> Optional[str]:
        """A value that must have been set with `pulumi config set --secret`.

        Returns the plain text for the caller to wrap as a Pulumi secret at once; a value
        set without --secret is refused, since it already sits in plain text in the stack file.
        """
        raw = self._take(path)
        if raw is _MISSING:
            return None
        top = path.split(".", 1)[0]
        if top not in self._secret_top_keys:
            self.problems.append(
                f"{self.namespace}:{path} is set in plain text: expected a secret; "
                f"set it with `pulumi config set --secret {path} <value>`"
            )
            return None
        if not isinstance(raw, str) or not raw:
            self.problems.append(f"{self.namespace}:{path} is not accepted: expected a non-empty secret string")
            return None
        return raw

    def mapping(self, path: str) -> dict[str, Any]:
        """An object whose keys are the user's own (for example `services.<name>`).

        The caller validates each entry; the reader treats everything below as known.
        """
        self._open.add(path)
        raw = self._lookup(path)
        if raw is _MISSING:
            return {}
        if not isinstance(raw, dict):
            self.fail(path, raw, "an object (set entries with `pulumi config set --path`)")
            return {}
        return raw

    def sequence(self, path: str) -> list[Any]:
        """A list whose items the caller validates (for example `swarm.hosts`)."""
        self._open.add(path)
        raw = self._lookup(path)
        if raw is _MISSING:
            return []
        if not isinstance(raw, list):
            self.fail(path, raw, "a list")
            return []
        return raw

    # -- closing checks -------------------------------------------------------------------

    def unknown_keys(self) -> list[str]:
        """Every leaf path in config that no reader asked for."""
        found: list[str] = []

        def walk(node: Any, prefix: str) -> None:
            if prefix in self._known or prefix in self._open:
                return
            if isinstance(node, dict) and node and any(
                k.startswith(prefix + ".") for k in self._known | self._open
            ):
                for key, child in node.items():
                    walk(child, f"{prefix}.{key}")
                return
            found.append(prefix)

        for key, value in self._tree.items():
            walk(value, key)
        return sorted(found)

    def finish(self) -> None:
        """Raise one ConfigError for every problem seen, including unknown keys."""
        known = sorted(self._known | self._open)
        for path in self.unknown_keys():
            close = difflib.get_close_matches(path, known, n=1)
            hint = f"did you mean {close[0]}?" if close else "see the config reference in docs/operators/configuration.md"
            self.problems.append(
                f"{self.namespace}:{path} is not a Moorings setting: expected a known key ({hint})"
            )
        if self.problems:
            raise ConfigError(self.problems)


def _as_text(value: Any) -> Any:
    """A string setting as the user wrote it. The CLI stores values set by path (`config set
    --path`, and Pulumi.yaml defaults of nested keys) as numbers or booleans when they look like
    one, so a CPU limit of "1" arrives as 1."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value


def _decode(value: Any) -> Any:
    """Objects and lists arrive as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
