"""An `up` killed half way: the moment to kill it at, and the plain `pulumi up` a user runs after,
with what it must say."""

from __future__ import annotations

import subprocess
import threading
import time
from contextlib import contextmanager
from typing import Iterator

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


@contextmanager
def engine_made(kind: str, name_prefix: str) -> Iterator[threading.Event]:
    """Set the moment this machine's engine reports creating a `kind` (secret, config, service,
    network, container) named `name_prefix`*: `docker events` says so before the provider has its
    answer, so a kill then lands before the state can record the object."""
    events = subprocess.Popen(
        ["docker", "events", "--filter", f"type={kind}", "--filter", "event=create", "--format", "{{.Actor.Attributes.name}}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    made = threading.Event()

    def watch() -> None:
        for line in events.stdout:
            if line.strip().startswith(name_prefix):
                made.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        time.sleep(0.5)  # subscribed before the caller acts
        yield made
    finally:
        events.kill()
        events.wait()
        watcher.join(timeout=10)
