"""Time to the first page: `pulumi up -s dev` against the chapter's own `docker-compose up -d`.

Both start WordPress + MariaDB from the same local images (scripts/images.sh) on the local
engine; a poll of the install page from the moment the command starts gives the seconds to its
first 200. For `pulumi up` the seconds until it returns are printed too (it returns only once
the site answers). Also the warm image build. Figures, not a test:

    venv/bin/python benchmarks/first_page.py [--runs 3]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app.app_images import IMAGES  # noqa: E402
from tests.pulumi_engine import EngineProject, engine_problem  # noqa: E402

# The recipe's compose file (RECIPES.md, recipe 1) on the local images, published on loopback.
COMPOSE = """\
version: "3"
services:
  mysql:
    image: {mysql}
    restart: always
    environment:
      MYSQL_ROOT_PASSWORD: benchmark-only
      # The recipe's file names no database; today's WordPress entrypoint creates none, so without
      # it every page answers 500 "Cannot select database" (seen here).
      MYSQL_DATABASE: wordpress
  wordpress:
    image: {wordpress}
    restart: always
    ports: ["127.0.0.1:{port}:80"]
    environment:
      WORDPRESS_DB_HOST: mysql:3306
      WORDPRESS_DB_USER: root
      WORDPRESS_DB_PASSWORD: benchmark-only
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_200(url: str, started: float, result: list[float], timeout: float = 300) -> None:
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as page:
                if page.status == 200:
                    result.append(time.monotonic() - started)
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)


def timed(command: list[str], url: str, cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(seconds to the first 200 of `url`, seconds until `command` returned), both from its start."""
    seen: list[float] = []
    started = time.monotonic()
    poll = threading.Thread(target=first_200, args=(url, started, seen))
    poll.start()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    returned = time.monotonic() - started
    poll.join()
    if not seen:
        raise SystemExit(f"{url} never answered 200 after {' '.join(command)}")
    return seen[0], returned


def compose_run(workdir: Path) -> float:
    port = free_port()
    (workdir / "docker-compose.yml").write_text(COMPOSE.format(port=port, **IMAGES))
    try:
        first, _ = timed(["docker-compose", "up", "-d"], f"http://127.0.0.1:{port}/wp-admin/install.php", workdir)
    finally:
        subprocess.run(["docker-compose", "down", "-v"], cwd=workdir, capture_output=True)
    return first


def pulumi_run(project: EngineProject) -> tuple[float, float]:
    port = free_port()
    project.set("dev", "wordpress.port", str(port))
    try:
        return timed(
            ["pulumi", "up", "-s", "dev", "--yes", "--skip-preview", "--non-interactive"],
            f"http://127.0.0.1:{port}/wp-admin/install.php",
            project.dir,
            project.env,
        )
    finally:
        project.destroy("dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    if engine_problem():
        raise SystemExit(engine_problem())
    started = time.monotonic()
    subprocess.run(["bash", str(ROOT / "scripts" / "images.sh")], check=True, capture_output=True)
    print(f"scripts/images.sh, warm: {time.monotonic() - started:.1f} s")

    with tempfile.TemporaryDirectory() as scratch:
        project = EngineProject(Path(scratch) / "pulumi")
        project.init("dev")
        project.set("dev", "wordpress.image", IMAGES["wordpress"])
        project.set("dev", "mysql.image", IMAGES["mysql"])
        compose_dir = Path(scratch) / "compose"
        compose_dir.mkdir()
        compose, pulumi_first, pulumi_return = [], [], []
        for run in range(runs):  # alternated, so both see the same machine
            compose.append(compose_run(compose_dir))
            first, returned = pulumi_run(project)
            pulumi_first.append(first)
            pulumi_return.append(returned)
            print(f"run {run + 1}: compose {compose[-1]:.1f} s, pulumi up {first:.1f} s (returned at {returned:.1f} s)")

    c, p = statistics.median(compose), statistics.median(pulumi_first)
    print(f"docker-compose up -d -> first 200: median {c:.1f} s (min {min(compose):.1f}, max {max(compose):.1f})")
    print(f"pulumi up -s dev     -> first 200: median {p:.1f} s (min {min(pulumi_first):.1f}, max {max(pulumi_first):.1f})")
    print(f"pulumi up -s dev     -> returned:  median {statistics.median(pulumi_return):.1f} s")
    print(f"ratio (pulumi / compose, first 200): {p / c:.2f}x")


if __name__ == "__main__":
    main()
