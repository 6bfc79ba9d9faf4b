"""Secrets: which secrets rotate, and which workloads roll because of it; whether a change of the
database's passwords is set in the running database first (moorings/db_rotation.py's steps: a
command on docker and swarm, a Job on Kubernetes), or would leave MySQL on the old one while
WordPress switches. Never a value, nor a name derived
from one (a Kubernetes Secret's name carries a digest of its content)."""

from __future__ import annotations

from dataclasses import dataclass

from preview_review.model import SECRET_TYPES, Change, Preview
from preview_review.risk import WORKLOAD_TYPES
from preview_review.rotation_steps import CLOSING_STEP, ONLINE_STEP

STEP_TYPES = {"command:local:Command", "command:remote:Command", "kubernetes:batch/v1:Job"}
# The logical names the components give them (moorings/wordpress_args.py).
DATABASE_SECRETS = ("mysql-password", "mysql-root-password")
KEY_SECRET_PREFIX = "wordpress-"  # wordpress-auth-key, wordpress-nonce-salt...

KINDS = {
    "kubernetes:core/v1:Secret": "Kubernetes Secret",
    "docker:index/secret:Secret": "Swarm secret",
    "random:index/randomPassword:RandomPassword": "generated password",
}


@dataclass(frozen=True)
class Rotation:
    secrets: tuple[str, ...]
    """`mysql-password generated password (deleted)`..."""
    rolled: tuple[str, ...]
    """Labels of the workloads whose pods or tasks restart to read the new values."""
    notes: tuple[str, ...] = ()
    """What the rotation means for the running site, said plainly."""
    warnings: tuple[str, ...] = ()
    """A rotation that would break the running database: a risk for a second reviewer."""


def rotation(preview: Preview) -> Rotation:
    changed = [c for c in preview.changes if c.type in SECRET_TYPES and c.op not in ("same", "read")]
    rotated = tuple(f"{c.label}: {KINDS[c.type]}, {_what(c)}" for c in changed)
    # A secret that is new is not a rotation of a value the running site has.
    replaced = [c for c in changed if c.op != "create"]
    rolled = tuple(
        c.label
        for c in preview.changes
        if c.type in WORKLOAD_TYPES and c.op in ("update", "replace") and _reads_secret(c)
    )
    online = [c for c in preview.changes if c.type in STEP_TYPES and c.logical_name == ONLINE_STEP]
    step_runs = any(c.op in ("create", "update", "replace") for c in online)
    database = any(c.logical_name in DATABASE_SECRETS for c in replaced) or (
        step_runs and any(c.op in ("update", "replace") for c in online)
    )
    notes, warnings = [], []
    if database and step_runs:
        notes.append(
            "database passwords: handled online. The running database takes the new values beside the "
            f"old ones first ({ONLINE_STEP}), its consumers switch, then the old values are retired "
            f"({CLOSING_STEP}); a refused rotation stops `up` before the consumers"
        )
    elif database:
        warnings.append(
            "database passwords change with no online rotation: MySQL keeps the old values (it reads "
            "its secret files only to initialise an empty data directory) while WordPress switches, so "
            "every page fails with 'Error establishing a database connection'"
        )
    if any(c.op == "delete" for c in online) and not step_runs:
        warnings.append(
            f"the online rotation ({ONLINE_STEP}) is removed: a later password change will break the "
            "running database"
        )
    if any(c.logical_name.startswith(KEY_SECRET_PREFIX) for c in replaced):
        notes.append("WordPress keys and salts change: every logged-in user is logged out")
    return Rotation(rotated, rolled if rotated else (), tuple(notes), tuple(warnings))


def _what(change: Change) -> str:
    return {
        "create": "new",
        "delete": "removed",
        "replace": "replaced with new values",
        "update": "values change",
    }.get(change.op, change.op)


def _reads_secret(change: Change) -> bool:
    paths = list(change.detailed_diff) or list(change.diff_reasons)
    return any("secret" in path.lower() for path in paths)
