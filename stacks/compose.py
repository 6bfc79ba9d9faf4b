"""Dispatch to the composition for the configured platform (stacks/platforms/<platform>.py).

Each platform module has `compose(settings)`: it declares the components and exports the
stack outputs. Adding a platform is adding a module; nothing here changes.
"""

from __future__ import annotations

import importlib
import pkgutil

import pulumi

from stacks import platforms
from stacks.settings import ConfigError, Settings


def compose(settings: Settings) -> None:
    try:
        platform = importlib.import_module(f"stacks.platforms.{settings.platform}")
    except ModuleNotFoundError as missing:
        if missing.name != f"stacks.platforms.{settings.platform}":
            raise
        built = sorted(module.name for module in pkgutil.iter_modules(platforms.__path__))
        raise ConfigError(
            [f"moorings:platform = {settings.platform!r} is not built yet: expected one of {', '.join(built)}"]
        ) from None
    platform.compose(settings)
    pulumi.export("platform", settings.platform)
