"""Backup settings (`backup.*`): whether the stack backs itself up, how often, how many it keeps.

Off by default (opt-in). The interval is one that every platform can keep on the clock: minutes
that divide an hour or hours that divide a day, which a Kubernetes CronJob says as `*/N` too.
Built on every platform: a container (docker), a service (swarm), a CronJob (kubernetes).
"""

from __future__ import annotations

import re
from typing import Optional

from moorings.wordpress_args import BackupSpec
from stacks.settings.reader import ConfigReader

DEFAULT_EVERY = "24h"
DEFAULT_KEEP = 7
MAX_KEEP = 1000
_EVERY = re.compile(r"^(\d{1,2})([mh])$")
EVERY_ACCEPTED = "minutes that divide 60 (e.g. 15m, 30m) or hours that divide 24 (e.g. 1h, 6h, 24h)"


def every_minutes(value: str) -> Optional[int]:
    """The minutes of `backup.every` (`30m`, `6h`), or None when it is not one the schedule keeps."""
    match = _EVERY.match(value)
    if match is None:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if unit == "m" and 1 <= count <= 60 and 60 % count == 0:
        return count
    if unit == "h" and 1 <= count <= 24 and 24 % count == 0:
        return count * 60
    return None


def _every_problem(value: str) -> Optional[str]:
    return None if every_minutes(value) is not None else EVERY_ACCEPTED


def read_backup(reader: ConfigReader) -> Optional[BackupSpec]:
    """The stack's backups, or None when `backup.enabled` is off (the default)."""
    enabled = reader.boolean("backup.enabled", False)
    every = reader.string("backup.every", DEFAULT_EVERY, check=_every_problem)
    keep = reader.integer("backup.keep", DEFAULT_KEEP, minimum=1, maximum=MAX_KEEP)
    if not enabled:
        return None
    return BackupSpec(every_minutes=every_minutes(every) or every_minutes(DEFAULT_EVERY) or 1440, keep=keep)
