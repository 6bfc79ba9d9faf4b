"""The test control plane's figures (docs/contributors/testing.md): start-up time per component, the time
from a cold start to a 2-replica Deployment 2/2 ready, and the memory of everything up.

Prints figures; asserts nothing. Runs tests/control_plane.py's ControlPlane, as the `cluster`
tests do, in a temporary folder, and stops it afterwards.

    venv/bin/python benchmarks/control_plane_figures.py [--idle 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.control_plane import ControlPlane, control_plane_problem  # noqa: E402

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "probe"}},
        "template": {"metadata": {"labels": {"app": "probe"}},
                     "spec": {"containers": [{"name": "probe", "image": "busybox:1.37"}]}},
    },
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=0,
                        help="seconds to wait, then show the Deployment and node still ready")
    options = parser.parse_args()
    problem = control_plane_problem()
    if problem:
        sys.exit(problem)
    with tempfile.TemporaryDirectory(prefix="moorings-cp-") as folder:
        plane = ControlPlane(Path(folder))
        begun = time.monotonic()
        try:
            plane.start()
            manifest = Path(folder) / "probe.json"
            manifest.write_text(json.dumps(DEPLOYMENT))
            plane.kubectl("apply", "-f", str(manifest))
            plane.kubectl("rollout", "status", "deployment/probe", "--timeout=120s")
            ready = time.monotonic() - begun
            for name, seconds in plane.started_in.items():
                print(f"{name:>24} ready in {seconds:5.1f} s")
            print(f"{'2/2 Deployment':>24} ready {ready:5.1f} s after the cold start")
            print(f"{'memory (RSS sum)':>24} {plane.rss_mib():5.0f} MiB")
            if options.idle:
                time.sleep(options.idle)
                node = plane.kubectl("get", "node", "-o", "wide").stdout
                print(f"after {options.idle} s idle:\n{node}"
                      f"{plane.kubectl('get', 'deployment', 'probe').stdout}")
                print(f"{'memory (RSS sum)':>24} {plane.rss_mib():5.0f} MiB")
        finally:
            plane.stop()


if __name__ == "__main__":
    main()
