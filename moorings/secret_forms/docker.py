"""Local Docker: each secret is a file uploaded into the consumer's container at create time."""

from __future__ import annotations

from typing import Sequence

import pulumi_docker as docker

from moorings.secret_args import FileReader, SecretForm, secret_path


# The docker provider (5.1.0, the release built here) uploads files owned by root and cannot set
# an owner, while both images read their secrets as their own user (www-data reads them at
# request time). So the files are world-readable inside the container, as Compose mounts file
# secrets: each container receives only the secrets it consumes, and never through its environment.
UPLOAD_MODE = "0444"
# On a read-only consumer, a carrier container receives them (wordpress_builders.docker_secrets).


class DockerFileUploads(SecretForm):
    def attach(self, names: Sequence[str], reader: FileReader) -> list[docker.ContainerUploadArgs]:
        return [
            docker.ContainerUploadArgs(
                file=secret_path(name),
                content=self.bundle.values[name],
                permissions=UPLOAD_MODE,
            )
            for name in names
        ]
