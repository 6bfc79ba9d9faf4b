"""Database credentials rotated online, as one `pulumi up`, in two phases.

MySQL reads its passwords from the secret files only when it initialises an empty data directory,
so a new value in the files alone leaves the database on the old one while WordPress switches:
every page then fails. So the rotation runs inside the running MySQL container in two steps
(db_scripts/rotate_credentials.sh, set_passwords.sh), logging in as root with the password that
container started with:
- `mysql-credentials` (open), before any consumer sees the new values: root gets its new password,
  and the database user accepts both its old and its new one;
- `mysql-credentials-close`, once every consumer has switched: the user accepts the new one only.
The builders declare the order (consumers after open, close after the consumers): a consumer on
either value is let in throughout, so no request fails for a password.

The new values travel on the command's stdin, a Pulumi secret: never on a command line, in the
environment, in the logs or in a preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pulumi

from moorings.secret_bundle import SecretBundle
from moorings.swarm_shell import NodeShell, file_command, run

SCRIPTS = Path(__file__).parent / "db_scripts"
ROOT_SECRET = "mysql-root-password"
USER_SECRET = "mysql-password"


OPEN, CLOSE = "open", "close"
NOTHING_TO_RETIRE = "'credential rotation (close): no earlier password to retire'"


def rotation_command(container_filter: str, user: str, phase: str) -> str:
    """The command line on the node: both scripts' text and the arguments, no secret."""
    inside = (SCRIPTS / "set_passwords.sh").read_text()
    return file_command(SCRIPTS / "rotate_credentials.sh", container_filter, user, phase, inside)


def new_credentials(secrets: SecretBundle) -> pulumi.Output[str]:
    """The rotation's stdin: the new root password, then the user's, a line each (secret)."""
    lines = pulumi.Output.all(secrets.values[ROOT_SECRET], secrets.values[USER_SECRET]).apply(
        lambda values: "".join(f"{value}\n" for value in values)
    )
    return pulumi.Output.secret(lines)


def open_rotation(
    parent: pulumi.Resource,
    secrets: SecretBundle,
    shell: NodeShell,
    container_filter: str,
    user: str,
) -> pulumi.Resource:
    """The opening step on the node that runs MySQL (`shell`), finding its container by
    `container_filter`; the consumers depend on it. It runs again whenever a password changes
    (its stdin does); a first install, with no container yet, is left to the image's own
    initialisation."""
    return _step(parent, secrets, shell, container_filter, user, OPEN, after=[])


def close_rotation(
    parent: pulumi.Resource,
    secrets: SecretBundle,
    shell: NodeShell,
    container_filter: str,
    user: str,
    after: Sequence[pulumi.Resource],
) -> pulumi.Resource:
    """The closing step, once every consumer in `after` uses the new values."""
    return _step(parent, secrets, shell, container_filter, user, CLOSE, after)


def _step(
    parent: pulumi.Resource,
    secrets: SecretBundle,
    shell: NodeShell,
    container_filter: str,
    user: str,
    phase: str,
    after: Sequence[pulumi.Resource],
) -> pulumi.Resource:
    script = rotation_command(container_filter, user, phase)
    if phase == OPEN:
        # A changed password is a changed stdin: the command runs again.
        steps = dict(create=script)
    else:
        # Nothing to retire when the step is first declared (a first install, whose database the
        # image initialised with these values); from then on each new password closes in place.
        steps = dict(create=f"echo {NOTHING_TO_RETIRE}", update=script)
    return run(
        shell,
        "mysql-credentials" if phase == OPEN else "mysql-credentials-close",
        pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
        stdin=new_credentials(secrets),
        **steps,
    )
