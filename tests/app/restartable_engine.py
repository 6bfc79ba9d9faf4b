"""A Docker Engine a test module may restart: its own dockerd (tests/node_engine.py) in a network
namespace of its own, with the application images loaded from this machine's engine, so that
stopping it touches nothing else here. Its containers' name lookups are refused at once by a
server in the namespace (tests/refusing_dns.py): the namespace has no way out, and WordPress's
install page waited 10 s a name for the host's unreachable server. Sites it publishes on the
namespace's 127.0.0.1 are forwarded to this host's by the module (tests/netns_forward.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pytest

from tests.netns_lab import end_pids, in_netns, ip, netns_path, pids_in_netns
from tests.app.app_images import built_images
from tests.app.site_content import SiteUnderTest, assert_served
from tests.node_engine import NodeEngine
from tests.swarm_hosts import load_images
from tests.pulumi_engine import TIMEOUT, EngineProject, changed_steps, kill_with_plugins, require_engine
from tests.stack_config import ROOT

DNS = "198.18.99.1"  # RFC 2544's test range, on the namespace's loopback


@contextmanager
def restartable_engine(namespace: str, directory: Path, images: Mapping[str, str]) -> Iterator[NodeEngine]:
    """The engine, running, with `images` (role -> reference) loaded; stopped, with the namespace
    and its processes gone, on leaving, whatever happened."""
    if netns_path(namespace).exists():
        pytest.fail(f"network namespace {namespace} exists (left by an earlier run?): `ip netns del {namespace}` once nothing runs in it")
    ip("netns", "add", namespace)
    engine = NodeEngine(namespace, directory, namespace, options=("--dns", DNS))
    try:
        ip("-n", namespace, "link", "set", "lo", "up")
        ip("-n", namespace, "addr", "add", f"{DNS}/32", "dev", "lo")
        subprocess.Popen(in_netns(namespace, sys.executable, "-m", "tests.refusing_dns", DNS), cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        engine.start()
        engine.wait_until_ready()
        load_images(tuple(images.values()), engine)
        yield engine
    finally:
        engine.stop()
        engine.wait_stopped()
        engine.end_leftover_containers()
        end_pids(pids_in_netns(namespace), grace=5)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def module_engine(namespace: str, directory: Path, roles: Sequence[str]) -> Iterator[NodeEngine]:
    """A test module's engine fixture: the application images of `roles` loaded, all of them
    (role -> reference) on `engine.images`."""
    require_engine()
    images = built_images()
    with restartable_engine(namespace, directory, {role: images[role] for role in roles}) as engine:
        engine.images = images
        yield engine


def restart(engine: NodeEngine) -> float:
    """SIGTERM the engine (it stops its containers), start it again; the seconds it did not answer."""
    started = time.monotonic()
    engine.stop()
    engine.wait_stopped()
    engine.start()
    engine.wait_until_ready()
    return time.monotonic() - started


def restarted_during_up(project: EngineProject, stack: str, engine: NodeEngine, begun: Callable[[], bool],
                        within: float = 300, meanwhile: Callable[[], None] = lambda: None) -> tuple[float, int, list[str]]:
    """`up` (the CLI, as CI runs it), and the engine restarted as soon as `begun()` holds:
    (seconds the engine was down, that `up`'s exit code, its first lines naming an error).
    `meanwhile()` runs every second until that `up` ends: what a user watching it would do."""
    log = project.dir / "interrupted-up.log"
    with open(log, "w") as out:
        up = subprocess.Popen([*project.launcher, "pulumi", "up", "-s", stack, "--yes", "--skip-preview", "--non-interactive",
                               *project.policy_args(stack)], cwd=project.dir, env=project.env, stdout=out, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own group: killed with its plugins, never pytest
    try:
        deadline = time.monotonic() + within
        while not begun() and up.poll() is None:
            assert time.monotonic() < deadline, f"`up` did not reach the point of the restart within {within} s"
            time.sleep(0.2)
        assert up.poll() is None, f"`up` ended before the engine was restarted:\n{log.read_text()[-3000:]}"
        down = restart(engine)
        deadline = time.monotonic() + TIMEOUT
        while up.poll() is None and time.monotonic() < deadline:
            meanwhile()
            time.sleep(1)
        exit_code = up.wait(timeout=1)
    finally:
        if up.poll() is None:
            kill_with_plugins(up)
    said = [line for line in log.read_text().splitlines() if "error" in line.lower()][:3]
    return down, exit_code, said


def assert_a_plain_up_converges(site: SiteUnderTest, type_: str, on_engine: Callable[[], dict[str, str]],
                                expected: Sequence[str], label: str) -> None:
    """What a user does after the interrupted `up`: a plain one (the launcher). Then the objects of
    `type_` (name -> ID) are those of the state, `expected` by name, with no operation pending,
    nothing more to do, and the post served. Prints the seconds it took."""
    project, stack = site.project, site.stack
    started = time.monotonic()
    recovered = project.up_as_a_user(stack)
    print(f"{label}: the next plain up took {time.monotonic() - started:.1f} s")
    served = assert_served(site.url, site.published)
    print(f"{label}: the post served {served:.1f} s after that up")
    known = project.ids_by_name(stack, type_)
    assert sorted(known) == sorted(expected)
    assert on_engine() == known, (on_engine(), known, recovered.stdout[-2000:])
    assert not project.deployment(stack).get("pending_operations")
    assert changed_steps(project.preview_json(stack)) == []
