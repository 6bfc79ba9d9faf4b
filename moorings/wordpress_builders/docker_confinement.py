"""How the docker and swarm builders confine WordPress and MySQL: a read-only root filesystem with a tmpfs
at each scratch path the image writes (image_paths), every capability dropped but the few each
entrypoint uses, and no-new-privileges.

Unlike the Kubernetes pods, both containers start as root here and drop to the image's user
(mysql's entrypoint through gosu, Apache by running its children as www-data). A process that
changes its uid from 0 to another loses every capability, so the ones kept below serve only
that root phase. Names are spelled as the engine reports them (`docker inspect` shows CapAdd
as CAP_*), so state and engine agree.
"""

from __future__ import annotations

from typing import Iterable

import pulumi_docker as docker

from moorings import swarm_service
from moorings.wordpress_builders.image_paths import Scratch

NO_NEW_PRIVILEGES = ["no-new-privileges:true"]

# docker-entrypoint.sh, as root: `find <data dir, socket dir, secure-file-priv...> ! -user mysql
# -exec chown mysql` (CHOWN), which must read the data directory's 0750 mysql-owned
# subdirectories at every start after the first (DAC_OVERRIDE, of Docker's default set:
# DAC_READ_SEARCH would do, but it is the one the "Shocker" escape used through open_by_handle_at,
# and Docker leaves it out), then `gosu mysql` (SETUID, SETGID).
MYSQL_CAPABILITIES = ("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_SETGID", "CAP_SETUID")

# docker-entrypoint.sh, as root, at every start (/var/www/html is a tmpfs): chown the document
# root to www-data, then tar-copy WordPress in as www-data's files (CHOWN; FOWNER: GNU tar sets
# the mode of files it has just given away), replacing files in the persisted wp-content that
# www-data owns 0755 (DAC_OVERRIDE). Apache runs its children as www-data (SETUID, SETGID).
# Port 80 needs no NET_BIND_SERVICE: Docker (20.10 on) sets net.ipv4.ip_unprivileged_port_start
# to 0 in a container's own network namespace.
WORDPRESS_CAPABILITIES = ("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID")


def capabilities(kept: Iterable[str]) -> docker.ContainerCapabilitiesArgs:
    return docker.ContainerCapabilitiesArgs(drops=["ALL"], adds=list(kept))


def tmpfs(scratch: Iterable[Scratch]) -> dict[str, str]:
    """A tmpfs per scratch directory, as large as the Kubernetes emptyDir at the same path.
    Nothing in them is a program: noexec, nosuid, nodev (Docker's defaults, said here). No
    mode: runc gives a tmpfs the mode of the directory it covers (1777 in the images), and a
    `mode=` holds only until the first restart."""
    return {s.path: f"rw,noexec,nosuid,nodev,size={_tmpfs_size(s.size)}" for s in scratch}


def _tmpfs_size(quantity: str) -> str:
    """256Mi -> 256m, 1Gi -> 1g: the mount option takes k, m, g (binary multiples)."""
    for suffix, unit in (("Ki", "k"), ("Mi", "m"), ("Gi", "g")):
        if quantity.endswith(suffix):
            return quantity[: -len(suffix)] + unit
    raise ValueError(f"scratch size {quantity!r}: use Ki, Mi or Gi")


def swarm_confinement(scratch: Iterable[Scratch], kept: Iterable[str]) -> swarm_service.Confinement:
    """The same confinement for a Swarm service's tasks: the image's user, read-only, tmpfs at
    the scratch paths (as large as on Docker), the same capabilities kept."""
    return swarm_service.Confinement(
        read_only=True,
        scratch=tuple(swarm_service.Scratch(s.path, _mebibytes(s.size)) for s in scratch),
        capabilities=tuple(kept),
    )


def _mebibytes(quantity: str) -> int:
    for suffix, factor in (("Mi", 1), ("Gi", 1024)):
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    raise ValueError(f"scratch size {quantity!r}: use Mi or Gi")
