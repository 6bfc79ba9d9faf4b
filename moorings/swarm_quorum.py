"""How many managers a swarm may have: at least one, and an odd number (Raft quorum)."""

from __future__ import annotations

from typing import Optional


def tolerated_failures(managers: int) -> int:
    """Managers that may fail while a majority still agrees: N managers tolerate (N-1)/2."""
    return (managers - 1) // 2


def manager_count_problem(managers: int) -> Optional[str]:
    """None when `managers` managers make a sound swarm; else what is expected, and why."""
    if managers < 1:
        return (
            "at least one host with role manager: the swarm is initialised on the first manager "
            "and every other host joins through it"
        )
    if managers % 2 == 0:
        return (
            f"an odd number of managers, found {managers}. Managers agree through Raft, which needs a "
            "majority of them up: N managers tolerate (N-1)/2 failures, so 3 survive 1 and 5 survive 2. "
            f"{managers} managers survive only {tolerated_failures(managers)}, as {managers - 1} would: "
            "make one more host a manager, or one fewer"
        )
    return None
