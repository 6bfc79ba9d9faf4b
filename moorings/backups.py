"""What every platform's backups share: the script (backup_scripts/backup.sh, restore.sh beside
it), who dumps what and where (its environment), and the interval as a cron schedule.

The stack's own MySQL is dumped as root, whose password file the stack has; an external database
as the site's user, the only one the stack has for it."""

from __future__ import annotations

from pathlib import Path

from moorings.secret_args import FileReader
from moorings.secret_bundle import SecretWiring
from moorings.wordpress_args import MYSQL_PORT, WordPressStackArgs

SCRIPTS = Path(__file__).parent / "backup_scripts"
BACKUP_SCRIPT = SCRIPTS / "backup.sh"
BACKUPS_DIR = "/backups"
WP_CONTENT_MOUNT = "/wp-content"
ONCE = 0
"""backup.sh's interval for one backup and exit (a CronJob's run)."""


def backup_command(every_seconds: int, keep: int) -> list[str]:
    """The backup container's command: the script's text and its arguments (no secret)."""
    return ["sh", "-c", BACKUP_SCRIPT.read_text(), "moorings-backup", str(every_seconds), str(keep)]


def backup_env(args: WordPressStackArgs, reader: FileReader, mysql_host: str = "mysql") -> tuple[SecretWiring, dict[str, str]]:
    """The password file's wiring (for `reader`) and the plain settings the scripts read."""
    external = args.mysql.external
    if external is None:
        wiring = args.secrets.wire({"MYSQL_ROOT_PASSWORD": "mysql-root-password"}, reader)
        where = {"MYSQL_HOST": mysql_host, "MYSQL_PORT": str(MYSQL_PORT), "BACKUP_USER": "root"}
    else:
        wiring = args.secrets.wire({"MYSQL_PASSWORD": "mysql-password"}, reader)
        where = {"MYSQL_HOST": external.host, "MYSQL_PORT": str(external.port), "BACKUP_USER": args.wordpress.db_user}
    return wiring, {**where, "MYSQL_DATABASE": args.wordpress.db_name}


def cron_schedule(every_minutes: int) -> str:
    """The interval as a cron schedule: minutes that divide 60, or hours that divide 24 (the
    only intervals the settings accept, so every run is on the clock)."""
    if every_minutes < 60 and 60 % every_minutes == 0:
        return f"*/{every_minutes} * * * *"
    hours, rest = divmod(every_minutes, 60)
    if rest or 24 % hours:
        raise ValueError(f"backup every {every_minutes} minutes: not minutes that divide 60 or hours that divide 24")
    return "0 * * * *" if hours == 1 else "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"
