"""The plain `pulumi up` a user runs after one was killed half way, and what it must say."""

from __future__ import annotations

import subprocess
import time

from tests.pulumi_engine import EngineProject


def finish_interrupted_up(project: EngineProject, stack: str, kind: str, name: str, unknown: bool, label: str) -> subprocess.CompletedProcess:
    """`up` through the launcher, nothing edited by hand: the killed CLI's stale lock is cleared
    and, when the kill left the `kind` `name` unknown to the state, its name is freed (the
    before-create hooks) and the interrupted create dropped (the launcher). Prints how long it took."""
    started = time.monotonic()
    recovered = project.up_as_a_user(stack)
    print(f"{label}: the next plain up took {time.monotonic() - started:.1f} s")
    assert "removed a stale lock of stack" in recovered.stderr, recovered.stderr[-3000:]
    if unknown:
        assert f"{kind} {name} (" in recovered.stdout and "interrupted" in recovered.stdout, recovered.stdout[-3000:]
        assert "cleared the interrupted create of" in recovered.stderr, recovered.stderr[-3000:]
    return recovered
