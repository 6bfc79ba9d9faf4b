"""Local Docker: each secret is a file uploaded into the consumer's container at create time."""

from __future__ import annotations

from typing import Sequence

import pulumi_docker as docker

from components.secret_bundle import SECRETS_DIR, FileReader, SecretForm, register_form, secret_path


# The docker provider (5.1.0, the release built here) uploads files owned by root and cannot set
# an owner, while both images read their secrets as their own user (www-data reads them at
# request time). So the files are world-readable inside the container, as Compose mounts file
# secrets: each container receives only the secrets it consumes, and never through its environment.
UPLOAD_MODE = "0444"
# The provider uploads before the start, and Docker refuses to copy into a read-only root
# filesystem unless the path lies in a volume ("container rootfs is marked read-only"). So the
# secrets directory is the container's own anonymous volume, removed with the container (the
# provider's remove_volumes defaults to true). Mount it in each container that receives uploads.
UPLOAD_VOLUME = docker.ContainerVolumeArgs(container_path=SECRETS_DIR)


@register_form("docker")
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
