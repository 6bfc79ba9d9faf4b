"""SwarmService under mocks: every argument as the Docker provider receives it (wire names)."""

import base64
import hashlib
import re
from dataclasses import replace

import pulumi
import pytest

from moorings.health_probe import HealthProbe
from moorings.secret_args import FileReader, SecretBundleArgs, SecretEntry
from moorings.secret_bundle import SecretBundle
from moorings.swarm_shell import SCRIPTS
from moorings.swarm_service import (
    ConfigFile,
    Confinement,
    Scratch,
    Converge,
    NetworkAttachment,
    Placement,
    RestartPolicy,
    RolloutPolicy,
    SwarmService,
    SwarmServiceArgs,
    VolumeMount,
)
from stacks.settings.services import PortSpec, ResourceSpec
from tests.harness import differences, run_program

SERVICE = "docker:index/service:Service"
CONFIG = "docker:index/serviceConfig:ServiceConfig"
FULL = SwarmServiceArgs(
    name="t-web",
    image="nginx:1.27.3-alpine",
    replicas=3,
    ports=(PortSpec(target=80, published=8080), PortSpec(target=53, published=5353, protocol="udp", mode="host")),
    env={"GREETING": "hi"},
    configs=(ConfigFile("site", "server {}\n", "/etc/nginx/conf.d/site.conf"),),
    networks=(NetworkAttachment("net-id", aliases=("web",)),),
    mounts=(VolumeMount("t-data", "/data"),),
    healthcheck=HealthProbe(tests=("CMD", "true"), interval="5s", timeout="2s", retries=4, start_period="1s"),
    limits=ResourceSpec(cpu=0.5, memory_mb=64),
    reservations=ResourceSpec(cpu=0.25, memory_mb=16),
    placement=Placement(constraints=("node.role==worker",), preferences=("spread=node.labels.zone",), max_replicas_per_node=2),
    update=RolloutPolicy(parallelism=2, delay="5s"),
    rollback=RolloutPolicy(parallelism=3, delay="1s", failure_action="continue", order="stop-first"),
    converge=Converge(timeout="2m", delay="3s"),
    stop_grace_period="20s",
)


def deploy(args=FULL, secrets=None, **run):
    def program():
        wiring = None
        if secrets is not None:
            bundle = SecretBundle(
                "secrets", SecretBundleArgs(entries=[SecretEntry("db-password", "s3cret")], platform="swarm", name_prefix="t")
            )
            wiring = bundle.wire(secrets, FileReader("33", "33"))
        SwarmService("web", replace(args, secrets=wiring) if wiring else args)

    return run_program(program, **run)


@pytest.fixture(scope="module")
def full():
    return deploy()


def spec(run):
    return run.one(SERVICE).inputs


def test_the_service_runs_the_pinned_image_under_its_name(full):
    inputs = spec(full)
    assert inputs["name"] == "t-web"
    assert inputs["taskSpec"]["containerSpec"]["image"] == "nginx:1.27.3-alpine"
    assert full.one(SERVICE).parent == full.one("moorings:index:SwarmService").urn


def test_replicated_mode_runs_the_given_number_of_tasks_and_waits_for_them(full):
    assert spec(full)["mode"] == {"replicated": {"replicas": 3}}
    assert spec(full)["convergeConfig"] == {"timeout": "2m", "delay": "3s"}


def test_global_mode_runs_one_task_per_node_and_does_not_wait():
    inputs = spec(deploy(replace(FULL, mode="global")))
    assert inputs["mode"] == {"global": True}
    # The provider cannot converge a global service: its schema conflicts the two.
    assert "convergeConfig" not in inputs


def test_ports_are_published_on_the_ingress_or_the_host(full):
    assert spec(full)["endpointSpec"] == {
        "ports": [
            {"targetPort": 80, "publishedPort": 8080, "protocol": "tcp", "publishMode": "ingress"},
            {"targetPort": 53, "publishedPort": 5353, "protocol": "udp", "publishMode": "host"},
        ]
    }


def test_a_service_without_ports_publishes_nothing():
    assert "endpointSpec" not in spec(deploy(replace(FULL, ports=())))


def test_environment_networks_mounts_and_health(full):
    task = spec(full)["taskSpec"]
    container = task["containerSpec"]
    assert container["env"] == {"GREETING": "hi"}
    assert task["networksAdvanceds"] == [{"id": "net-id", "aliases": ["web"]}]
    assert container["mounts"][0] == {"type": "volume", "source": "t-data", "target": "/data"}
    assert container["healthcheck"] == {"tests": ["CMD", "true"], "interval": "5s", "timeout": "2s", "retries": 4, "startPeriod": "1s"}
    assert container["stopGracePeriod"] == "20s"


def test_by_default_the_images_own_command_runs_and_volumes_are_writable(full):
    container = spec(full)["taskSpec"]["containerSpec"]
    assert "commands" not in container
    assert "readOnly" not in container["mounts"][0]


def test_a_command_overrides_the_image_and_a_volume_may_be_mounted_read_only():
    args = replace(
        FULL,
        command=("sh", "-c", "exec backup.sh"),
        mounts=(VolumeMount("t-data", "/data", read_only=True), VolumeMount("t-keep", "/keep")),
    )
    container = spec(deploy(args))["taskSpec"]["containerSpec"]
    assert container["commands"] == ["sh", "-c", "exec backup.sh"]
    assert container["mounts"][:2] == [
        {"type": "volume", "source": "t-data", "target": "/data", "readOnly": True},
        {"type": "volume", "source": "t-keep", "target": "/keep"},
    ]


def test_limits_and_reservations_in_dockers_units(full):
    assert spec(full)["taskSpec"]["resources"] == {
        "limits": {"nanoCpus": 500_000_000, "memoryBytes": 64 * 1024 * 1024},
        "reservation": {"nanoCpus": 250_000_000, "memoryBytes": 16 * 1024 * 1024},
    }


def test_placement_constraints_preferences_and_a_per_node_cap(full):
    assert spec(full)["taskSpec"]["placement"] == {
        "constraints": ["node.role==worker"],
        "prefs": ["spread=node.labels.zone"],
        "maxReplicas": 2,
    }


def test_update_and_rollback_policies(full):
    assert spec(full)["updateConfig"] == {
        "parallelism": 2,
        "delay": "5s",
        "order": "start-first",
        "failureAction": "rollback",
        "monitor": "30s",
        "maxFailureRatio": "0.0",
    }
    assert spec(full)["rollbackConfig"] == {
        "parallelism": 3,
        "delay": "1s",
        "order": "stop-first",
        "failureAction": "continue",
        "monitor": "30s",
        "maxFailureRatio": "0.0",
    }


def test_by_default_a_task_runs_read_only_with_a_tmpfs_at_tmp_and_no_capability(full):
    container = spec(full)["taskSpec"]["containerSpec"]
    assert container["readOnly"] is True
    assert container["capDrops"] == ["ALL"] and "capAdds" not in container
    assert container["mounts"][1:] == [{"type": "tmpfs", "target": "/tmp", "tmpfsOptions": {"sizeBytes": 64 * 1024 * 1024}}]
    assert "user" not in container  # the image's USER


def test_a_confinement_sets_the_user_the_scratch_paths_and_the_capabilities_kept():
    confined = Confinement(user="101:101", scratch=(Scratch("/var/cache/nginx", 16), Scratch("/tmp", 8)),
                           capabilities=("CAP_CHOWN",))
    container = spec(deploy(replace(FULL, mounts=(), confinement=confined)))["taskSpec"]["containerSpec"]
    assert (container["user"], container["readOnly"], container["capDrops"], container["capAdds"]) == (
        "101:101", True, ["ALL"], ["CAP_CHOWN"])
    assert [(m["target"], m["tmpfsOptions"]["sizeBytes"]) for m in container["mounts"]] == [
        ("/var/cache/nginx", 16 * 1024 * 1024), ("/tmp", 8 * 1024 * 1024)]


def test_a_writable_root_gets_no_scratch_mounts_and_still_drops_every_capability():
    container = spec(deploy(replace(FULL, mounts=(), confinement=Confinement(read_only=False, scratch=()))))["taskSpec"]["containerSpec"]
    assert container["readOnly"] is False and "mounts" not in container and container["capDrops"] == ["ALL"]


def test_the_restart_policy_is_sent_in_full_with_dockers_defaults(full):
    # In full: a partial policy is filled in differently on update, restarting every task.
    assert spec(full)["taskSpec"]["restartPolicy"] == {"condition": "any", "delay": "5s", "maxAttempts": 0, "window": "0s"}


def test_the_default_update_starts_the_new_task_first_and_rolls_back_on_failure():
    inputs = spec(deploy(SwarmServiceArgs(name="t-min", image="nginx:1.27.3-alpine")))
    assert (inputs["updateConfig"]["order"], inputs["updateConfig"]["failureAction"]) == ("start-first", "rollback")
    assert inputs["rollbackConfig"]["failureAction"] == "pause"
    assert "convergeConfig" in inputs


def test_configs_become_swarm_configs_named_by_content_and_mounted_read_only(full):
    config = full.one(CONFIG, "web-site")
    digest = hashlib.sha256(b"server {}\n").hexdigest()[:12]
    assert config.inputs == {"name": f"t-web-site-{digest}", "data": base64.b64encode(b"server {}\n").decode()}
    assert config.parent == full.one("moorings:index:SwarmService").urn
    assert spec(full)["taskSpec"]["containerSpec"]["configs"] == [
        {"configId": "web-site-id", "configName": f"t-web-site-{digest}", "fileName": "/etc/nginx/conf.d/site.conf", "fileMode": 0o444}
    ]
    # New content is a new config, created before the old one goes: Swarm keeps a used one.
    assert config.delete_before_replace_set and not config.delete_before_replace


def test_secrets_arrive_as_files_and_file_variables_never_as_values():
    container = spec(deploy(secrets={"DB_PASSWORD": "db-password"}))["taskSpec"]["containerSpec"]
    assert container["env"] == {"GREETING": "hi", "DB_PASSWORD_FILE": "/run/secrets/db-password"}
    (secret,) = container["secrets"]
    assert (secret["fileName"], secret["fileMode"], secret["fileUid"], secret["fileGid"]) == ("/run/secrets/db-password", 0o400, "33", "33")
    assert "s3cret" not in repr(container)


def test_a_plain_variable_may_not_shadow_a_secret_one():
    run = deploy(replace(FULL, env={"DB_PASSWORD_FILE": "/tmp/x"}), secrets={"DB_PASSWORD": "db-password"}, capture_error=True)
    assert "DB_PASSWORD_FILE set both as plain env and from a secret" in str(run.error)


def test_an_unknown_mode_is_refused():
    run = deploy(replace(FULL, mode="daemon"), capture_error=True)
    assert "mode 'daemon' is not one of replicated, global" in str(run.error)


def test_scaling_changes_the_replica_count_and_nothing_else():
    """Everything the provider receives, at 3 and at 7 replicas: one difference."""
    wire = {"DB_PASSWORD": "db-password"}
    at_three, at_seven = deploy(secrets=wire), deploy(replace(FULL, replicas=7), secrets=wire)
    assert differences(at_three, at_seven) == [
        f"{at_three.one(SERVICE).urn} .mode.replicated.replicas: 3.0 -> 7.0"  # numbers cross the wire as floats
    ]


def test_children_take_the_provider_given_to_the_component():
    def program():
        import pulumi_docker as docker

        provider = docker.Provider("swarm", host="ssh://admin@10.0.0.12")
        SwarmService("web", FULL, opts=pulumi.ResourceOptions(providers=[provider]))

    run = run_program(program)
    provider = run.one("pulumi:providers:docker")
    for resource in (run.one(SERVICE), run.one(CONFIG)):
        assert resource.provider.startswith(provider.urn + "::")


def test_the_comparison_sees_any_other_change():
    """The scaling test compares everything: a changed image, say, shows up too."""
    found = differences(deploy(), deploy(replace(FULL, image="nginx:1.27.4-alpine")))
    assert [line.split(" ", 1)[1] for line in found] == [
        ".taskSpec.containerSpec.image: 'nginx:1.27.3-alpine' -> 'nginx:1.27.4-alpine'"
    ]


DRAIN = "command:local:Command"


def drained(args=FULL):
    from moorings.swarm_shell import NodeShell

    return deploy(replace(args, manager=NodeShell(environment={"DOCKER_HOST": "unix:///var/run/docker.sock"})))


def test_without_a_shell_no_command_is_declared():
    assert deploy().of_type(DRAIN) == []


def drain_of(run):
    return next(command for command in run.of_type(DRAIN) if command.name == "web-drain")


def rollout_of(run):
    return next(command for command in run.of_type(DRAIN) if command.name == "web-rollout")


def test_a_manager_gets_a_rollout_wait_and_a_drain():
    assert sorted(command.name for command in drained().of_type(DRAIN)) == ["web-drain", "web-rollout"]


def test_the_drain_runs_on_removal_only_with_the_service_id_and_its_grace_in_seconds():
    drain = drain_of(drained())
    assert "create" not in drain.inputs
    assert drain.inputs["environment"] == {"DOCKER_HOST": "unix:///var/run/docker.sock"}
    # web-id: the mocks' ID of the service; 20: FULL's stop_grace_period, 20s.
    assert drain.inputs["delete"].endswith(" drain.sh web-id 20")
    assert drain.inputs["triggers"] == ["web-id"]  # a replaced service gets a drain of its own


def test_the_drain_depends_on_the_service_so_destroy_runs_it_first():
    run = drained()
    assert run.one(SERVICE, "web").urn in drain_of(run).depends_on


def test_the_rollout_wait_runs_after_the_service_with_its_converge_timeout_in_seconds():
    run = drained()
    rollout = rollout_of(run)
    assert "delete" not in rollout.inputs and "triggers" not in rollout.inputs
    # sh -s: the script on stdin; FULL's converge timeout, 2m; then the spec's digest.
    assert re.fullmatch(r"sh -s -- web-id 120 [0-9a-f]{16}", rollout.inputs["create"])
    assert rollout.inputs["stdin"] == (SCRIPTS / "settle.sh").read_text()
    # In place: a new digest runs the update, the same wait (triggers would replace the command).
    assert rollout.inputs["update"] == rollout.inputs["create"]
    assert run.one(SERVICE, "web").urn in rollout.depends_on


@pytest.mark.parametrize(
    "change",
    [
        {"replicas": 4},
        {"image": "nginx:1.27.4-alpine"},
        {"env": {"GREETING": "hello"}},
        {"ports": (PortSpec(target=80, published=8081),)},
    ],
    ids=["scale", "image", "env", "port"],
)
def test_a_change_that_rolls_tasks_runs_the_rollout_wait_again(change):
    before, after = rollout_of(drained()), rollout_of(drained(replace(FULL, **change)))
    assert before.inputs["create"] != after.inputs["create"]
    assert before.inputs["create"].split()[:-1] == after.inputs["create"].split()[:-1]  # the digest alone


def test_an_unchanged_service_keeps_its_rollout_wait():
    assert rollout_of(drained()).inputs["create"] == rollout_of(drained()).inputs["create"]


def test_a_converge_timeout_that_is_not_a_duration_stops_the_program():
    with pytest.raises(ValueError, match="converge.timeout '10 minutes'"):
        drained(replace(FULL, converge=Converge(timeout="10 minutes")))


@pytest.mark.parametrize("grace, seconds", [("0s", 0), ("45s", 45), ("1m30s", 90), ("1h", 3600)])
def test_grace_periods_convert_to_whole_seconds(grace, seconds):
    from moorings.swarm_service import seconds as to_seconds

    assert to_seconds(grace) == seconds


@pytest.mark.parametrize("grace", ["", "30", "1.5s"])
def test_a_grace_period_that_is_not_a_duration_stops_the_program(grace):
    with pytest.raises(ValueError, match="stop_grace_period"):
        drained(replace(FULL, stop_grace_period=grace))


@pytest.mark.parametrize("grace, sent", [("90s", "1m30s"), ("60s", "1m"), ("1m0s", "1m"), ("3600s", "1h"), ("5s", "5s")])
def test_the_grace_period_is_sent_as_the_provider_reads_it_back_so_a_second_up_sees_no_diff(grace, sent):
    run = deploy(replace(FULL, stop_grace_period=grace))
    assert run.one(SERVICE, "web").inputs["taskSpec"]["containerSpec"]["stopGracePeriod"] == sent


def test_every_duration_is_sent_as_the_provider_reads_it_back_so_a_second_up_sees_no_diff():
    args = replace(
        FULL,
        healthcheck=HealthProbe(tests=("CMD", "true"), interval="60s", timeout="90s", start_period="3600s"),
        update=RolloutPolicy(delay="120s", monitor="60s"),
        rollback=RolloutPolicy(delay="0s", monitor="1m0s"),
        restart=RestartPolicy(delay="60s", window="150s"),
    )
    inputs = deploy(args).one(SERVICE, "web").inputs
    health = inputs["taskSpec"]["containerSpec"]["healthcheck"]
    assert (health["interval"], health["timeout"], health["startPeriod"]) == ("1m", "1m30s", "1h")
    assert (inputs["updateConfig"]["delay"], inputs["updateConfig"]["monitor"]) == ("2m", "1m")
    assert (inputs["rollbackConfig"]["delay"], inputs["rollbackConfig"]["monitor"]) == ("0s", "1m")
    restart = inputs["taskSpec"]["restartPolicy"]
    assert (restart["delay"], restart["window"]) == ("1m", "2m30s")


def test_a_probe_interval_that_is_not_a_duration_stops_the_program():
    with pytest.raises(ValueError, match="interval '1 minute'"):
        deploy(replace(FULL, healthcheck=HealthProbe(tests=("CMD", "true"), interval="1 minute")))
