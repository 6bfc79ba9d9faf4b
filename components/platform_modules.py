"""Platform-specific code lives in one module per platform, imported on first use."""

from __future__ import annotations

import importlib

PLATFORMS = ("docker", "swarm", "kubernetes")


def load_platform_module(package: str, platform: str) -> None:
    """Import `<package>.<platform>`, which registers its implementation on import."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}: expected one of {', '.join(PLATFORMS)}")
    importlib.import_module(f"{package}.{platform}")
