"""tests/netns_lab.descendants: what a killed `up` must take down with it (tests/pulumi_engine.py,
kill_with_plugins), the CLI's plugins included, which it starts in sessions of their own."""

import os
import subprocess
import time

from tests.netns_lab import alive, descendants, kill_after


def command(pid: int) -> str:
    return open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()


def test_a_child_in_a_session_of_its_own_and_its_child_are_found_and_nothing_else():
    parent = subprocess.Popen(["sh", "-c", "setsid sh -c 'sleep 300; true' & sleep 300"])
    found: list[int] = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = descendants(parent.pid)
            if sorted(map(command, found)) == ["sh", "sleep", "sleep"]:
                break
            time.sleep(0.05)
        assert sorted(map(command, found)) == ["sh", "sleep", "sleep"], found
        (own_session,) = [pid for pid in found if command(pid) == "sh"]
        assert os.getsid(own_session) != os.getsid(parent.pid)
        assert parent.pid not in found and os.getpid() not in found
    finally:
        kill_after(descendants(parent.pid) + [parent.pid], 0)
        parent.wait(timeout=10)
    time.sleep(0.2)
    assert not any(alive(pid) for pid in found)
