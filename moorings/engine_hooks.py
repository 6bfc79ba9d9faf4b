"""Whether this run of a program can bind resource hooks (the before-create hooks of
engine_names, which free names an interrupted `up` left).

The engine runs them (`pulumi up`), and so does the recorder of this repository's unit tests
(tests/harness.py). Under Pulumi's own mocks with no callback server, which is how a user unit-tests
a program built on the moorings package, binding one fails the whole run ("No callback server
registered"); there nothing is created, so nothing can have been left, and no hook is bound.
"""

from __future__ import annotations

from pulumi.runtime import settings
from pulumi.runtime.mocks import MockMonitor


def hooks_run_here() -> bool:
    current = settings.SETTINGS
    return current.callbacks is not None or not isinstance(current.monitor, MockMonitor)
