"""Database credentials rotated online, as one `pulumi up`.

MySQL reads its passwords from the secret files only when it initialises an empty data directory,
so a new value in the files alone leaves the database on the old one while WordPress switches:
every page then fails. The rotation step runs inside the running MySQL container before any
consumer sees the new values (db_scripts/rotate_credentials.sh, set_passwords.sh): it logs in as
root with the password that container started with and sets the new ones. The builders make the
consumers' secret files depend on it, so the order is declared, not left to chance.

The new values travel on the command's stdin, a Pulumi secret: never on a command line, in the
environment, in the logs or in a preview.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from moorings.secret_bundle import SecretBundle
from moorings.swarm_shell import NodeShell, file_command, run

SCRIPTS = Path(__file__).parent / "db_scripts"
ROOT_SECRET = "mysql-root-password"
USER_SECRET = "mysql-password"


def rotation_command(container_filter: str, user: str) -> str:
    """The command line on the node: both scripts' text and the arguments, no secret."""
    inside = (SCRIPTS / "set_passwords.sh").read_text()
    return file_command(SCRIPTS / "rotate_credentials.sh", container_filter, user, inside)


def new_credentials(secrets: SecretBundle) -> pulumi.Output[str]:
    """The rotation's stdin: the new root password, then the user's, a line each (secret)."""
    lines = pulumi.Output.all(secrets.values[ROOT_SECRET], secrets.values[USER_SECRET]).apply(
        lambda values: "".join(f"{value}\n" for value in values)
    )
    return pulumi.Output.secret(lines)


def rotate_credentials(
    parent: pulumi.Resource,
    secrets: SecretBundle,
    shell: NodeShell,
    container_filter: str,
    user: str,
) -> pulumi.Resource:
    """The rotation step on the node that runs MySQL (`shell`), finding its container by
    `container_filter`. It runs again whenever a password changes (its stdin does); a first
    install, with no container yet, is left to the image's own initialisation."""
    return run(
        shell,
        "mysql-credentials",
        pulumi.ResourceOptions(parent=parent),
        create=rotation_command(container_filter, user),
        # A changed password is a changed stdin: the command runs again, in place.
        stdin=new_credentials(secrets),
    )
