"""Dispatch to the composition for the configured platform (stacks/platforms/<platform>.py).

Each platform module has `compose(settings)`: it declares the components and exports the
stack outputs. Adding a platform is adding a module and its line in COMPOSITIONS.
"""

from __future__ import annotations

from typing import Callable

import pulumi

from stacks.platforms import docker, kubernetes, swarm
from stacks.settings import ConfigError, Settings

COMPOSITIONS: dict[str, Callable[[Settings], None]] = {
    "docker": docker.compose,
    "swarm": swarm.compose,
    "kubernetes": kubernetes.compose,
}


def compose(settings: Settings) -> None:
    if settings.platform not in COMPOSITIONS:
        raise ConfigError(
            [
                f"moorings:platform = {settings.platform!r} is not built yet: "
                f"expected one of {', '.join(sorted(COMPOSITIONS))}"
            ]
        )
    COMPOSITIONS[settings.platform](settings)
    pulumi.export("platform", settings.platform)
