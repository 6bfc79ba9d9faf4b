"""Local Docker: each secret is a file uploaded into the consumer's container at create time."""

from __future__ import annotations

from typing import Sequence

import pulumi_docker as docker

from components.secret_bundle import FileReader, SecretForm, register_form, secret_path


@register_form("docker")
class DockerFileUploads(SecretForm):
    def attach(self, names: Sequence[str], reader: FileReader) -> list[docker.ContainerUploadArgs]:
        return [
            docker.ContainerUploadArgs(
                file=secret_path(name),
                content=self.bundle.values[name],
                owner=reader.uid,
                group=reader.gid,
                permissions="0400",
            )
            for name in names
        ]
