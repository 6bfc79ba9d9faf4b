"""Fixed container names that an interrupted `up` cannot block, on the docker platform.

Each container of a stack has a fixed name (`<prefix>-wordpress`, `<prefix>-mysql`, the secret
carriers, the backup container), so a replacement deletes the old one first. When `up` is killed
(SIGKILL, a reboot, a cancelled CI job) while the provider creates the new one, the engine
records nothing for it: the Docker Engine has a container under that name that the state does
not know, and the next `up`'s create fails with "Conflict. The container name ... is already in
use". The CLI only warns about the interrupted operation and cannot clear it without a person.

So every named container gets a hook that runs just before the engine creates it: a container
already there under that name, made from the same image with the same environment (what the
interrupted create was making), is removed, with a warning naming it, and the create goes on.
Anything else under the name (someone else's container) is left alone; the create then fails
with Docker's conflict, naming it. The hook never runs in a preview, nor for a container the
state knows (an update, or a replacement, whose old container the engine deletes first).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any, Callable, Mapping, Optional

import pulumi

from moorings.engine_hooks import hooks_run_here

INSPECT_TIMEOUT = 60  # seconds: the engine answers in milliseconds; never hang `up`

Inspect = Callable[[str], Optional[dict]]
Remove = Callable[[str], None]


def made_by_this_create(found: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """Whether the container `found` (`docker container inspect`) is what a create with `inputs`
    makes: the same name, the same image, and every variable of `envs` set as given."""
    config = found.get("Config") or {}
    if found.get("Name", "").lstrip("/") != inputs.get("name"):
        return False
    if inputs.get("image") not in (found.get("Image"), config.get("Image")):
        return False
    return set(inputs.get("envs") or []) <= set(config.get("Env") or [])


def free_the_name(inputs: Mapping[str, Any], inspect: Inspect, remove: Remove) -> Optional[str]:
    """Removes what an interrupted create left under the name in `inputs`; what it did, or None."""
    name = inputs.get("name")
    if not name:
        return None
    found = inspect(name)
    if found is None:
        return None
    if not made_by_this_create(found, inputs):
        return (
            f"container {name} ({found.get('Id', '?')[:12]}) exists and is not the one this stack "
            "creates (another image or environment): left alone; remove or rename it, then run `pulumi up` again"
        )
    remove(found["Id"])
    return (
        f"container {name} ({found['Id'][:12]}) was left by an interrupted `pulumi up` (not in the "
        "state): removed, and created again"
    )


def docker_inspect(name: str) -> Optional[dict]:
    """The container `name` on the engine the `docker` CLI reaches (DOCKER_HOST), or None."""
    if shutil.which("docker") is None:
        return None  # nothing to look with: the create itself reports any conflict
    done = subprocess.run(
        ["docker", "container", "inspect", name],
        capture_output=True, text=True, timeout=INSPECT_TIMEOUT, check=False,
    )
    if done.returncode != 0:
        return None
    found = json.loads(done.stdout)
    return found[0] if found else None


def docker_remove(container_id: str) -> None:
    """Removes the container and its anonymous volumes (a carrier on MySQL's image has one for the
    image's VOLUME); named volumes are never removed."""
    subprocess.run(
        ["docker", "container", "rm", "--force", "--volumes", container_id],
        capture_output=True, text=True, timeout=INSPECT_TIMEOUT, check=True,
    )


def _before_create(args: pulumi.ResourceHookArgs) -> None:
    said = free_the_name(args.new_inputs or {}, docker_inspect, docker_remove)
    if said:
        pulumi.log.warn(said)


def fixed_name(parent: pulumi.Resource, depends_on: Optional[list] = None) -> pulumi.ResourceOptions:
    """Options of a container with a fixed name: deleted before it is replaced (the provider asks
    for that on its own diffs only, not on `up --replace`), and its name freed of what an
    interrupted `up` left."""
    return pulumi.ResourceOptions(
        parent=parent,
        delete_before_replace=True,
        depends_on=depends_on,
        hooks=pulumi.ResourceHookBinding(before_create=[_before_create]) if hooks_run_here() else None,
    )
