"""Stand-in images for the official wordpress, mysql and nginx ones, which no machine here can pull:
busybox (Debian's busybox-static) FROM scratch, built locally under moorings-test/<name>:standin.
They honour what the stacks rely on: the *_FILE secrets must be readable, the healthchecks
answer, and SIGTERM stops them at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "standin_images"
BUSYBOX = Path("/bin/busybox")
TAG = "standin"


def image(name: str) -> str:
    return f"moorings-test/{name}:{TAG}"


def build(name: str) -> str:
    """Build the stand-in `name` (mysql, wordpress or nginx) and return its image reference."""
    if not BUSYBOX.exists():
        raise RuntimeError(f"{BUSYBOX} is missing: apt-get install busybox-static")
    with tempfile.TemporaryDirectory() as context:
        shutil.copytree(HERE / name, context, dirs_exist_ok=True)
        for shared in ("passwd", "group"):
            shutil.copy(HERE / shared, Path(context) / shared)
        shutil.copy(BUSYBOX, Path(context) / "busybox")
        subprocess.run(
            ["docker", "build", "-q", "-t", image(name), context],
            check=True, capture_output=True, text=True, timeout=300,
            env={**os.environ, "DOCKER_BUILDKIT": "0"},  # the classic builder: no buildx plugin needed
        )
    return image(name)
