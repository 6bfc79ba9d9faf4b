"""Swarm objects an interrupted `up` cannot block: services under fixed names, and secrets and
configs under names of their content (swarm_objects).

When `up` is killed (SIGKILL, a reboot, a cancelled CI job) while the provider creates one of
them, Swarm has it and the state does not: the next `up`'s create fails, "name conflicts with an
existing object" (a service) or "AlreadyExists" (a secret, a config), and the CLI cannot clear
that without a person. (moorings/wordpress_builders/docker_names.py does the same for the
containers of platform docker.)

So each of them gets a hook that runs just before the provider creates it, on the engine the
provider talks to (`docker_host`; None: DOCKER_HOST's): what is already there under the name and
is what the create makes is removed, with a warning naming it, and the create goes on.
- A service is the create's when it runs the same image with every variable of the create's env.
  Anything else under its name is left alone, and named; the create then fails on the name.
- A secret's or config's name carries a digest of its content: the same name is the same
  content. Swarm refuses to remove one a service uses; that is said, and it stays.
The hook never runs in a preview, nor for an object the state knows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any, Callable, Mapping, Optional

import pulumi

from moorings.engine_hooks import hooks_run_here

INSPECT_TIMEOUT = 60  # seconds: the engine answers in milliseconds; never hang `up`
KINDS = ("service", "secret", "config")

Inspect = Callable[[str, str], Optional[dict]]
"""(kind, name) -> `docker <kind> inspect`'s object, or None."""
Remove = Callable[[str, str], Optional[str]]
"""(kind, ID) -> None once removed, else the engine's reason."""


def _image(reference: str) -> str:
    """Swarm pins a service's image to its digest when it can resolve one: compare the tags."""
    return reference.split("@", 1)[0]


def service_made_by_this_create(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """Whether the service `found` is what a create with the provider's `inputs` makes."""
    spec = found.get("Spec") or {}
    running = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    wanted = (inputs.get("taskSpec") or {}).get("containerSpec") or {}
    if spec.get("Name") != inputs.get("name"):
        return False
    if _image(running.get("Image", "")) != _image(wanted.get("image", "")):
        return False
    env = wanted.get("env") or {}
    return {f"{key}={value}" for key, value in env.items()} <= set(running.get("Env") or [])


def free_the_name(kind: str, inputs: Mapping[str, Any], inspect: Inspect, remove: Remove) -> Optional[str]:
    """Removes what an interrupted create of a `kind` left under the name in `inputs`; what it did, or None."""
    name = inputs.get("name")
    if not isinstance(name, str) or not name:
        return None
    found = inspect(kind, name)
    if found is None:
        return None
    ident = str(found.get("ID", "?"))
    if kind == "service" and not service_made_by_this_create(found, inputs):
        return (
            f"service {name} ({ident[:12]}) exists and is not the one this stack creates (another image or "
            "environment): left alone; remove or rename it, then run `pulumi up` again"
        )
    refused = remove(kind, ident)
    if refused:
        return (
            f"{kind} {name} ({ident[:12]}) was left by an interrupted `pulumi up` (not in the state) and could "
            f"not be removed: {refused}; remove it (`docker {kind} rm {name}`), then run `pulumi up` again"
        )
    return f"{kind} {name} ({ident[:12]}) was left by an interrupted `pulumi up` (not in the state): removed, and created again"


class Engine:
    """The `docker` CLI against one engine: `docker_host` as `docker -H` takes it, or DOCKER_HOST's."""

    def __init__(self, docker_host: Optional[str] = None):
        self.docker_host = docker_host

    def _docker(self, *args: str) -> subprocess.CompletedProcess:
        host = ["-H", self.docker_host] if self.docker_host else []
        # No stdin: over SSH, never a prompt (the provider's own connection is BatchMode too).
        return subprocess.run(["docker", *host, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=INSPECT_TIMEOUT, check=False)

    def inspect(self, kind: str, name: str) -> Optional[dict]:
        if shutil.which("docker") is None:
            return None  # nothing to look with: the create itself reports any conflict
        done = self._docker(kind, "inspect", name)
        if done.returncode != 0:
            return None
        found = json.loads(done.stdout)
        return found[0] if found else None

    def remove(self, kind: str, ident: str) -> Optional[str]:
        done = self._docker(kind, "rm", ident)
        return None if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def freed_names(kind: str, label: str, docker_host: Optional[str]) -> pulumi.ResourceOptions:
    """Options with the before-create hook for objects of `kind` on that engine; `label` makes the
    hook's name unique in the program (the service's name, the secrets' prefix)."""
    if kind not in KINDS:
        raise ValueError(f"freed_names: kind {kind!r} is not one of {', '.join(KINDS)}")
    if not hooks_run_here():
        return pulumi.ResourceOptions()
    engine = Engine(docker_host)

    def free_swarm_name(args: pulumi.ResourceHookArgs) -> None:
        said = free_the_name(kind, args.new_inputs or {}, engine.inspect, engine.remove)
        if said:
            pulumi.log.warn(said)

    hook = pulumi.ResourceHook(f"free-swarm-{kind}-name-{label}", free_swarm_name)
    return pulumi.ResourceOptions(hooks=pulumi.ResourceHookBinding(before_create=[hook]))
