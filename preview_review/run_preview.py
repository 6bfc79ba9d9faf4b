"""Run the stack's preview the way the review needs it: `pulumi preview --json` with the
stack's policy pack config, in the event-stream form (the digest leaves policy out)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class PreviewNotRun(RuntimeError):
    pass


def command(stack: str) -> list[str]:
    return [
        "pulumi",
        "preview",
        "--stack",
        stack,
        "--json",
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        f"policies/config/{stack}.json",
    ]


def run_preview(stack: str, project: Path) -> str:
    """The preview's JSON events. A preview that fails (a mandatory violation, an error) still
    prints them: the review reports the failure, so the exit status is not an error here."""
    if not (project / "policies" / "config" / f"{stack}.json").is_file():
        raise PreviewNotRun(f"no policy config for stack {stack!r}: expected {project}/policies/config/{stack}.json")
    env = {
        **os.environ,
        "PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true",
        # Never the internet, whichever CLI is on PATH (toolchain/env.sh sets the same).
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    try:
        done = subprocess.run(command(stack), cwd=project, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PreviewNotRun("the pulumi CLI is not on PATH (. toolchain/env.sh puts the project's on it)") from None
    if not done.stdout.strip():
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise PreviewNotRun(f"`{' '.join(command(stack))}` printed no JSON: {detail}")
    return done.stdout
