"""A container health check, written once and handed to each platform's own argument type."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class HealthProbe:
    tests: Sequence[str]
    """Docker's test form: ["CMD", ...] or ["CMD-SHELL", "..."]."""
    interval: str = "30s"
    timeout: str = "5s"
    retries: int = 3
    start_period: str = "10s"
    """Failures in this first period after start do not count."""

    def as_args(self, args_type: type) -> Any:
        """The probe as a provider's healthcheck args (their field names are the same)."""
        return args_type(**{**asdict(self), "tests": list(self.tests)})
