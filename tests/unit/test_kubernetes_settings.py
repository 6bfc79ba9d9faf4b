"""`kubernetes.*` settings: read once, each bad value named with what is accepted."""

import pytest

from moorings.wordpress_builders.kubernetes.options import (
    Autoscaling,
    Exposure,
    Ingress,
    Resources,
    Safeguards,
    Storage,
)
from tests.unit.settings_loader import load, problems

K8S = {"platform": "kubernetes"}
SHARED = {"wpContentAccessMode": "ReadWriteMany", "wpContentStorageClass": "nfs-client"}


def kube(settings=None, **top):
    return {**K8S, **({"kubernetes": settings} if settings else {}), **top}


def test_defaults_render_to_a_directory_in_namespace_moorings():
    settings = load(kube())
    cluster, options = settings.kubernetes.cluster, settings.kubernetes.wordpress
    assert (cluster.mode, cluster.render_dir, cluster.namespace) == ("render", "rendered", "moorings")
    assert (cluster.kubeconfig, cluster.context, cluster.kind_node_image) == (None, None, None)
    assert options.mysql_storage == Storage("10Gi")
    assert options.wp_content_storage == Storage("5Gi", None, "ReadWriteOnce")
    assert options.exposure == Exposure("ClusterIP")
    assert options.safeguards == Safeguards(disruption_budget=True, network_policy=True)
    assert options.autoscaling is None
    assert options.wordpress_resources == Resources("250m", "1", "512Mi")
    assert options.mysql_resources == Resources("250m", "1", "1Gi")


def test_the_kind_cluster_is_named_after_the_stack_unless_set():
    assert load(kube(), stack="staging").kubernetes.cluster.kind_cluster == "moorings-staging"
    assert load(kube({"kindCluster": "blog"})).kubernetes.cluster.kind_cluster == "blog"


def test_an_existing_cluster_is_reached_through_kubeconfig_and_context():
    cluster = load(kube({"mode": "existing", "kubeconfig": "/home/ops/.kube/prod", "context": "prod"})).kubernetes.cluster
    assert (cluster.mode, cluster.kubeconfig, cluster.context) == ("existing", "/home/ops/.kube/prod", "prod")


def test_empty_strings_from_the_project_defaults_mean_unset():
    cluster = load(kube({"kubeconfig": "", "context": "", "kindCluster": ""}), stack="s").kubernetes.cluster
    assert (cluster.kubeconfig, cluster.context, cluster.kind_cluster) == (None, None, "moorings-s")


def test_ingress_exposure_puts_a_clusterip_service_behind_the_ingress():
    exposure = load(
        kube({"exposure": "Ingress", "ingressHost": "blog.example.com", "ingressTlsSecret": "blog-tls"})
    ).kubernetes.wordpress.exposure
    assert exposure == Exposure("ClusterIP", None, Ingress("blog.example.com", None, "blog-tls"))


def test_autoscaling_reads_its_bounds_and_target():
    settings = load(kube({**SHARED, "autoscaling": True, "autoscalingMinReplicas": 2, "autoscalingMaxReplicas": 6, "autoscalingCpuPercent": 60}, wordpress={"replicas": 2}))
    assert settings.kubernetes.wordpress.autoscaling == Autoscaling(2, 6, 60)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"mode": "minikube"}, "moorings:kubernetes.mode = 'minikube' is not accepted: expected one of existing, kind, render"),
        ({"kubeconfig": "~/.kube/prod"}, "moorings:kubernetes.kubeconfig = '~/.kube/prod' is not accepted: expected an absolute path, a path relative to the project, or the kubeconfig's contents"),
        ({"namespace": "Blog"}, "moorings:kubernetes.namespace = 'Blog' is not accepted: expected a DNS label"),
        ({"namespace": "default"}, "moorings:kubernetes.namespace = 'default' is not accepted: expected a namespace of the stack's own"),
        ({"namespace": "kube-system"}, "moorings:kubernetes.namespace = 'kube-system' is not accepted: expected a namespace of the stack's own"),
        ({"kindNodeImage": "kindest/node"}, "moorings:kubernetes.kindNodeImage = 'kindest/node' is not accepted: expected a pinned image"),
        ({"mysqlStorageSize": "10GB"}, "moorings:kubernetes.mysqlStorageSize = '10GB' is not accepted: expected a size in Ki, Mi, Gi or Ti"),
        ({"mysqlStorageClass": "Fast SSD"}, "moorings:kubernetes.mysqlStorageClass = 'Fast SSD' is not accepted: expected a Kubernetes object name"),
        ({"wpContentAccessMode": "ReadOnlyMany"}, "moorings:kubernetes.wpContentAccessMode = 'ReadOnlyMany' is not accepted: expected one of ReadWriteOnce, ReadWriteMany"),
        ({"exposure": "HostPort"}, "moorings:kubernetes.exposure = 'HostPort' is not accepted: expected one of ClusterIP, NodePort, LoadBalancer, Ingress"),
        ({"exposure": "NodePort", "nodePort": 8080}, "moorings:kubernetes.nodePort = 8080 is not accepted: expected 0 (the cluster picks one) or a port from 30000 to 32767"),
        ({"nodePort": 30080}, "moorings:kubernetes.nodePort = 30080 is not accepted: expected 0 unless kubernetes.exposure is NodePort"),
        ({"exposure": "Ingress"}, "moorings:kubernetes.ingressHost = '' is not accepted: expected the host name WordPress is served on"),
        ({"exposure": "Ingress", "ingressHost": "localhost"}, "moorings:kubernetes.ingressHost = 'localhost' is not accepted: expected a lowercase DNS host name"),
        ({"ingressHost": "blog.example.com"}, "moorings:kubernetes.ingressHost = 'blog.example.com' is not accepted: expected no value unless kubernetes.exposure is Ingress"),
        ({"disruptionBudget": "yes"}, "moorings:kubernetes.disruptionBudget = 'yes' is not accepted: expected true or false"),
        ({"autoscalingCpuPercent": 0}, "moorings:kubernetes.autoscalingCpuPercent = 0 is not accepted: expected a whole number from 1 to 100"),
        ({"autoscalingMinReplicas": 4, "autoscalingMaxReplicas": 3}, "moorings:kubernetes.autoscalingMaxReplicas = 3 is not accepted: expected at least kubernetes.autoscalingMinReplicas (4)"),
        ({"wordpressCpu": "fast"}, "moorings:kubernetes.wordpressCpu = 'fast' is not accepted: expected CPU as a Kubernetes quantity"),
        ({"mysqlMemory": "1G"}, "moorings:kubernetes.mysqlMemory = '1G' is not accepted: expected a size in Ki, Mi, Gi or Ti"),
        ({"mysqlCpu": "2", "mysqlCpuLimit": "500m"}, "moorings:kubernetes.mysqlCpuLimit = '500m' is not accepted: expected at least kubernetes.mysqlCpu (2)"),
        ({"namspace": "x"}, "moorings:kubernetes.namspace is not a Moorings setting: expected a known key (did you mean kubernetes.namespace?)"),
    ],
)
def test_a_bad_value_names_key_value_and_what_is_accepted(settings, expected):
    (problem,) = problems(kube(settings))
    assert problem.startswith(expected), problem


def test_more_than_one_replica_needs_a_shared_wp_content_claim():
    assert problems(kube(wordpress={"replicas": 2})) == [
        "moorings:wordpress.replicas = 2 is not accepted: expected 1 while kubernetes.wpContentAccessMode is "
        "ReadWriteOnce: every WordPress pod mounts wp-content, so more than one needs "
        "kubernetes.wpContentAccessMode ReadWriteMany and a kubernetes.wpContentStorageClass that provides it "
        "(NFS, CephFS, EFS, Azure Files, Longhorn)"
    ]
    assert load(kube(SHARED, wordpress={"replicas": 2})).wordpress.replicas == 2


def test_an_autoscaler_that_may_add_pods_needs_a_shared_claim_too():
    (problem,) = problems(kube({"autoscaling": True, "autoscalingMinReplicas": 1, "autoscalingMaxReplicas": 3}))
    assert problem.startswith("moorings:kubernetes.autoscalingMaxReplicas = 3 is not accepted: expected 1 while")


def test_with_autoscaling_the_replica_count_must_sit_within_its_bounds():
    (problem,) = problems(kube({**SHARED, "autoscaling": True, "autoscalingMinReplicas": 3, "autoscalingMaxReplicas": 10}, wordpress={"replicas": 12}))
    assert problem.startswith(
        "moorings:wordpress.replicas = 12 is not accepted: expected a count from kubernetes.autoscalingMinReplicas "
        "to kubernetes.autoscalingMaxReplicas (3 to 10) while kubernetes.autoscaling is on"
    )


def test_the_dockerfile_variant_is_refused_on_kubernetes():
    (problem,) = problems(kube(wordpress={"build": True}))
    assert problem.startswith("moorings:wordpress.build = true is not accepted: expected false on platform kubernetes")


DEMO = {"image": "nginx:1.27.3-alpine", "ports": [{"target": 80, "published": 80}]}


@pytest.mark.parametrize(
    "name, entry, expected",
    [
        ("edge", {"image": "nginx:1.27.3-alpine", "mode": "global"}, "moorings:services.edge.mode = 'global' is not accepted: expected replicated on platform kubernetes"),
        ("demo", {**DEMO, "ports": [{"target": 80, "mode": "host"}]}, "moorings:services.demo.ports[0].mode = 'host' is not accepted: expected ingress on platform kubernetes"),
        ("demo", {**DEMO, "ports": [{"target": 80}, {"target": 8080, "published": 80}]}, "moorings:services.demo.ports[1].published = 80 is not accepted: expected a port this service does not publish twice"),
    ],
)
def test_services_that_kubernetes_cannot_run_are_refused(name, entry, expected):
    (problem,) = problems(kube(services={name: entry}))
    assert problem.startswith(expected), problem


def test_kubernetes_only_rules_do_not_apply_to_other_platforms():
    settings = load({"platform": "swarm", "wordpress": {"replicas": 3}, "services": {"edge": {"image": "nginx:1.27.3-alpine", "mode": "global"}}})
    assert settings.wordpress.replicas == 3


def test_bad_kubernetes_config_stops_the_stack_before_any_resource():
    from stacks.settings import ConfigError
    from tests.kubernetes_support import run_stack

    run = run_stack("staging", {"kubernetes.exposure": "Gateway", "kubernetes.wpContentAccessMode": None}, capture_error=True)
    assert isinstance(run.error, ConfigError)
    assert [p.split(" = ")[0] for p in run.error.problems] == ["moorings:kubernetes.exposure", "moorings:wordpress.replicas"]
    assert run.resources == []
