"""Platform swarm settings (`swarm.*`). Filled in by the Swarm issue."""

from __future__ import annotations

from dataclasses import dataclass

from stacks.settings.reader import ConfigReader


@dataclass(frozen=True)
class SwarmSettings:
    pass


def read_swarm(reader: ConfigReader) -> SwarmSettings:
    return SwarmSettings()
