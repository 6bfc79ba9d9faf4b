"""SwarmCluster under mocks: which script runs where, with what, and what the provider points at."""

import shlex

import pytest

from moorings.swarm_cluster import LOCAL_DOCKER_HOST, SCRIPTS, SwarmCluster, SwarmClusterArgs, SwarmHost
from tests.harness import differences, is_secret, run_program

LOCAL_COMMAND = "command:local:Command"
REMOTE_COMMAND = "command:remote:Command"
PROVIDER = "pulumi:providers:docker"
OWNER = "moorings-t"
THREE_HOSTS = (
    SwarmHost("10.0.0.11", "admin", "worker"),
    SwarmHost("10.0.0.12", "admin", "manager"),  # the first manager, though listed second
    SwarmHost("10.0.0.13", "ops", "worker"),
)


def deploy(mode="local", hosts=(), docker_host=LOCAL_DOCKER_HOST, **run):
    args = SwarmClusterArgs(owner=OWNER, mode=mode, hosts=hosts, docker_host=docker_host)
    return run_program(lambda: SwarmCluster("swarm", args), **run)


def script_run(command_line):
    """(script name, its arguments) of a command line built by script_command, checking the
    text it carries is the script file's."""
    sh, dash_c, text, name, *args = shlex.split(command_line)
    assert (sh, dash_c) == ("sh", "-c")
    assert text == (SCRIPTS / name).read_text()
    return name, args


def connection(remote_command):
    settings = remote_command.inputs["connection"]
    return settings["host"], settings["user"], settings["port"]


@pytest.fixture(scope="module")
def local():
    return deploy()


@pytest.fixture(scope="module")
def ssh():
    return deploy("ssh", THREE_HOSTS)


def test_local_mode_inits_this_engine_with_local_commands(local):
    node = local.one(LOCAL_COMMAND, "swarm-node-local")
    assert script_run(node.inputs["create"]) == ("init.sh", ["127.0.0.1", OWNER])
    assert node.inputs["environment"] == {"DOCKER_HOST": "unix:///var/run/docker.sock"}
    assert local.of_type(REMOTE_COMMAND) == []


def test_destroy_dissolves_only_a_swarm_this_owner_created(local):
    assert script_run(local.one(LOCAL_COMMAND, "swarm-node-local").inputs["delete"]) == ("dissolve.sh", [OWNER])


def test_join_tokens_are_read_on_the_first_manager_as_secrets_never_logged(local):
    init = local.one(LOCAL_COMMAND, "swarm-node-local")
    for role in ("worker", "manager"):
        token = local.one(LOCAL_COMMAND, f"swarm-{role}-token")
        assert script_run(token.inputs["create"]) == ("tokens.sh", [role])
        assert token.additional_secret_outputs == ["stdout"]
        assert token.inputs["logging"] == "none"
        assert init.urn in token.depends_on
    outputs = local.component_outputs[local.one("moorings:index:SwarmCluster").urn]
    assert is_secret(outputs["workerToken"]) and is_secret(outputs["managerToken"])


def test_local_mode_hands_out_a_provider_on_the_local_socket_once_the_swarm_exists(local):
    provider = local.one(PROVIDER)
    assert provider.inputs == {"host": "unix:///var/run/docker.sock"}
    assert provider.depends_on == [local.one(LOCAL_COMMAND, "swarm-node-local").urn]


def test_local_mode_on_another_socket_drives_that_engine_everywhere():
    rootless = "unix:///run/user/1000/docker.sock"
    run = deploy(docker_host=rootless)
    assert run.one(PROVIDER).inputs == {"host": rootless}
    for node in run.of_type(LOCAL_COMMAND):
        assert node.inputs["environment"] == {"DOCKER_HOST": rootless}
    assert run.component_outputs[run.one("moorings:index:SwarmCluster").urn]["dockerHost"] == rootless


def test_every_command_and_the_provider_sit_under_the_component(local):
    cluster = local.one("moorings:index:SwarmCluster")
    names = {r.name for r in local.children_of(cluster)}
    assert names == {"swarm-node-local", "swarm-worker-token", "swarm-manager-token", "swarm"}


def test_ssh_mode_inits_the_first_manager_over_ssh(ssh):
    init = ssh.one(REMOTE_COMMAND, "swarm-node-10.0.0.12")
    assert script_run(init.inputs["create"]) == ("init.sh", ["10.0.0.12", OWNER])
    assert script_run(init.inputs["delete"]) == ("dissolve.sh", [OWNER])
    assert init.input_is_secret("connection")
    assert connection(init) == ("10.0.0.12", "admin", 22)
    for role in ("worker", "manager"):
        assert ssh.one(REMOTE_COMMAND, f"swarm-{role}-token").inputs["connection"]["host"] == "10.0.0.12"


@pytest.mark.parametrize("address, user", [("10.0.0.11", "admin"), ("10.0.0.13", "ops")])
def test_ssh_mode_joins_every_other_host_through_the_first_manager(ssh, address, user):
    node = ssh.one(REMOTE_COMMAND, f"swarm-node-{address}")
    assert script_run(node.inputs["create"]) == ("join.sh", ["10.0.0.12:2377", "worker", address])
    assert connection(node) == (address, user, 22)
    # The token travels on standard input, as a secret, never in the command line.
    assert node.input_is_secret("stdin")
    assert node.inputs["stdin"] == "stdout-of-swarm-worker-token"
    assert "SWMTKN" not in node.inputs["create"] and "token" not in " ".join(shlex.split(node.inputs["create"])[3:])


def test_a_manager_joins_with_the_manager_token():
    run = deploy("ssh", tuple(SwarmHost(f"10.0.0.{i}", "a", "manager") for i in (1, 2, 3)))
    node = run.one(REMOTE_COMMAND, "swarm-node-10.0.0.2")
    assert script_run(node.inputs["create"]) == ("join.sh", ["10.0.0.1:2377", "manager", "10.0.0.2"])
    assert node.inputs["stdin"] == "stdout-of-swarm-manager-token"


def test_a_host_removed_from_config_is_drained_leaves_and_is_removed_and_nothing_else_changes(ssh):
    removed = ssh.one(REMOTE_COMMAND, "swarm-node-10.0.0.13")
    drain = ssh.one(REMOTE_COMMAND, "swarm-drain-10.0.0.13")
    removal = ssh.one(REMOTE_COMMAND, "swarm-remove-10.0.0.13")
    # What `pulumi up` runs when those resources go: delete-only commands on the first manager
    # around the node's own leave script.
    assert script_run(removed.inputs["delete"]) == ("leave.sh", [])
    assert script_run(drain.inputs["delete"]) == ("drain_node.sh", ["stdout-of-swarm-node-10.0.0.13"])
    assert script_run(removal.inputs["delete"]) == ("remove_node.sh", ["10.0.0.13"])
    assert "create" not in drain.inputs and "create" not in removal.inputs
    assert connection(drain)[0] == connection(removal)[0] == "10.0.0.12"
    # Deletion follows dependencies backwards: drain (depends on the join), leave, remove
    # (the join depends on it).
    assert removed.urn in drain.depends_on and removal.urn in removed.depends_on
    smaller = deploy("ssh", THREE_HOSTS[:2])
    provider = ssh.one(PROVIDER)
    assert differences(ssh, smaller) == [
        f"- {drain.urn}",
        f"- {removed.urn}",
        f"- {removal.urn}",
        f"{provider.urn} (depends_on): {provider.depends_on!r} -> {smaller.one(PROVIDER).depends_on!r}",
    ]


def test_a_host_is_drained_only_after_the_swarms_services_are_gone(ssh):
    """The provider depends on every drain: on destroy the services go first, and the drains
    find nothing to move."""
    drains = {r.urn for r in ssh.of_type(REMOTE_COMMAND) if r.name.startswith("swarm-drain-")}
    assert len(drains) == 2 and drains <= set(ssh.one(PROVIDER).depends_on)


def test_ssh_mode_hands_out_a_provider_on_the_first_manager_after_every_node_is_in(ssh):
    provider = ssh.one(PROVIDER)
    assert provider.inputs["host"] == "ssh://admin@10.0.0.12"
    assert provider.inputs["sshOpts"] == '["-o", "BatchMode=yes"]'  # provider config travels as JSON
    nodes = {r.urn for r in ssh.of_type(REMOTE_COMMAND) if r.name.startswith("swarm-node-")}
    drains = {r.urn for r in ssh.of_type(REMOTE_COMMAND) if r.name.startswith("swarm-drain-")}
    assert set(provider.depends_on) == nodes | drains and len(nodes) == 3


def test_outputs_name_the_join_address_and_the_first_managers_node(ssh):
    outputs = ssh.component_outputs[ssh.one("moorings:index:SwarmCluster").urn]
    assert outputs["joinAddress"] == "10.0.0.12:2377"
    assert outputs["dockerHost"] == "ssh://admin@10.0.0.12"
    assert outputs["managerNodeId"] == "stdout-of-swarm-node-10.0.0.12"  # what init.sh printed


def test_ipv6_addresses_are_bracketed_before_a_port():
    run = deploy("ssh", (SwarmHost("fd00::1", "admin", "manager"), SwarmHost("fd00::2", "admin", "worker")))
    node = run.one(REMOTE_COMMAND, "swarm-node-fd00--2")  # "::" would split the URN
    assert script_run(node.inputs["create"])[1][0] == "[fd00::1]:2377"
    assert run.one(PROVIDER).inputs["host"] == "ssh://admin@[fd00::1]"


@pytest.mark.parametrize(
    "mode, hosts, message",
    [
        ("ssh", (SwarmHost("10.0.0.1", "a", "manager"), SwarmHost("10.0.0.2", "a", "manager")), "odd number of managers"),
        ("ssh", (SwarmHost("10.0.0.1", "a", "worker"),), "at least one host with role manager"),
        ("local", (SwarmHost("10.0.0.1", "a", "manager"),), "hosts are for mode ssh"),
        ("cloud", (), "mode 'cloud' is not one of local, ssh"),
    ],
)
def test_the_component_refuses_an_unsound_cluster_on_its_own(mode, hosts, message):
    run = deploy(mode, hosts, capture_error=True)
    assert isinstance(run.error, ValueError) and message in str(run.error)
    assert run.resources == []


def test_the_component_refuses_a_local_socket_for_ssh_hosts():
    run = deploy("ssh", THREE_HOSTS, docker_host="unix:///run/docker.sock", capture_error=True)
    assert isinstance(run.error, ValueError) and "docker_host is for mode local" in str(run.error)
    assert run.resources == []


def test_the_managers_are_the_components_inputs_for_the_policy_pack(local, ssh):
    assert local.one("moorings:index:SwarmCluster").inputs == {"mode": "local", "managers": ["127.0.0.1"]}
    assert ssh.one("moorings:index:SwarmCluster").inputs == {"mode": "ssh", "managers": ["10.0.0.12"]}


ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0Fr0mZ3cX4bUtYdc3e7aVvJ7x1c7o5rT0u1h2g9p3Q"


def test_a_hosts_key_pins_every_remote_command_on_that_host():
    pinned = (SwarmHost("10.0.0.12", "admin", "manager", host_key=ED25519), SwarmHost("10.0.0.13", "admin", "worker"))
    run = deploy("ssh", pinned)
    keys = {r.name: r.inputs["connection"].get("hostKey") for r in run.of_type(REMOTE_COMMAND)}
    assert keys == {
        # The first manager runs init, the token reads, and the drain and removal of the others.
        "swarm-node-10.0.0.12": ED25519,
        "swarm-worker-token": ED25519,
        "swarm-manager-token": ED25519,
        "swarm-drain-10.0.0.13": ED25519,
        "swarm-remove-10.0.0.13": ED25519,
        "swarm-node-10.0.0.13": None,
    }


def test_hosts_without_a_key_are_named_in_a_warning(monkeypatch):
    warnings = []
    monkeypatch.setattr("moorings.swarm_cluster.pulumi.log.warn", lambda message, *a, **k: warnings.append(message))
    deploy("ssh", (SwarmHost("10.0.0.12", "admin", "manager", host_key=ED25519), SwarmHost("10.0.0.13", "a", "worker")))
    (warning,) = warnings
    assert "no hostKey for 10.0.0.13;" in warning and "10.0.0.12" not in warning
    warnings.clear()
    deploy("ssh", (SwarmHost("10.0.0.12", "admin", "manager", host_key=ED25519),))
    assert warnings == []
