"""Docker Swarm: each secret is a Swarm secret, granted to services as a file in /run/secrets.

The managers keep the values encrypted in their Raft log and hand each one only to the
tasks of services it is granted to. A secret's name carries a keyed hash of its value, so rotating
a value creates a new secret and rolls the services that use it (see swarm_objects).
Create the bundle with the cluster's provider: `opts=ResourceOptions(providers=[cluster.provider])`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import pulumi
import pulumi_docker as docker

from moorings.secret_args import FileReader, SecretBundleArgs, SecretForm, secret_path
from moorings.engine_names import freed_names
from moorings.swarm_objects import HASH_LENGTH, encoded, new_before_old, object_name

if TYPE_CHECKING:  # for the annotation only: the bundle imports this form
    from moorings.secret_bundle import SecretBundle

OWNER_READ_ONLY = 0o400


class SwarmSecrets(SecretForm):
    def __init__(self, bundle: SecretBundle, args: SecretBundleArgs):
        super().__init__(bundle, args)
        # A secret a killed `up` left under its (content) name is freed before the create.
        freed = freed_names("secret", args.name_prefix, args.docker_host)
        self.secrets = {
            name: docker.Secret(
                name,
                name=object_name(f"{args.name_prefix}-{name}", bundle.content_digest([name], HASH_LENGTH)),
                data=encoded(value),
                opts=pulumi.ResourceOptions.merge(new_before_old(pulumi.ResourceOptions(parent=bundle)), freed),
            )
            for name, value in bundle.values.items()
        }

    def attach(self, names: Sequence[str], reader: FileReader) -> list[docker.ServiceTaskSpecContainerSpecSecretArgs]:
        return [
            docker.ServiceTaskSpecContainerSpecSecretArgs(
                secret_id=self.secrets[name].id,
                secret_name=self.secrets[name].name,
                file_name=secret_path(name),
                file_uid=reader.uid,
                file_gid=reader.gid,
                file_mode=OWNER_READ_ONLY,
            )
            for name in names
        ]
