"""scripts/install_plugins.sh with the real CLI, into a plugin cache of the test's own: the provider
plugins among the modules it is given, at their pinned releases, the other modules ignored; a second
run leaves what is there (scripts/setup.sh and the background build both run it)."""

from __future__ import annotations

import os
import subprocess
from importlib.metadata import version

import pytest

from tests.pulumi_engine import TOOLCHAIN_BIN, require_engine
from tests.stack_config import ROOT

pytestmark = pytest.mark.engine

SCRIPT = ROOT / "scripts" / "install_plugins.sh"


def install(home, *modules: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *modules], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PULUMI_HOME": str(home)})


def test_the_built_plugin_is_installed_at_its_pinned_release_and_other_modules_are_ignored(tmp_path):
    require_engine()
    release = version("pulumi-random")
    first = install(tmp_path, "random", "etcd")
    assert first.returncode == 0, first.stderr
    assert f"setup: plugin resource-random v{release} installed" in first.stdout
    folders = sorted(p.name for p in (tmp_path / "plugins").iterdir() if p.is_dir())
    assert folders == [f"resource-random-v{release}"]
    installed = tmp_path / "plugins" / folders[0] / "pulumi-resource-random"
    assert installed.read_bytes() == (TOOLCHAIN_BIN / "pulumi-resource-random").read_bytes()
    again = install(tmp_path, "random")
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr
