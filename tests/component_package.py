"""The component package of provider/ as the tests reach it: its modules imported the way its
plugin imports them (provider/ first on sys.path, as when the language host runs the folder)."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from tests.stack_config import ROOT

PROVIDER_DIR = ROOT / "provider"
PACKAGE = "moorings"
TOKENS = {f"{PACKAGE}:index:{name}" for name in ("SecretBundle", "KubernetesCluster", "WordPressStack")}


def provider_module(name: str) -> ModuleType:
    """provider/<name>.py (adapters, schema_types, wire)."""
    if str(PROVIDER_DIR) not in sys.path:
        sys.path.insert(0, str(PROVIDER_DIR))
    return importlib.import_module(name)
