"""The application images the tier runs, built here by scripts/images.sh (no registry is
reachable); a warm run builds nothing. Where they cannot be built the tests fail in CI
(MOORINGS_REQUIRE_ENGINE=1) and skip elsewhere, saying why."""

from __future__ import annotations

import subprocess

import pytest

from tests.docker_engine import free_port, require_docker_engine
from tests.pulumi_engine import engine_required
from tests.stack_config import ROOT

IMAGES = {
    "wordpress": "moorings-local/wordpress:6.1-apache",
    "mysql": "moorings-local/mariadb:10.11",
    "edge": "moorings-local/haproxy:2.6",
}
BUILD_TIMEOUT = 3600  # a cold build: a root filesystem and three images from Debian's packages


def built_images() -> dict[str, str]:
    """Builds what is missing or out of date; the image references by role."""
    require_docker_engine()
    built = subprocess.run(
        ["bash", str(ROOT / "scripts" / "images.sh")], capture_output=True, text=True, timeout=BUILD_TIMEOUT
    )
    if built.returncode != 0:
        problem = f"scripts/images.sh exited {built.returncode}:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
        if engine_required():
            pytest.fail(problem)
        pytest.skip(problem)
    return dict(IMAGES)


def swarm_application_settings(images: dict[str, str]) -> dict[str, str]:
    """A swarm stack's settings for the application images: the edge routing on its own image,
    WordPress alone on a free port of 127.0.0.1."""
    return {
        "wordpress.image": images["wordpress"],
        "mysql.image": images["mysql"],
        "swarm.routing": "edge",
        "swarm.edgeImage": images["edge"],
        "wordpress.replicas": "1",
        "wordpress.port": str(free_port()),
    }
