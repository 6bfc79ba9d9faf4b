"""Container images for the node of tests/kubernetes_node.py, made here since no registry is
reachable: OCI archives of one uncompressed layer, ready for `ctr images import`.

- the sandbox image: toolchain's static `pause` alone (FROM scratch);
- one per static binary of toolchain/bin that runs as a pod: `coredns` (tests/node_dns.py);
- a shell image: Debian's static busybox (busybox-static), for pods that only need a shell,
  `httpd` or `wget`.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

from tests.pulumi_engine import TOOLCHAIN_BIN

PAUSE_IMAGE = "moorings.local/pause:1.0.0"
SHELL_IMAGE = "moorings.local/busybox:1.35"
BUSYBOX = Path("/bin/busybox")
# The applets a shell pod uses, as links to the one binary.
APPLETS = ("sh", "cat", "echo", "env", "hostname", "ls", "nc", "sleep", "wget", "id", "ip", "ps", "httpd", "mkdir", "nslookup")


def images_problem() -> str | None:
    """Why the node's images cannot be made here, or None."""
    if not (TOOLCHAIN_BIN / "pause").exists():
        return f"missing pause in {TOOLCHAIN_BIN} (run `bash toolchain/build.sh pause`)"
    if shutil.which("busybox") is None and not BUSYBOX.exists():
        return "missing /bin/busybox (apt-get install busybox-static)"
    return None


def pause_archive(path: Path) -> Path:
    layer = _layer({"pause": TOOLCHAIN_BIN / "pause"}, {})
    return _archive(path, PAUSE_IMAGE, layer, {"Entrypoint": ["/pause"], "User": "65535:65535"})


def binary_archive(path: Path, name: str, binary: str) -> Path:
    """An image of one static binary of toolchain/bin, its entrypoint (coredns)."""
    layer = _layer({binary: TOOLCHAIN_BIN / binary}, {}, folders=("etc", "tmp"))
    return _archive(path, name, layer, {"Entrypoint": [f"/{binary}"]})


def shell_archive(path: Path) -> Path:
    layer = _layer({"bin/busybox": BUSYBOX}, {f"bin/{name}": "busybox" for name in APPLETS},
                   folders=("tmp", "etc", "proc", "sys", "dev"))
    return _archive(path, SHELL_IMAGE, layer, {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]})


def _layer(files: dict[str, Path], links: dict[str, str], folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted({*folders, *(str(Path(n).parent) for n in [*files, *links] if "/" in n)}):
            entry = tarfile.TarInfo(name)
            entry.type, entry.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            tar.addfile(entry)
        for name, source in files.items():
            data = Path(source).resolve().read_bytes()
            entry = tarfile.TarInfo(name)
            entry.size, entry.mode = len(data), 0o755
            tar.addfile(entry, io.BytesIO(data))
        for name, target in links.items():
            entry = tarfile.TarInfo(name)
            entry.type, entry.linkname = tarfile.SYMTYPE, target
            tar.addfile(entry)
    return buffer.getvalue()


def _archive(path: Path, name: str, layer: bytes, config: dict) -> Path:
    """An OCI image layout in a tar; containerd names the image after its annotation."""
    blobs: dict[str, bytes] = {}

    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest

    layer_digest = blob(layer)
    image_config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": config,
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": blob(image_config), "size": len(image_config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": len(layer)}],
    }).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": blob(manifest), "size": len(manifest),
        "annotations": {"io.containerd.image.name": name,
                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]},
    }]}).encode()
    with tarfile.open(path, "w") as tar:
        for member, data in [("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index),
                             *((f"blobs/sha256/{d.split(':')[1]}", b) for d, b in blobs.items())]:
            entry = tarfile.TarInfo(member)
            entry.size = len(data)
            tar.addfile(entry, io.BytesIO(data))
    return path
