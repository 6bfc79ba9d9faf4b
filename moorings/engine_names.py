"""Names an interrupted `up` cannot block: Docker containers and networks under fixed names, Swarm
services under fixed names, Swarm secrets and configs under names of their content (swarm_objects).

When `up` is killed (SIGKILL, a reboot, a cancelled CI job) while the provider creates one of
them, the engine has it and the state does not: the next `up`'s create fails on the name
("Conflict. The container name ... is already in use", "network with name ... already exists",
"name conflicts with an existing object", "AlreadyExists"), and the CLI cannot clear that
without a person.

So each of them gets a hook that runs just before the provider creates it, on the engine the
provider talks to (`docker_host`; None: DOCKER_HOST's): what is already there under the name and
is what the create makes (MADE_BY) is removed, with a warning naming it, and the create goes on.
- A container or a service is the create's when it runs the same image with every variable of
  the create's environment; a network, when it has the same driver and every label of the create's.
- A secret's or config's name carries a digest of its content: the same name is the same content.
Anything else under the name is left alone, and named; the create then fails on the name. Where
the engine refuses the removal (a secret a service uses, a network a container is on), that is
said, and it stays. The hook never runs in a preview, nor for an object the state knows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any, Callable, Mapping, Optional

import pulumi

from moorings.engine_hooks import hooks_run_here

INSPECT_TIMEOUT = 60  # seconds: the engine answers in milliseconds; never hang `up`

Inspect = Callable[[str, str], Optional[dict]]
"""(kind, name) -> `docker <kind> inspect`'s object, or None."""
Remove = Callable[[str, str], Optional[str]]
"""(kind, ID) -> None once removed, else the engine's reason."""
MadeBy = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
"""(what the engine has, the create's inputs) -> whether the create made it."""


def _image(reference: str) -> str:
    """Swarm pins a service's image to its digest when it can resolve one: compare the tags."""
    return reference.split("@", 1)[0]


def container_made_by_this_create(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """The same name, the same image (the ID or the reference), and every variable of `envs` as given."""
    config = found.get("Config") or {}
    if found.get("Name", "").lstrip("/") != inputs.get("name"):
        return False
    if inputs.get("image") not in (found.get("Image"), config.get("Image")):
        return False
    return set(inputs.get("envs") or []) <= set(config.get("Env") or [])


def service_made_by_this_create(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """The same name, the same image (digest stripped), and every variable of the task's env as given."""
    spec = found.get("Spec") or {}
    running = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    wanted = (inputs.get("taskSpec") or {}).get("containerSpec") or {}
    if spec.get("Name") != inputs.get("name"):
        return False
    if _image(running.get("Image", "")) != _image(wanted.get("image", "")):
        return False
    env = wanted.get("env") or {}
    return {f"{key}={value}" for key, value in env.items()} <= set(running.get("Env") or [])


def network_made_by_this_create(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """The same name, the same driver (bridge unless given), and every label of the create's."""
    if found.get("Name") != inputs.get("name") or found.get("Driver") != (inputs.get("driver") or "bridge"):
        return False
    wanted = {label.get("label"): label.get("value") for label in inputs.get("labels") or []}
    return wanted.items() <= (found.get("Labels") or {}).items()


def content_named(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """A secret or config: the same name is the same content."""
    return (found.get("Spec") or {}).get("Name") == inputs.get("name")


MADE_BY: dict[str, MadeBy] = {
    "container": container_made_by_this_create,
    "network": network_made_by_this_create,
    "service": service_made_by_this_create,
    "secret": content_named,
    "config": content_named,
}
OTHERWISE = {"container": "another image or environment", "network": "another driver or labels",
             "service": "another image or environment", "secret": "another name", "config": "another name"}


def free_the_name(kind: str, inputs: Mapping[str, Any], inspect: Inspect, remove: Remove) -> Optional[str]:
    """Removes what an interrupted create of a `kind` left under the name in `inputs`; what it did, or None."""
    name = inputs.get("name")
    if not isinstance(name, str) or not name:
        return None
    found = inspect(kind, name)
    if found is None:
        return None
    ident = str(found.get("ID") or found.get("Id") or "?")
    if not MADE_BY[kind](found, inputs):
        return (
            f"{kind} {name} ({ident[:12]}) exists and is not the one this stack creates ({OTHERWISE[kind]}): "
            "left alone; remove or rename it, then run `pulumi up` again"
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
        # A container goes with its anonymous volumes (a carrier on MySQL's image has one for the
        # image's VOLUME); named volumes are never removed.
        forced = ["--force", "--volumes"] if kind == "container" else []
        done = self._docker(kind, "rm", *forced, ident)
        return None if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def freed_names(kind: str, label: str, docker_host: Optional[str] = None) -> pulumi.ResourceOptions:
    """Options with the before-create hook for objects of `kind` on that engine; `label` makes the
    hook's name unique in the program (the object's name, the secrets' prefix)."""
    if kind not in MADE_BY:
        raise ValueError(f"freed_names: kind {kind!r} is not one of {', '.join(MADE_BY)}")
    if not hooks_run_here():
        return pulumi.ResourceOptions()
    engine = Engine(docker_host)

    def free_the_names(args: pulumi.ResourceHookArgs) -> None:
        said = free_the_name(kind, args.new_inputs or {}, engine.inspect, engine.remove)
        if said:
            pulumi.log.warn(said)

    hook = pulumi.ResourceHook(f"free-{kind}-name-{label}", free_the_names)
    return pulumi.ResourceOptions(hooks=pulumi.ResourceHookBinding(before_create=[hook]))


def fixed_container_name(parent: pulumi.Resource, name: str, depends_on: Optional[list] = None) -> pulumi.ResourceOptions:
    """Options of a docker container named `name`: deleted before it is replaced (the provider asks
    for that on its own diffs only, not on `up --replace`), and its name freed of what an
    interrupted `up` left, on DOCKER_HOST's engine (the provider's on platform docker)."""
    return pulumi.ResourceOptions.merge(
        pulumi.ResourceOptions(parent=parent, delete_before_replace=True, depends_on=depends_on),
        freed_names("container", name),
    )
