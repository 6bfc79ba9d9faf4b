"""A docker stack of the application tier under a name of its own (never `dev` or `swarm`, whose
tests share the engine): initialised with dev's policy config, and torn down to nothing, even
after a failed test, removing only the objects of its own prefix."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Iterator, Mapping

from tests.docker_engine import docker, free_port
from tests.pulumi_engine import EngineProject


def our_objects(prefix: str) -> dict[str, list[str]]:
    """Every container, volume and network named <prefix>-* on this engine, by kind."""
    found = {}
    for kind, listing in (("container", "ps -a"), ("volume", "volume ls"), ("network", "network ls")):
        field = "{{.Names}}" if kind == "container" else "{{.Name}}"
        listed = docker(*listing.split(), "--format", field, "--filter", f"name={prefix}-").stdout.split()
        found[kind] = sorted(name for name in listed if name.startswith(f"{prefix}-"))
    return found


def remove_our_objects(prefix: str) -> None:
    """What a failed test left of the stack on the engine: containers first, then what they used."""
    left = our_objects(prefix)
    if left["container"]:
        docker("rm", "-f", *left["container"])
    for kind in ("volume", "network"):
        if left[kind]:
            docker(kind, "rm", *left[kind])


def disposable_site(images: Mapping[str, str], **settings: str) -> dict[str, str]:
    """The config of a scratch docker stack: the application images, a free port, no protection
    on the data volumes (the teardown removes them), and `settings` (paths with dots as `__`)."""
    return {
        "wordpress.image": images["wordpress"],
        "mysql.image": images["mysql"],
        "wordpress.port": str(free_port()),
        "wordpress.protect": "false",
        "mysql.protect": "false",
        **{path.replace("__", "."): value for path, value in settings.items()},
    }


@contextmanager
def scratch_stack(project: EngineProject, stack: str, config: Mapping[str, str]) -> Iterator[None]:
    """Init `stack` with `config` (keys set by path); on leaving, destroy it with its protection
    lifted and remove what is left."""
    prefix = f"moorings-{stack}"
    if any(our_objects(prefix).values()):
        raise AssertionError(f"objects named {prefix}-* already exist on this engine ({our_objects(prefix)}); a test would take them over")
    # dev's policy config: its data volumes are unprotected on purpose, as in these stacks.
    config_dir = project.dir / "policies" / "config"
    shutil.copy(config_dir / "dev.json", config_dir / f"{stack}.json")
    project.init(stack)
    try:
        for key, value in config.items():
            project.set(stack, key, value)
        yield
    finally:
        project.pulumi("state", "unprotect", "--all", "-s", stack, "--yes", check=False)
        project.destroy(stack, check=False)
        remove_our_objects(prefix)
