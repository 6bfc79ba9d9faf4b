"""Stacks staging and prod end to end with their committed config, and the objects they
declare checked as Kubernetes would check them: references between objects, and the API schemas."""

import copy

import pytest

from tests.kubernetes_checks import KUBERNETES_VERSION, reference_problems, schema_problems
from tests.kubernetes_support import PROVIDER, deploy, find, manifests

VARIANTS = {
    "staging": ("staging", {}),
    "prod": ("prod", {}),
    "staging-nodeport-single": (
        "staging",
        {"kubernetes.exposure": "NodePort", "wordpress.replicas": 1, "kubernetes.wpContentAccessMode": None},
    ),
    "prod-loadbalancer-fixed-replicas": (
        "prod",
        {"kubernetes.exposure": "LoadBalancer", "kubernetes.ingressHost": None, "kubernetes.ingressClass": None, "kubernetes.ingressTlsSecret": None, "kubernetes.autoscaling": False},
    ),
}


def kinds(run):
    return sorted((o["kind"], o["metadata"]["name"]) for o in manifests(run))


def test_staging_renders_two_wordpress_replicas_and_the_demo_with_no_cluster():
    run = deploy("staging")
    assert run.outputs == {
        "platform": "kubernetes",
        "clusterMode": "render",
        "renderDir": "rendered/staging",
        "namespace": "moorings-staging",
        "url": "http://wordpress.moorings-staging.svc.cluster.local:80",
        "wordpressDeployment": "wordpress",
        "mysqlStatefulSet": "mysql",
        "services": {"demo": "demo"},
    }
    assert run.one(PROVIDER).inputs == {"renderYamlToDirectory": "rendered/staging"}
    assert kinds(run) == [
        ("ConfigMap", run.one("kubernetes:core/v1:ConfigMap").inputs["metadata"]["name"]),
        ("Deployment", "demo"),
        ("Deployment", "wordpress"),
        ("Job", run.one("kubernetes:batch/v1:Job", "mysql-credentials").inputs["metadata"]["name"]),
        ("Job", run.one("kubernetes:batch/v1:Job", "mysql-credentials-close").inputs["metadata"]["name"]),
        ("Namespace", "moorings-staging"),
        ("NetworkPolicy", "demo"),
        ("NetworkPolicy", "mysql"),
        ("NetworkPolicy", "mysql-credentials"),
        ("NetworkPolicy", "wordpress"),
        ("PersistentVolumeClaim", "mysql-data"),
        ("PersistentVolumeClaim", "wp-content"),
        ("PodDisruptionBudget", "demo"),
        ("PodDisruptionBudget", "wordpress"),
        ("Secret", run.one("kubernetes:core/v1:Secret", "secret").inputs["metadata"]["name"]),
        ("Secret", "mysql-credentials"),
        ("Service", "demo"),
        ("Service", "mysql"),
        ("Service", "wordpress"),
        ("StatefulSet", "mysql"),
    ]


def test_prod_deploys_to_its_named_context_with_every_safeguard_on():
    run = deploy("prod")
    assert run.output("clusterMode") == "existing" and "renderDir" not in run.outputs
    assert run.one(PROVIDER).inputs == {"context": "moorings-prod", "enableServerSideApply": "true"}
    objects = manifests(run)
    assert find(objects, "PodDisruptionBudget", "wordpress") and find(objects, "PodDisruptionBudget", "demo")
    assert find(objects, "NetworkPolicy", "mysql")
    autoscaler = find(objects, "HorizontalPodAutoscaler", "wordpress")["spec"]
    assert (autoscaler["minReplicas"], autoscaler["maxReplicas"]) == (3, 10)
    assert sorted(r.name for r in run.resources if r.protect) == ["mysql-data", "wp-content"]
    assert find(objects, "Ingress", "wordpress")["spec"]["tls"]
    assert find(objects, "Deployment", "demo")["spec"]["replicas"] == 3


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_resource_sits_under_a_component(stack):
    run = deploy(stack)
    components = {r.urn for r in run.resources if not r.custom}
    assert {r.name for r in run.resources if r.parent not in components} == {"cluster", "secrets", "wordpress", "demo"}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def objects(request):
    stack, changes = VARIANTS[request.param]
    return manifests(deploy(stack, changes))


def test_the_objects_refer_only_to_what_exists(objects):
    assert reference_problems(objects) == []


def test_the_objects_are_valid_for_the_kubernetes_api(objects):
    assert len(objects) >= 10
    assert schema_problems(objects) == []


# -- the checks themselves find broken objects ------------------------------------------------


def _break(objects, kind, name, change):
    broken = copy.deepcopy(objects)
    change(find(broken, kind, name))
    return broken


def _pod(obj):
    return obj["spec"]["template"]["spec"]


def _volume(obj, source):
    (volume,) = [v for v in _pod(obj)["volumes"] if source in v]
    return volume


BREAKS = {
    "selector misses the pod labels": ("Deployment", "wordpress", lambda o: o["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/name": "wp"}), "selector does not select"),
    "service targets a missing port": ("Service", "wordpress", lambda o: o["spec"]["ports"][0].update({"targetPort": "web"}), "targets web"),
    "probe on a missing port": ("Deployment", "wordpress", lambda o: _pod(o)["containers"][0]["readinessProbe"]["httpGet"].update({"port": 9090}), "probes port 9090"),
    "claim not declared": ("StatefulSet", "mysql", lambda o: _pod(o)["volumes"][0]["persistentVolumeClaim"].update({"claimName": "gone"}), "claims gone"),
    "secret key missing": ("StatefulSet", "mysql", lambda o: _volume(o, "secret")["secret"]["items"].append({"key": "nope", "path": "nope"}), "lacks"),
    "config map not declared": ("Deployment", "wordpress", lambda o: _volume(o, "configMap")["configMap"].update({"name": "gone"}), "ConfigMap gone"),
    "policy selects nothing": ("NetworkPolicy", "mysql", lambda o: o["spec"]["podSelector"]["matchLabels"].update({"app.kubernetes.io/name": "db"}), "selects no pods"),
    "headless service missing": ("StatefulSet", "mysql", lambda o: o["spec"].update({"serviceName": "db"}), "not a headless Service"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_the_reference_check_finds_a_broken_reference(case):
    kind, name, change, expected = BREAKS[case]
    objects = manifests(deploy("staging"))
    problems = reference_problems(_break(objects, kind, name, change))
    assert any(expected in p for p in problems), problems


def test_the_reference_check_finds_an_autoscaled_deployment_that_sets_replicas():
    objects = _break(manifests(deploy("prod")), "Deployment", "wordpress", lambda o: o["spec"].update({"replicas": 3}))
    assert any("sets spec.replicas, which the autoscaler owns" in p for p in reference_problems(objects))


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda o: o["spec"].update({"replicas": "two"}), "'two' is not of type 'integer'"),
        (lambda o: o["spec"].update({"replica": 2}), "'replica' was unexpected"),
        (lambda o: _pod(o)["containers"][0].pop("name"), "'name' is a required property"),
    ],
)
def test_the_schema_check_finds_an_invalid_object(change, expected):
    objects = _break(manifests(deploy("staging")), "Deployment", "wordpress", change)
    problems = schema_problems(objects)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_schemas_are_the_bundled_ones_of_a_recent_kubernetes():
    import kubernetes_validate

    assert KUBERNETES_VERSION in {v.rsplit(".", 1)[0] for v in kubernetes_validate.utils.all_versions()}
