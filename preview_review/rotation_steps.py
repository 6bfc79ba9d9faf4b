"""The logical names the components give the online rotation's own resources
(moorings/db_rotation.py, moorings/wordpress_builders/kubernetes/rotation.py): the review reads
them as the mechanism of a rotation, not as changes to the running site."""

ONLINE_STEP = "mysql-credentials"
"""Opens the rotation: a command (docker, swarm) or a Job (Kubernetes)."""
CLOSING_STEP = "mysql-credentials-close"
"""Retires the old values, once the consumers have switched."""
RECORD = "mysql-credentials-record"
"""Kubernetes: the Secret that records the passwords the database has."""
STEPS = frozenset({ONLINE_STEP, CLOSING_STEP, RECORD})
