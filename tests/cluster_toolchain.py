"""The cluster tier's binaries and the Kubernetes provider may still be building when the tests
start: scripts/setup.sh with MOORINGS_CLUSTER_BUILD=background (as .ci/run) builds them beside the
other tiers' tests. The first cluster test, and each module marked `kubernetes_provider`, waits here
for that build; a failed build fails it with the build's words."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.stack_config import ROOT

CLUSTER_BUILD = ROOT / "scripts" / "cluster_build.sh"
WAIT_LIMIT = 3600  # seconds: a cold build of the cluster parts alone takes about 10 min on 2 cores


def build_dir() -> Path:
    """scripts/cluster_build.sh's folder: its state, log, and the seconds the tests waited."""
    return Path(os.environ.get("MOORINGS_CLUSTER_BUILD_DIR", ROOT / "toolchain" / ".cluster-build"))


def build_status() -> str:
    """running PID, done, or failed RC; done when none was started (the set-up built everything)."""
    state = build_dir() / "state"
    return state.read_text().strip() if state.exists() else "done"


def building_in_the_background() -> bool:
    return build_status().startswith("running")


def wait_for_cluster_toolchain() -> None:
    """Returns at once unless a background build is running; then waits until it ends."""
    status = build_status()
    if status == "done":
        return
    if not status.startswith("running"):
        pytest.fail(f"the background build of the cluster toolchain ended: {status} (log: {build_dir() / 'log'}); "
                    "`bash scripts/setup.sh` builds it again")
    started = time.monotonic()
    ended = subprocess.run(["bash", str(CLUSTER_BUILD), "wait", str(WAIT_LIMIT)], capture_output=True, text=True)
    waited = f"{time.monotonic() - started:.0f}"
    (build_dir() / "waited").write_text(waited + "\n")  # .ci/run prints it
    print(f"cluster toolchain: waited {waited} s for its background build")
    if ended.returncode != 0:
        pytest.fail(f"the background build of the cluster toolchain did not finish: {ended.stderr.strip()}")
