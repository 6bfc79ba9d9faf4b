"""A person's browser: Debian's headless Chromium, with no network beyond the page it is given
(the flags keep it from calling home, which this machine's closed network refuses)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from tests.pulumi_engine import engine_required

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1280,960",
)


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        reason = "no chromium on PATH (apt-get install chromium)"
        if engine_required():
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _run(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
        )


def rendered_dom(url: str) -> str:
    """The page's DOM after Chromium has run it."""
    run = _run("--dump-dom", url)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def screenshot(url: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    run = _run(f"--screenshot={path}", url)
    assert run.returncode == 0 and path.exists(), run.stderr[-2000:]
    return path


def distinct_pixel_bytes(path: Path) -> int:
    """How many different byte values the image's pixels hold: a blank page has a handful."""
    data = path.read_bytes()
    position, idat = 8, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            idat += data[position + 8 : position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(idat)))
