"""Stack swarm: recipes 2-4 end to end, with the committed stacks/Pulumi.swarm.yaml."""

import copy
import runpy

import pytest
import yaml

from tests.harness import differences, run_program
from tests.stack_config import ROOT, stack_config

SERVICE = "docker:index/service:Service"


def run_swarm(config=None):
    return run_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), config or stack_config("swarm"), stack="swarm")


def with_demo_replicas(replicas):
    config = copy.deepcopy(stack_config("swarm"))
    # What `pulumi config set --path services.demo.replicas <n>` writes.
    config["moorings:services"]["demo"]["replicas"] = replicas
    return config


@pytest.fixture(scope="module")
def run():
    return run_swarm()


def test_the_stack_is_a_local_swarm_with_wordpress_and_the_demo(run):
    outputs = {k: v for k, v in run.outputs.items() if not k.endswith("JoinToken")}
    assert outputs == {
        "platform": "swarm",
        "url": "http://localhost:8080",
        "wordpressService": "moorings-swarm-wordpress",
        "mysqlService": "moorings-swarm-mysql",
        "network": "moorings-swarm-net",
        "services": {"demo": "moorings-swarm-demo"},
        "dockerHost": "unix:///var/run/docker.sock",
        "joinAddress": "127.0.0.1:2377",
    }
    assert run.one("command:local:Command", "swarm-node-local")


def test_join_tokens_are_exported_as_secrets_only(run):
    from tests.harness import is_secret

    assert is_secret(run.outputs["workerJoinToken"]) and is_secret(run.outputs["managerJoinToken"])


def test_the_demo_is_the_recipes_nginx_on_port_80_with_three_replicas(run):
    demo = run.one(SERVICE, "demo").inputs
    assert demo["name"] == "moorings-swarm-demo"
    assert demo["taskSpec"]["containerSpec"]["image"] == "nginxinc/nginx-unprivileged:1.27.3-alpine"
    assert demo["mode"] == {"replicated": {"replicas": 3}}
    assert demo["endpointSpec"]["ports"] == [{"targetPort": 8080, "publishedPort": 80, "protocol": "tcp", "publishMode": "ingress"}]


def test_the_demo_runs_as_its_images_unprivileged_user_read_only_with_no_capability(run):
    container = run.one(SERVICE, "demo").inputs["taskSpec"]["containerSpec"]
    assert (container["user"], container["readOnly"], container["capDrops"]) == ("101:101", True, ["ALL"])
    assert "capAdds" not in container
    assert [(m["type"], m["target"]) for m in container["mounts"]] == [("tmpfs", "/tmp")]


def test_the_demo_has_limits_reservations_and_an_http_health_check(run):
    task = run.one(SERVICE, "demo").inputs["taskSpec"]
    assert task["resources"] == {
        "limits": {"nanoCpus": 500_000_000, "memoryBytes": 64 * 1024 * 1024},
        "reservation": {"nanoCpus": 50_000_000, "memoryBytes": 16 * 1024 * 1024},
    }
    test = task["containerSpec"]["healthcheck"]["tests"]
    assert test[0] == "CMD-SHELL" and "http://127.0.0.1:8080/" in test[1]


def test_wordpress_runs_the_configured_replicas_and_mysql_sits_on_the_first_manager(run):
    assert run.one(SERVICE, "wordpress").inputs["mode"] == {"replicated": {"replicas": 2}}
    # init.sh printed the node ID of the manager it initialised (the mocks call it so).
    constraints = run.one(SERVICE, "mysql").inputs["taskSpec"]["placement"]["constraints"]
    assert constraints == ["node.id==stdout-of-swarm-node-local"]


def test_every_docker_resource_goes_through_the_clusters_provider(run):
    provider = run.one("pulumi:providers:docker")
    docker_resources = [r for r in run.resources if r.type.startswith("docker:")]
    assert len(docker_resources) > 15
    assert [r.name for r in docker_resources if not r.provider.startswith(provider.urn + "::")] == []


def test_every_resource_sits_under_a_component(run):
    components = {r.urn for r in run.resources if not r.custom}
    top = {r.name for r in run.resources if r.parent not in components}
    assert top == {"swarm", "secrets", "wordpress", "demo"}


def test_the_volumes_are_protected_on_this_stack(run):
    assert sorted(r.name for r in run.resources if r.protect) == ["mysql-data", "wp-content"]


def test_scaling_the_demo_changes_its_replica_count_and_nothing_else():
    """`pulumi config set --path services.demo.replicas 5`: every registration at 3 and at 5."""
    at_three, at_five = run_swarm(with_demo_replicas(3)), run_swarm(with_demo_replicas(5))
    service, rollout = at_three.one(SERVICE, "demo").urn, at_three.named("demo-rollout").urn
    found = differences(at_three, at_five)
    assert f"{service} .mode.replicated.replicas: 3.0 -> 5.0" in found
    # ...and the wait for Swarm's rolling update runs again, in place (a new digest of the spec).
    (rolled,) = [line for line in found if line.startswith(f"{rollout} .create: ")]
    assert rolled.replace(".create: ", ".update: ") in found
    assert sorted(found) == sorted([f"{service} .mode.replicated.replicas: 3.0 -> 5.0", rolled, rolled.replace(".create: ", ".update: ")])


def test_the_commented_three_host_example_is_a_valid_cluster():
    text = (ROOT / "stacks" / "Pulumi.swarm.yaml").read_text()
    commented = [line for line in text.splitlines() if line.strip().startswith("# ") and ("mode: ssh" in line or "hosts:" in line or "- {address:" in line)]
    example = yaml.safe_load("\n".join(line.replace("# ", "", 1) for line in commented))
    assert example["mode"] == "ssh" and len(example["hosts"]) == 3
    config = copy.deepcopy(stack_config("swarm"))
    config["moorings:swarm"] = example
    run = run_swarm(config)
    assert run.output("dockerHost") == "ssh://admin@10.0.0.11"
    commands = run.of_type("command:remote:Command")
    assert sorted(r.name for r in commands if not r.name.endswith(("-drain", "-rollout"))) == [
        "mysql-credentials",
        "mysql-credentials-close",
        "swarm-drain-10.0.0.12",
        "swarm-drain-10.0.0.13",
        "swarm-manager-token",
        "swarm-node-10.0.0.11",
        "swarm-node-10.0.0.12",
        "swarm-node-10.0.0.13",
        "swarm-remove-10.0.0.12",
        "swarm-remove-10.0.0.13",
        "swarm-worker-token",
    ]
    # Each service is drained before removal on the first manager.
    drains = {r.name: r.inputs["connection"]["host"] for r in commands if r.name.endswith("-drain")}
    assert drains == {"demo-drain": "10.0.0.11", "mysql-drain": "10.0.0.11", "wordpress-drain": "10.0.0.11"}
    # The database's passwords are changed where its task runs: the first manager.
    assert run.one("command:remote:Command", "mysql-credentials").inputs["connection"]["host"] == "10.0.0.11"
    assert run.output("url") == "http://10.0.0.11:8080"


def test_a_service_relaxed_in_its_settings_is_relaxed_on_swarm_as_said_and_no_further():
    from stacks.platforms.swarm import service_args
    from stacks.settings.services import SecuritySpec, ServiceSpec

    relaxed = SecuritySpec(run_as_non_root=False, read_only_root_filesystem=False, capabilities=("NET_BIND_SERVICE",),
                           why="the image writes its cache under /var/cache and binds 80 as root")
    confinement = service_args(ServiceSpec(name="edge", image="nginx:1.27.3-alpine", security=relaxed), "p").confinement
    assert (confinement.user, confinement.read_only, tuple(confinement.scratch)) == (None, False, ())
    assert tuple(confinement.capabilities) == ("CAP_NET_BIND_SERVICE",)
