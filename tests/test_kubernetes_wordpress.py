"""WordPressStack on Kubernetes (recipe 8): what the provider receives for MySQL, WordPress,
their storage, the exposure, and the safeguards, as the stacks configure them."""

import pytest

from components.secret_bundle import SecretBundle, SecretBundleArgs
from components.wordpress_builders.kubernetes.options import Storage, WordPressKubernetesOptions
from components.wordpress_stack import MySqlSpec, WordPressSpec, WordPressStack, WordPressStackArgs, wordpress_secret_entries
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
        ("Deployment", "wordpress"),
        ("NetworkPolicy", "mysql"),
        ("PersistentVolumeClaim", "mysql-data"),
        ("PersistentVolumeClaim", "wp-content"),
        ("PodDisruptionBudget", "wordpress"),
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
    assert container(workload)["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
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


def test_wordpress_binds_port_80_as_www_data_through_the_unprivileged_port_sysctl(objects):
    wordpress = find(objects, "Deployment", "wordpress")
    assert container(wordpress)["ports"] == [{"name": "http", "containerPort": 80}]
    assert wordpress["spec"]["template"]["spec"]["securityContext"]["sysctls"] == [
        {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}
    ]


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
    }


def test_a_single_wordpress_pod_gets_no_disruption_budget_that_would_block_drains():
    assert ("PodDisruptionBudget", "wordpress") not in kinds(manifests(deploy("staging", SINGLE)))


def test_mysql_accepts_connections_from_the_wordpress_pods_only(objects):
    policy = find(objects, "NetworkPolicy", "mysql")["spec"]
    assert policy == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "mysql", "app.kubernetes.io/instance": "moorings-staging"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "wordpress", "app.kubernetes.io/instance": "moorings-staging"}}}],
                "ports": [{"port": 3306, "protocol": "TCP"}],
            }
        ],
    }


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
