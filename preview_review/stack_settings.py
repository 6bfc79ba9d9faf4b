"""What a change to a stack file (stacks/Pulumi.<stack>.yaml) changes in its settings.

The preview shows what the engine will do, not which setting asked for it: the review compares
the stack file before and after (`--settings-before`, `--settings-after`) to catch a setting
that changes and moves nothing, such as `wordpress.replicas` while an autoscaler owns the count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

NAMESPACE = "moorings:"


@dataclass(frozen=True)
class SettingChange:
    key: str
    """`wordpress.replicas`, `services.demo.replicas`..."""
    before: str
    after: str


@dataclass(frozen=True)
class StackSettings:
    changes: tuple[SettingChange, ...] = ()
    after: dict[str, str] = field(default_factory=dict)
    """Every setting of the stack file after the change, as shown (secrets as [secret])."""


class SettingsUnreadable(ValueError):
    pass


def stack_settings(before: Optional[Path], after: Optional[Path]) -> StackSettings:
    """Nothing to compare unless both files are given."""
    if before is None or after is None:
        return StackSettings()
    old, new = _flat(before), _flat(after)
    changes = tuple(
        SettingChange(key, _shown(old.get(key)), _shown(new.get(key)))
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    )
    return StackSettings(changes, {key: _shown(value) for key, value in new.items()})


def _flat(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsUnreadable(f"cannot read stack settings {path}: {error}") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return {}
    flat: dict[str, Any] = {}
    for key, value in config.items():
        _walk(str(key).removeprefix(NAMESPACE), value, flat)
    return flat


def _walk(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, dict) and "secure" not in value:
        for key, child in value.items():
            _walk(f"{prefix}.{key}", child, into)
    else:
        into[prefix] = value


def _shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, dict) and "secure" in value:
        return "[secret]"
    return str(value).lower() if isinstance(value, bool) else str(value)
