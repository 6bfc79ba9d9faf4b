"""A stand-in `pulumi` for the review tool's tests: it records how it was called and prints a real preview."""

import stat
from pathlib import Path


def fake_pulumi(bin_dir: Path, fixture: Path, exit_code: int = 0) -> Path:
    """A `pulumi` that records its arguments and prints a real preview."""
    log = bin_dir / "pulumi.log"
    script = bin_dir / "pulumi"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$PWD|$PULUMI_ENABLE_STREAMING_JSON_PREVIEW|$PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION'
        f'|$PULUMI_SKIP_UPDATE_CHECK|$*" >> "{log}"\n'
        f'cat "{fixture}"\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log
