"""scripts/backups.sh, run as an operator runs it (on docker, or on swarm's manager)."""

from __future__ import annotations

import subprocess

from tests.stack_config import ROOT

BACKUPS = ROOT / "scripts" / "backups.sh"
SCRIPT_TIMEOUT = 660  # `now` waits at most 10 minutes for the backup


def backups(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(BACKUPS), *args], capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
