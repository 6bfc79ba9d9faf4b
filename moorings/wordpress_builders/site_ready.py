"""`up` returns on a working site, not on started containers.

MySQL and WordPress start side by side (WordPress's entrypoint needs no database), and this
gate, run where `pulumi up` runs, asks WordPress's published port for its login page until
it answers 200 (WordPress answers 500 while its database does not): the first 200 comes as
soon as the two are ready, instead of after MySQL's first health check interval and then
WordPress's start. It runs again whenever either container is replaced.
"""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_command as command

TIMEOUT_SECONDS = 300
# Python, which every machine that runs this program has; standard library only.
PROBE = """\
import os, sys, time, urllib.error, urllib.request
url, deadline = os.environ["MOORINGS_PROBE_URL"], time.monotonic() + int(os.environ["MOORINGS_PROBE_TIMEOUT"])
last = "no answer"
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=5) as page:
            if page.status == 200:
                sys.exit(0)
            last = f"HTTP {page.status}"
    except urllib.error.HTTPError as error:
        last = f"HTTP {error.code}"
    except OSError as error:
        last = str(getattr(error, "reason", error))
    time.sleep(0.5)
sys.exit(f"{url} did not answer 200 within {os.environ['MOORINGS_PROBE_TIMEOUT']} s (last: {last}); "
         f"see `docker logs` of the WordPress and MySQL containers")
"""


def site_ready(
    parent: pulumi.Resource, probe_url: str, containers: Sequence[pulumi.Resource], ids: Sequence[pulumi.Input[str]]
) -> command.local.Command:
    """Waits for `probe_url` to answer 200 after `containers` (whose `ids` trigger a new wait) start."""
    return command.local.Command(
        "site-ready",
        create=PROBE,
        interpreter=["python3", "-c"],
        environment={"MOORINGS_PROBE_URL": probe_url, "MOORINGS_PROBE_TIMEOUT": str(TIMEOUT_SECONDS)},
        triggers=list(ids),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(containers)),
    )
