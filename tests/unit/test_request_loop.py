"""The visitor's figures: when the page was served again for good counts from the answer's arrival,
not from when its request was sent (a request waiting on a restarting database takes seconds)."""

import pytest

from tests.app.request_loop import RequestLoop


def loop_with(answers: list[tuple[float, int]], ended: list[float]) -> RequestLoop:
    return RequestLoop("http://127.0.0.1:1/", answers=answers, ended=ended)


def test_served_again_when_the_first_answer_after_the_last_failure_arrived():
    loop = loop_with([(0.0, 200), (1.0, 500), (1.2, 200), (1.4, 200)], [0.1, 1.1, 2.5, 2.6])
    assert loop.back_after(0.9) == pytest.approx(1.6)


def test_a_failure_sent_before_since_does_not_count():
    loop = loop_with([(0.0, 500), (0.5, 200), (1.0, 200)], [0.4, 0.6, 1.1])
    assert loop.back_after(0.2) == 0.0


def test_the_last_answer_failed_is_an_error():
    loop = loop_with([(0.0, 200), (1.0, 0)], [0.1, 11.0])
    with pytest.raises(AssertionError, match="the last answer failed"):
        loop.back_after(0.5)


def test_a_failure_answered_after_the_fault_is_the_faults_even_if_sent_before():
    loop = loop_with([(0.0, 200), (0.9, 500), (1.2, 500), (1.4, 200)], [0.1, 1.3, 1.3, 2.0])
    assert loop.failed_before(1.0) == []


def test_a_failure_answered_before_the_fault_is_reported():
    loop = loop_with([(0.0, 502), (0.9, 500), (1.4, 200)], [0.1, 1.3, 2.0])
    assert loop.failed_before(1.0) == [(0.0, 502)]
