"""Platform kubernetes settings (`kubernetes.*`). Filled in by the Kubernetes issue."""

from __future__ import annotations

from dataclasses import dataclass

from stacks.settings.reader import ConfigReader


@dataclass(frozen=True)
class KubernetesSettings:
    pass


def read_kubernetes(reader: ConfigReader, stack: str) -> KubernetesSettings:
    return KubernetesSettings()
