"""A read-only image registry on 127.0.0.1 for the real node, serving what its containerd
already holds. The stacks pull with `imagePullPolicy: Always` (moorings/k8s/pods.py): every
pod start asks the registry what a tag names. No registry is reachable here, so the node's
containerd has this one as its docker.io mirror, and it answers from containerd's own content
store: the distribution API's manifest and blob reads, nothing else (no push, no catalog)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MANIFEST = re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)$")
BLOB = re.compile(r"^/v2/(?P<name>.+)/blobs/(?P<digest>sha256:[0-9a-f]{64})$")


class Registry:
    """Serves `tags` ("moorings-local/wordpress:6.1-apache" -> manifest digest and media type)
    from the blobs of a containerd content store."""

    def __init__(self, content: Path):
        self.blobs = content / "blobs" / "sha256"
        self.tags: dict[str, tuple[str, str]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.pulls: list[str] = []
        """The manifests asked for, by name:reference: what the tests can count."""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def blob(self, digest: str) -> bytes | None:
        path = self.blobs / digest.split(":", 1)[1]
        return path.read_bytes() if path.is_file() else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                path = self.path.split("?", 1)[0]  # containerd adds ?ns=docker.io for a mirror
                if path in ("/v2", "/v2/"):
                    return self._send(200, b"{}", "application/json", None, body)
                if found := MANIFEST.match(path):
                    name, reference = found["name"], found["reference"]
                    registry.pulls.append(f"{name}:{reference}")
                    digest, media_type = (reference, "") if reference.startswith("sha256:") else \
                        registry.tags.get(f"{name}:{reference}", ("", ""))
                    data = registry.blob(digest) if digest else None
                    if data is not None:
                        media_type = media_type or json.loads(data).get("mediaType", "")
                        return self._send(200, data, media_type, digest, body)
                elif found := BLOB.match(path):
                    data = registry.blob(found["digest"])
                    if data is not None:
                        return self._send(200, data, "application/octet-stream", found["digest"], body)
                self._send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}', "application/json", None, body)

            def _send(self, status: int, data: bytes, media_type: str, digest: str | None, body: bool) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                if digest:
                    self.send_header("Docker-Content-Digest", digest)
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass  # the tests read `pulls`, not a log

        return Handler
