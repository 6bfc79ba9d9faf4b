"""The cluster tier's real node, by hand: the control plane and one node of
tests/kubernetes_node.py (kubelet, kube-proxy, a containerd of its own, runc, the CNI bridge,
CoreDNS, kube-router's NetworkPolicies), running until Ctrl-C, then stopped with everything it
made in the host removed, as after a test.

    sudo venv/bin/python scripts/real_node.py [--dir FOLDER] [--image IMAGE ...]

Needs root, `bash scripts/setup.sh` (the toolchain) and the system tools the tests name when
missing. It prints the kubeconfig to hand to kubectl or to a stack (`kubernetes.mode existing`,
`kubernetes.kubeconfig`, context `moorings-test`). The node reaches no outside registry: each
`--image` is read from the Docker Engine (`docker save`) into its containerd and served by its
registry on 127.0.0.1 for the stacks' Always pulls, as tests/cluster/test_node_wordpress.py does
with the application's images (scripts/images.sh).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.control_plane import control_plane_problem  # noqa: E402
from tests.kubernetes_node import node_problem, running_node  # noqa: E402
from tests.pulumi_engine import TOOLCHAIN_BIN  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="where its state and logs go (default: a new temporary folder)")
    parser.add_argument("--image", action="append", default=[], help="an image of the Docker Engine to load (repeatable)")
    args = parser.parse_args()
    problem = control_plane_problem() or node_problem()
    if problem:
        print(f"real_node: {problem}", file=sys.stderr)
        return 1
    folder = (args.dir or Path(tempfile.mkdtemp(prefix="moorings-node-"))).resolve()
    for part in ("plane", "node"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with running_node(folder / "plane", folder / "node") as node:
        for image in args.image:
            node.import_docker_image(image)
        kubeconfig = node.plane.kubeconfig
        print(f"real_node: node {node.name} Ready (address {node.ip}, pods {node.subnet}); logs in {folder}\n"
              f"  export KUBECONFIG={kubeconfig}\n"
              f"  {TOOLCHAIN_BIN / 'kubectl'} get nodes,pods -A\n"
              f"  containerd: {node.socket}\n"
              "Ctrl-C stops it and removes what it made in the host.", flush=True)
        stop.wait()
    left = node.leftovers()
    print("real_node: stopped; " + ("nothing left behind" if not left else "left behind: " + ", ".join(left)))
    return 0 if not left else 1


if __name__ == "__main__":
    sys.exit(main())
