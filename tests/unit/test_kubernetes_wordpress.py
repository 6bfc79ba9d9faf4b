"""WordPressStack on Kubernetes (recipe 8): what the provider receives for MySQL, WordPress,
their storage, the exposure, and the safeguards, as the stacks configure them."""

import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_builders.kubernetes.options import Storage, WordPressKubernetesOptions
from moorings.wordpress_args import MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.wordpress_stack import WordPressStack
from tests.harness import run_program
from tests.kubernetes_support import container, deploy, find, manifests

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"
SINGLE = {"wordpress.replicas": 1, "kubernetes.wpContentAccessMode": None, "kubernetes.wpContentStorageClass": None}


@pytest.fixture(scope="module")
def staging():
    return deploy("staging")


@pytest.fixture(scope="module")
def prod():
    return deploy("prod")


@pytest.fixture(scope="module")
def objects(staging):
    return manifests(staging)


def kinds(objects):
    return sorted((o["kind"], o["metadata"]["name"]) for o in objects)


def test_the_stack_declares_mysql_wordpress_their_claims_exposure_and_safeguards(staging):
    stack = staging.one("moorings:index:WordPressStack")
    children = sorted((r.type.split(":")[-1], r.name) for r in staging.children_of(stack))
    assert children == [
        ("ConfigMap", "wordpress-apache"),
        ("Deployment", "wordpress"),
        ("Job", "mysql-credentials"),
        ("Job", "mysql-credentials-close"),
        ("NetworkPolicy", "mysql"),
        ("NetworkPolicy", "mysql-credentials"),
        ("NetworkPolicy", "wordpress"),
        ("PersistentVolumeClaim", "mysql-data"),
        ("PersistentVolumeClaim", "wp-content"),
        ("PodDisruptionBudget", "wordpress"),
        ("Secret", "mysql-credentials-record"),
        ("Service", "mysql"),
        ("Service", "wordpress"),
        ("StatefulSet", "mysql"),
    ]


def test_every_object_lives_in_the_configured_namespace(objects):
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {"moorings-staging"}


# -- MySQL ------------------------------------------------------------------------------------


def test_mysql_is_a_statefulset_of_one_behind_a_headless_service(objects):
    mysql = find(objects, "StatefulSet", "mysql")
    assert mysql["spec"]["replicas"] == 1
    assert mysql["spec"]["serviceName"] == "mysql"
    service = find(objects, "Service", "mysql")["spec"]
    assert service["clusterIP"] == "None"
    # In DNS while its container restarts: WordPress reconnects once the server listens (on the
    # real node, served again 1.3-1.6 s after MySQL was killed, against 6.1 s without).
    assert service["publishNotReadyAddresses"] is True
    assert service["ports"] == [{"name": "mysql", "port": 3306, "targetPort": "mysql"}]
    assert container(mysql)["ports"] == [{"name": "mysql", "containerPort": 3306}]


def test_mysql_keeps_its_data_on_a_claim_of_the_configured_size_and_class(objects, prod):
    mysql = find(objects, "StatefulSet", "mysql")
    assert {"name": "data", "mountPath": "/var/lib/mysql"} in container(mysql)["volumeMounts"]
    # In a subdirectory: the claim's root may hold lost+found, and MySQL initialises empty directories only.
    assert container(mysql)["args"] == ["--datadir=/var/lib/mysql/data"]
    volumes = {v["name"]: v for v in mysql["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"] == {"claimName": "mysql-data"}
    assert "volumeClaimTemplates" not in mysql["spec"]  # a standalone claim, so it can be protected
    claim = find(objects, "PersistentVolumeClaim", "mysql-data")["spec"]
    assert claim == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}
    assert find(manifests(prod), "PersistentVolumeClaim", "mysql-data")["spec"]["resources"]["requests"] == {"storage": "20Gi"}
    classed = deploy("staging", {"kubernetes.mysqlStorageClass": "fast-ssd"})
    assert classed.one(CLAIM, "mysql-data").inputs["spec"]["storageClassName"] == "fast-ssd"


def test_mysql_creates_the_wordpress_database_and_user_reading_passwords_from_files(objects):
    env = {e["name"]: e["value"] for e in container(find(objects, "StatefulSet", "mysql"))["env"]}
    assert env == {
        "MYSQL_DATABASE": "wordpress",
        "MYSQL_USER": "wordpress",
        "MYSQL_PASSWORD_FILE": "/run/secrets/mysql-password",
        "MYSQL_ROOT_PASSWORD_FILE": "/run/secrets/mysql-root-password",
    }


def test_mysql_has_startup_readiness_and_liveness_probes_over_tcp(objects):
    mysql = container(find(objects, "StatefulSet", "mysql"))
    ping = ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert mysql[probe]["exec"]["command"] == ping
    assert mysql["startupProbe"]["failureThreshold"] * mysql["startupProbe"]["periodSeconds"] == 300


def test_mysql_requests_and_limits_come_from_config(objects):
    assert container(find(objects, "StatefulSet", "mysql"))["resources"] == {
        "requests": {"cpu": "100m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


@pytest.mark.parametrize("kind, name, user", [("StatefulSet", "mysql", 999), ("Deployment", "wordpress", 33)])
def test_both_run_as_the_images_own_non_root_user_with_no_privileges(objects, kind, name, user):
    workload = find(objects, kind, name)
    pod = workload["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (user, user)
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container(workload)["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert "sysctls" not in pod["securityContext"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False


# -- WordPress --------------------------------------------------------------------------------


def test_wordpress_runs_the_configured_replicas_and_reaches_mysql_by_its_service(staging, objects):
    wordpress = find(objects, "Deployment", "wordpress")
    assert wordpress["spec"]["replicas"] == 2
    env = {e["name"]: e["value"] for e in container(wordpress)["env"]}
    assert env["WORDPRESS_DB_HOST"] == "mysql:3306"
    assert (env["WORDPRESS_DB_NAME"], env["WORDPRESS_DB_USER"]) == ("wordpress", "wordpress")
    assert container(wordpress)["image"] == "wordpress:6.8.3-apache"
    # First start installs against a live database.
    assert staging.one(STATEFULSET, "mysql").urn in staging.one(DEPLOYMENT, "wordpress").depends_on


def test_wordpress_serves_on_8080_through_an_apache_ports_conf_with_no_sysctl(objects):
    wordpress = find(objects, "Deployment", "wordpress")
    assert container(wordpress)["ports"] == [{"name": "http", "containerPort": 8080}]
    pod = wordpress["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if "configMap" in v]
    config = find(objects, "ConfigMap", volume["configMap"]["name"])
    assert config["immutable"] is True
    assert config["data"]["ports.conf"].splitlines()[1:4] == ["Listen 8080", "", "<VirtualHost *:8080>"]
    assert {"name": volume["name"], "mountPath": "/etc/apache2/ports.conf", "subPath": "ports.conf", "readOnly": True} in container(wordpress)["volumeMounts"]
    # The Service keeps its port and targets the container's by name.
    assert find(objects, "Service", "wordpress")["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]


def test_the_apache_config_map_is_named_after_its_content():
    from moorings.wordpress_builders.kubernetes import apache

    digest = __import__("hashlib").sha256(apache.PORTS_CONF_TEXT.encode()).hexdigest()[:10]
    (config,) = [o for o in manifests(deploy("staging")) if o["kind"] == "ConfigMap"]
    assert config["metadata"]["name"] == f"wordpress-apache-{digest}"


@pytest.mark.parametrize(
    "kind, name, writable",
    [
        ("StatefulSet", "mysql", {"/var/lib/mysql": "data", "/var/run/mysqld": "8Mi", "/var/lib/mysql-files": "64Mi", "/tmp": "1Gi"}),
        ("Deployment", "wordpress", {"/var/www/html": "256Mi", "/var/www/html/wp-content": "wp-content", "/var/run/apache2": "8Mi", "/var/lock/apache2": "8Mi", "/tmp": "256Mi"}),
    ],
)
def test_the_root_filesystem_is_read_only_and_only_the_images_write_paths_are_volumes(objects, kind, name, writable):
    workload = find(objects, kind, name)
    volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
    found = {}
    for mount in container(workload)["volumeMounts"]:
        volume = volumes[mount["name"]]
        if mount.get("readOnly") or "secret" in volume:
            continue
        found[mount["mountPath"]] = volume["emptyDir"]["sizeLimit"] if "emptyDir" in volume else mount["name"]
    assert found == writable


def test_wordpress_has_startup_readiness_and_liveness_probes(objects):
    wordpress = container(find(objects, "Deployment", "wordpress"))
    assert wordpress["startupProbe"]["httpGet"] == {"path": "/wp-login.php", "port": "http"}
    assert wordpress["readinessProbe"]["httpGet"] == {"path": "/wp-login.php", "port": "http"}
    # Alive while Apache answers: a database outage must not restart every WordPress pod.
    assert wordpress["livenessProbe"]["tcpSocket"] == {"port": "http"}


def test_wordpress_requests_and_limits_come_from_config(objects):
    assert container(find(objects, "Deployment", "wordpress"))["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }


def test_replicas_share_wp_content_on_a_read_write_many_claim(objects):
    wordpress = find(objects, "Deployment", "wordpress")
    assert {"name": "wp-content", "mountPath": "/var/www/html/wp-content"} in container(wordpress)["volumeMounts"]
    assert find(objects, "PersistentVolumeClaim", "wp-content")["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "nfs-client",
        "resources": {"requests": {"storage": "2Gi"}},
    }


def test_shared_storage_rolls_a_new_pod_in_before_an_old_one_goes(objects):
    assert find(objects, "Deployment", "wordpress")["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }


def test_a_single_pod_on_read_write_once_storage_stops_before_its_successor_starts():
    objects = manifests(deploy("staging", SINGLE))
    assert find(objects, "PersistentVolumeClaim", "wp-content")["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert find(objects, "Deployment", "wordpress")["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}


def test_replicas_spread_over_nodes_without_blocking_a_one_node_cluster(objects):
    (spread,) = find(objects, "Deployment", "wordpress")["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread == {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "wordpress", "app.kubernetes.io/instance": "moorings-staging"}},
    }


# -- exposure ---------------------------------------------------------------------------------


def test_by_default_a_clusterip_service_serves_the_configured_port(staging, objects):
    service = find(objects, "Service", "wordpress")["spec"]
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]
    assert not [o for o in objects if o["kind"] == "Ingress"]
    assert staging.output("url") == "http://wordpress.moorings-staging.svc.cluster.local:80"


def test_nodeport_exposure_may_fix_the_node_port():
    objects = manifests(deploy("staging", {"kubernetes.exposure": "NodePort", "kubernetes.nodePort": 30080}))
    service = find(objects, "Service", "wordpress")["spec"]
    assert service["type"] == "NodePort"
    assert service["ports"][0]["nodePort"] == 30080


def test_loadbalancer_exposure_asks_the_cloud_for_a_load_balancer():
    objects = manifests(deploy("staging", {"kubernetes.exposure": "LoadBalancer"}))
    assert find(objects, "Service", "wordpress")["spec"]["type"] == "LoadBalancer"
    assert find(objects, "Service", "demo")["spec"]["type"] == "LoadBalancer"  # the services follow


def test_ingress_exposure_routes_the_host_to_the_service_over_tls(prod):
    objects = manifests(prod)
    assert find(objects, "Service", "wordpress")["spec"]["type"] == "ClusterIP"
    ingress = find(objects, "Ingress", "wordpress")["spec"]
    assert ingress["ingressClassName"] == "nginx"
    assert ingress["tls"] == [{"hosts": ["wordpress.example.com"], "secretName": "wordpress-example-com-tls"}]
    (rule,) = ingress["rules"]
    assert rule["host"] == "wordpress.example.com"
    assert rule["http"]["paths"] == [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "wordpress", "port": {"name": "http"}}}}
    ]
    assert prod.output("url") == "https://wordpress.example.com/"


def test_an_ingress_without_a_tls_secret_serves_http():
    run = deploy("prod", {"kubernetes.ingressTlsSecret": None, "kubernetes.ingressClass": None})
    ingress = find(manifests(run), "Ingress", "wordpress")["spec"]
    assert "tls" not in ingress and "ingressClassName" not in ingress
    assert run.output("url") == "http://wordpress.example.com/"


# -- safeguards -------------------------------------------------------------------------------


def test_a_disruption_budget_keeps_all_but_one_wordpress_pod_up_in_a_drain(objects):
    budget = find(objects, "PodDisruptionBudget", "wordpress")["spec"]
    assert budget == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "wordpress", "app.kubernetes.io/instance": "moorings-staging"}},
        # A crash-looping pod never blocks a node drain.
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def test_a_single_wordpress_pod_gets_no_disruption_budget():
    assert ("PodDisruptionBudget", "wordpress") not in kinds(manifests(deploy("staging", SINGLE)))


@pytest.mark.parametrize("fewest, most, budget", [(1, 3, True), (1, 1, False), (2, 2, True)])
def test_under_an_autoscaler_the_budget_follows_the_most_pods_it_may_run(fewest, most, budget):
    # A minimum of 1 once dropped the budget while the autoscaler could still run 3 pods.
    autoscaled = {"kubernetes.autoscaling": True, "kubernetes.autoscalingMinReplicas": fewest,
                  "kubernetes.autoscalingMaxReplicas": most, "wordpress.replicas": fewest}
    if most == 1:
        autoscaled.update({"kubernetes.wpContentAccessMode": None, "kubernetes.wpContentStorageClass": None})
    assert (("PodDisruptionBudget", "wordpress") in kinds(manifests(deploy("staging", autoscaled)))) is budget


def _selects(name, instance="moorings-staging"):
    return {"matchLabels": {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}}


DNS = {
    "to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}, "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
}


def test_mysql_accepts_connections_from_the_wordpress_pods_and_the_rotation_only_and_connects_only_to_dns(objects):
    policy = find(objects, "NetworkPolicy", "mysql")["spec"]
    assert policy == {
        "podSelector": _selects("mysql"),
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{
            "from": [{"podSelector": _selects("wordpress")}, {"podSelector": _selects("mysql-credentials")}],
            "ports": [{"port": 3306, "protocol": "TCP"}],
        }],
        "egress": [DNS],
    }


def test_the_rotation_job_accepts_nothing_and_connects_to_dns_and_mysql_only(objects):
    policy = find(objects, "NetworkPolicy", "mysql-credentials")["spec"]
    assert policy == {
        "podSelector": _selects("mysql-credentials"),
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [],
        "egress": [DNS, {"to": [{"podSelector": _selects("mysql")}], "ports": [{"port": 3306, "protocol": "TCP"}]}],
    }


def test_wordpress_connects_to_dns_mysql_and_the_web_only(objects):
    policy = find(objects, "NetworkPolicy", "wordpress")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["egress"] == [
        DNS,
        {"to": [{"podSelector": _selects("mysql")}], "ports": [{"port": 3306, "protocol": "TCP"}]},
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]},
    ]


@pytest.mark.parametrize(
    "stack, changes, clients",
    [
        # ClusterIP: the pods of its own namespace (port-forward does not cross the CNI).
        ("staging", {}, [{"podSelector": {}}]),
        ("staging", {"kubernetes.exposure": "NodePort"}, [{"ipBlock": {"cidr": "0.0.0.0/0"}}]),
        ("prod", {}, [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]),
        ("prod", {"kubernetes.ingressNamespace": "traefik"}, [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}]),
    ],
)
def test_wordpress_accepts_connections_from_its_exposure_only(stack, changes, clients):
    policy = find(manifests(deploy(stack, changes)), "NetworkPolicy", "wordpress")["spec"]
    assert policy["ingress"] == [{"from": clients, "ports": [{"port": "http", "protocol": "TCP"}]}]


def test_each_safeguard_can_be_switched_off():
    off = kinds(manifests(deploy("staging", {"kubernetes.disruptionBudget": False, "kubernetes.networkPolicy": False})))
    assert [k for k in off if k[0] in ("PodDisruptionBudget", "NetworkPolicy")] == []


def test_the_claims_are_protected_when_asked_and_only_they(staging, prod):
    assert sorted(r.name for r in prod.resources if r.protect) == ["mysql-data", "wp-content"]
    assert [r.name for r in staging.resources if r.protect] == []


def test_with_autoscaling_the_deployment_leaves_replicas_to_the_autoscaler(prod):
    wordpress = prod.one(DEPLOYMENT, "wordpress")
    assert "replicas" not in wordpress.inputs["spec"]
    assert wordpress.ignore_changes == ["spec.replicas"]
    autoscaler = find(manifests(prod), "HorizontalPodAutoscaler", "wordpress")["spec"]
    assert autoscaler == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "wordpress"},
        "minReplicas": 3,
        "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
    }


def test_without_autoscaling_there_is_no_autoscaler_and_nothing_ignored(staging):
    assert staging.one(DEPLOYMENT, "wordpress").ignore_changes == []
    assert staging.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler") == []


def test_the_component_reports_what_it_built(staging):
    outputs = staging.component_outputs[staging.one("moorings:index:WordPressStack").urn]
    assert outputs == {
        "url": "http://wordpress.moorings-staging.svc.cluster.local:80",
        "wordpressName": "wordpress",
        "mysqlName": "mysql",
        "networkName": "moorings-staging",
    }


# -- the builder's own guards -----------------------------------------------------------------


def build_directly(replicas, options):
    def program():
        secrets = SecretBundle(
            "secrets",
            SecretBundleArgs(entries=wordpress_secret_entries(), platform="kubernetes", name_prefix="t", namespace="ns"),
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="kubernetes",
                name_prefix="t",
                wordpress=WordPressSpec(image="wordpress:6.8.3-apache", replicas=replicas),
                mysql=MySqlSpec(image="mysql:8.4.6"),
                secrets=secrets,
                kubernetes=options,
            ),
        )

    return run_program(program, capture_error=True)


def test_the_builder_refuses_replicas_on_a_read_write_once_claim():
    run = build_directly(2, WordPressKubernetesOptions(namespace="ns", wp_content_storage=Storage("1Gi")))
    assert "up to 2 WordPress pods share wp-content, which needs a ReadWriteMany claim" in str(run.error)


def test_the_builder_needs_its_kubernetes_options():
    run = build_directly(1, None)
    assert "WordPressStackArgs.kubernetes must be WordPressKubernetesOptions" in str(run.error)


# -- the site's address ------------------------------------------------------------------------


def wordpress_env(objects) -> dict:
    return {e["name"]: e.get("value") for e in container(find(objects, "Deployment", "wordpress"))["env"]}


def test_behind_an_ingress_wordpress_answers_with_the_ingress_address(prod):
    extra = wordpress_env(manifests(prod))["WORDPRESS_CONFIG_EXTRA"]
    assert extra == "define('WP_HOME', 'https://wordpress.example.com');\ndefine('WP_SITEURL', 'https://wordpress.example.com');"


def test_in_cluster_only_the_address_is_left_to_the_database(objects):
    # No Ingress and no publicUrl: a port-forward keeps the address the site was installed at.
    assert "WORDPRESS_CONFIG_EXTRA" not in wordpress_env(objects)


def test_a_public_url_is_the_address_wordpress_answers_with_and_the_url_output():
    run = deploy("staging", {"wordpress.publicUrl": "http://127.0.0.1:30080"})
    assert wordpress_env(manifests(run))["WORDPRESS_CONFIG_EXTRA"].startswith("define('WP_HOME', 'http://127.0.0.1:30080');")
    assert run.output("url") == "http://127.0.0.1:30080"
