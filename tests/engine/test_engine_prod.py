"""prod through the real engine, rendered (tests/cluster/test_cluster_prod.py deploys it in `existing` mode):
the autoscaler owns the replica count and a preview says so when wordpress.replicas asks for
another, and its protected claims make `pulumi destroy` refuse."""

import pytest

from tests.pulumi_engine import assert_an_autoscaled_replica_count_warns_and_changes_nothing, assert_destroy_keeps_only_the_protected_claims, EngineProject, require_engine

pytestmark = [pytest.mark.engine, pytest.mark.kubernetes_provider]


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    require_engine()
    project = EngineProject(tmp_path_factory.mktemp("prod"))
    project.init("prod")
    project.set("prod", "kubernetes.mode", "render")
    project.up("prod")
    return project


def test_a_replica_count_the_autoscaler_owns_is_a_warning_not_a_silent_no_op(prod):
    assert_an_autoscaled_replica_count_warns_and_changes_nothing(prod, "prod")


def test_destroy_refuses_to_delete_the_protected_claims(prod):
    assert_destroy_keeps_only_the_protected_claims(prod, "prod")
