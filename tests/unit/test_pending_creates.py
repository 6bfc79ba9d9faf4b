"""The launcher's clearing of interrupted creates after a successful `up`
(toolchain/launcher/pending_creates.py): only a create that may run again (a named docker or Swarm
object, an image, a volume, a password, a command, a Kubernetes object of the same name), and only
once the state holds it again; anything else stays for a person to judge. The app tier kills `up` for
real (tests/app/test_app_faults.py), the cluster tier on the node (tests/cluster/test_node_wordpress.py)."""

import json
import subprocess
import sys

from tests.stack_config import ROOT

SCRIPT = ROOT / "toolchain" / "launcher" / "pending_creates.py"
CONTAINER = "docker:index/container:Container"
WORDPRESS = "urn:pulumi:dev::moorings::moorings:index:WordPressStack$docker:index/container:Container::wordpress"
NETWORK = "urn:pulumi:dev::moorings::moorings:index:WordPressStack$docker:index/network:Network::network"
VOLUME = "urn:pulumi:dev::moorings::moorings:index:WordPressStack$docker:index/volume:Volume::wp-content"
DEPLOYMENT = "urn:pulumi:prod::moorings::moorings:index:WordPressStack$kubernetes:apps/v1:Deployment::wordpress"


JOB = "urn:pulumi:staging::moorings::moorings:index:WordPressStack$kubernetes:batch/v1:Job::mysql-credentials"
JOB_TYPE = "kubernetes:batch/v1:Job"


def creating(urn, type_, inputs=None):
    return {"type": "creating", "resource": {"urn": urn, "type": type_, **({"inputs": inputs} if inputs else {})}}


def named(name, namespace="moorings-staging"):
    return {"metadata": {"name": name, "namespace": namespace}}


def export(resources, pending, inputs=None):
    """`inputs`: the held resources' inputs, by URN."""
    held = [{"urn": u, **({"inputs": inputs[u]} if inputs and u in inputs else {})} for u in resources]
    return {"version": 3, "deployment": {"resources": held, "pending_operations": pending}}


def run(exported):
    return subprocess.run([sys.executable, str(SCRIPT)], input=json.dumps(exported), capture_output=True, text=True, timeout=30)


def test_a_containers_a_networks_and_a_volumes_interrupted_creates_are_dropped_once_the_state_holds_them():
    other = creating(DEPLOYMENT, "kubernetes:apps/v1:Deployment")
    pending = [creating(WORDPRESS, CONTAINER), creating(NETWORK, "docker:index/network:Network"),
               creating(VOLUME, "docker:index/volume:Volume"), other]
    done = run(export([WORDPRESS, NETWORK, VOLUME, DEPLOYMENT], pending))
    assert done.returncode == 0
    assert json.loads(done.stdout)["deployment"]["pending_operations"] == [other]
    for urn in (WORDPRESS, NETWORK, VOLUME):
        assert f"cleared the interrupted create of {urn}: this up created it again" in done.stderr


def test_a_rotation_commands_interrupted_create_is_dropped_once_the_state_holds_it():
    command = "urn:pulumi:swarm::moorings::moorings:index:WordPressStack$command:local:Command::mysql-credentials"
    done = run(export([command], [creating(command, "command:local:Command")]))
    assert done.returncode == 0 and json.loads(done.stdout)["deployment"]["pending_operations"] == []


def test_a_swarm_services_and_a_secrets_interrupted_creates_are_dropped_once_the_state_holds_them():
    service = "urn:pulumi:swarm::moorings::moorings:index:WordPressStack$moorings:index:SwarmService$docker:index/service:Service::wordpress"
    secret = "urn:pulumi:swarm::moorings::moorings:index:SecretBundle$docker:index/secret:Secret::mysql-password"
    done = run(export([service, secret], [creating(service, "docker:index/service:Service"), creating(secret, "docker:index/secret:Secret")]))
    assert done.returncode == 0
    assert json.loads(done.stdout)["deployment"]["pending_operations"] == []
    assert f"cleared the interrupted create of {service}" in done.stderr and f"cleared the interrupted create of {secret}" in done.stderr


def test_nothing_is_dropped_while_the_container_is_not_in_the_state():
    assert run(export([], [creating(WORDPRESS, CONTAINER)])).returncode == 3


def test_other_pending_operations_and_other_types_stay():
    deleting = {"type": "deleting", "resource": {"urn": WORDPRESS, "type": CONTAINER}}
    assert run(export([WORDPRESS, DEPLOYMENT], [deleting, creating(DEPLOYMENT, "kubernetes:apps/v1:Deployment")])).returncode == 3
    assert run(export([WORDPRESS], [])).returncode == 3


def test_a_kubernetes_objects_interrupted_create_is_dropped_when_the_state_holds_the_object_of_that_name():
    """Server-side apply took over the object the killed create made: the same namespace and name."""
    job = named("mysql-credentials-0f3a9c2b1d")
    done = run(export([JOB], [creating(JOB, JOB_TYPE, job)], {JOB: job}))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deployment"]["pending_operations"] == []
    assert f"cleared the interrupted create of {JOB}: this up created it again" in done.stderr


def test_a_kubernetes_create_of_another_name_or_namespace_or_of_no_name_stays():
    """An auto-named object gets a new random suffix on each create: the one the killed create
    made is still in the cluster, unknown to the state."""
    held = {JOB: named("mysql-credentials-5d8e1")}
    for interrupted in (named("mysql-credentials-a91c0"), named("mysql-credentials-5d8e1", "moorings-prod"), None):
        assert run(export([JOB], [creating(JOB, JOB_TYPE, interrupted)], held)).returncode == 3, interrupted
