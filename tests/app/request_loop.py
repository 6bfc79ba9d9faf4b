"""A visitor who keeps reading one page while the stack changes under it: how many requests failed,
and over how many seconds. Bounded in count and time; to the stack's own address only (loopback,
or on the cluster tier's node a Service address of the node's own network)."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Optional

MAX_REQUESTS = 4000
MAX_SECONDS = 900
PAUSE = 0.2  # seconds between requests: about five a second, a reader's refreshes, not a load test


def failed(status: int) -> bool:
    """No answer at all (0) or a server error."""
    return status == 0 or status >= 500


@dataclass
class RequestLoop:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    """Sent with each request, e.g. the Host a site was installed at when `url` is another address."""
    answers: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since the start when the request was sent, HTTP status; 0 for no answer at all)."""
    ended: list[float] = field(default_factory=list)
    """When each answer arrived, on the same clock, in the order of `answers`."""

    def __enter__(self) -> "RequestLoop":
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def now(self) -> float:
        """Seconds since the start, on the clock of `answers`."""
        return time.monotonic() - self._started

    def _run(self) -> None:
        while not self._stop.is_set() and len(self.answers) < MAX_REQUESTS:
            elapsed = time.monotonic() - self._started
            if elapsed > MAX_SECONDS:
                return
            status = self._status()
            self.ended.append(self.now())
            self.answers.append((elapsed, status))
            time.sleep(PAUSE)

    def _status(self) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url, headers=self.headers), timeout=10) as page:
                return page.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    @property
    def failures(self) -> list[tuple[float, int]]:
        return [(at, status) for at, status in self.answers if failed(status)]

    @property
    def failed_seconds(self) -> float:
        """From the first failed request to the last one (0 when none failed)."""
        failed = self.failures
        return failed[-1][0] - failed[0][0] if failed else 0.0

    def failed_before(self, moment: float) -> list[tuple[float, int]]:
        """Failed answers that arrived before `moment`: ones a fault at `moment` cannot explain (a
        request still waiting at that moment may fail because of it)."""
        return [(at, status) for (at, status), end in zip(self.answers, self.ended) if failed(status) and end < moment]

    def serving_since(self, since: float, count: int = 3) -> Optional[str]:
        """None once the last `count` answers after `since` are 200s, else what they were (a
        wait_for check)."""
        last = [status for at, status in self.answers if at >= since][-count:]
        return None if last == [200] * count else f"the last answers: {last}"

    def back_after(self, since: float) -> float:
        """Seconds from `since` (on the clock of `answers`) until the answer to the first request after
        the last failed one arrived: when the visitor had the page again for good (0 when nothing
        failed among the requests sent after `since`)."""
        after = [i for i, (at, _) in enumerate(self.answers) if at >= since]
        failures = [i for i in after if failed(self.answers[i][1])]
        if not failures:
            return 0.0
        if failures[-1] + 1 == len(self.answers):
            raise AssertionError(f"the last answer failed: {self.summary()}")
        return self.ended[failures[-1] + 1] - since

    def summary(self) -> str:
        failed = self.failures
        statuses = sorted({status for _, status in failed})
        return (
            f"{len(self.answers)} requests over {self.answers[-1][0] if self.answers else 0:.1f} s, "
            f"{len(failed)} failed ({', '.join(map(str, statuses)) or 'none'}) within {self.failed_seconds:.1f} s"
        )
