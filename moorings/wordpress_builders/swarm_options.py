"""The swarm-only options of a WordPressStack (`WordPressStackArgs.swarm`), apart from the swarm
builder so that the arguments and the settings can name them without importing it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence

import pulumi

from moorings.swarm_service import ROLLBACK, UPDATE, Converge
from moorings.swarm_shell import NodeShell

MESH, EDGE = "mesh", "edge"
ROUTINGS = (MESH, EDGE)
DEFAULT_EDGE_IMAGE = "haproxy:2.6.12"
# One MySQL must stop before the next starts: two servers on one data directory corrupt it (and
# one backup task writes into the backups volume at a time).
SINGLE_WRITER = replace(UPDATE, order="stop-first")
SINGLE_WRITER_ROLLBACK = replace(ROLLBACK, order="stop-first")
# The first `up` pulls each image on every node and initialises the database: allow for it.
FIRST_START = Converge(timeout="10m")


@dataclass(frozen=True)
class SwarmWordPressOptions:
    """WordPressStackArgs.swarm: what the swarm builder needs beyond the common arguments."""

    mysql_constraints: Sequence[pulumi.Input[str]] = ("node.role==manager",)
    """Placement that holds MySQL on the node with its data volume: name ONE node
    (e.g. node.id==<id>, or a node label only that node carries)."""
    public_host: str = "localhost"
    """Host name in the site's URL; any node answers on the published port."""
    routing: str = MESH
    """How requests reach WordPress's tasks and WordPress MySQL's: mesh (Swarm's routing mesh and
    virtual IPs, which need IPVS in each node's kernel) or edge (swarm_edge: HAProxy on each
    node's port, and DNS round-robin between services; no IPVS)."""
    edge_image: str = DEFAULT_EDGE_IMAGE
    """routing edge: the pinned HAProxy image (2.x, reading /usr/local/etc/haproxy/haproxy.cfg)."""
    manager: Optional[NodeShell] = None
    """SwarmCluster.manager_shell: where both services are drained before removal (SwarmServiceArgs.manager),
    and where a changed database password is set in the running database first (moorings/db_rotation.py)."""
