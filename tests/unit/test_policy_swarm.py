"""swarm-odd-managers: read from the SwarmCluster component's `managers` input."""

import pulumi
import pytest

from tests.policy_harness import check, messages


class SwarmCluster(pulumi.ComponentResource):
    """The shape the rule expects of the cluster component: its manager hosts as an input."""

    def __init__(self, name, props):
        super().__init__("moorings:index:SwarmCluster", name, props, None)
        self.register_outputs({})


def program():
    SwarmCluster("three", {"managers": ["10.0.0.1", "10.0.0.2", "10.0.0.3"], "workers": ["10.0.0.4"]})
    SwarmCluster("single-node", {"managers": ["127.0.0.1"]})
    SwarmCluster("two", {"managers": ["10.0.0.1", "10.0.0.2"]})
    SwarmCluster("four-by-count", {"managers": 4})
    SwarmCluster("none", {"managers": []})
    SwarmCluster("silent", {"hosts": ["10.0.0.1"]})


@pytest.fixture(scope="module")
def violations():
    return [v for v in check(program) if v.policy == "swarm-odd-managers"]


@pytest.mark.parametrize("cluster", ["three", "single-node"])
def test_an_odd_manager_count_passes(violations, cluster):
    assert messages(violations, "swarm-odd-managers", cluster) == []


def test_an_even_manager_list_is_a_violation_that_explains_quorum(violations):
    assert messages(violations, "swarm-odd-managers", "two") == [
        "moorings:index:SwarmCluster 'two': managers lists 2 manager(s), an even number. Raft needs a majority: 2 "
        "managers survive no more failures than 1. Fix: run an odd number of managers (1 for development, 3 survive "
        "1 failure, 5 survive 2); make the others workers."
    ]


def test_a_manager_count_is_accepted_too(violations):
    assert messages(violations, "swarm-odd-managers", "four-by-count") == [
        "moorings:index:SwarmCluster 'four-by-count': managers is 4, an even number. Raft needs a majority: 4 "
        "managers survive no more failures than 3. Fix: run an odd number of managers (1 for development, 3 survive "
        "1 failure, 5 survive 2); make the others workers."
    ]


def test_no_manager_at_all_is_a_violation(violations):
    assert messages(violations, "swarm-odd-managers", "none") == [
        "moorings:index:SwarmCluster 'none': managers lists 0 manager(s): a swarm needs at least one. Fix: run an odd "
        "number of managers (1 for development, 3 survive 1 failure, 5 survive 2)."
    ]


def test_a_cluster_that_hides_its_managers_cannot_be_checked_and_says_how_to_expose_them(violations):
    assert messages(violations, "swarm-odd-managers", "silent") == [
        "moorings:index:SwarmCluster 'silent': has no `managers` input, so its manager count cannot be checked. Fix: "
        "pass the manager hosts to the component's resource inputs, e.g. "
        "super().__init__(\"moorings:index:SwarmCluster\", name, {\"managers\": [...]}, opts)."
    ]


def test_exactly_these_violations(violations):
    assert len(violations) == 4
