"""SecretBundle on platform swarm: Swarm secrets named by a hash of their value, granted as files."""

import base64
import hashlib

import pytest

from moorings.secret_args import FileReader, SecretBundleArgs, SecretEntry
from moorings.secret_bundle import SecretBundle, keyed_digest
from moorings.swarm_objects import content_name
from tests.harness import differences, plain_occurrences, run_program

SECRET = "docker:index/secret:Secret"


# What the mocks return for the bundle's generated digest key (see harness.FakeOutputs).
DIGEST_KEY = "generated-secret-name-key-" + "x" * 32


def short_hash(name, value):
    return keyed_digest(DIGEST_KEY, {name: value}, 12)


def deploy(values, wire=None, **run):
    captured = {}

    def program():
        entries = [SecretEntry(name, value) for name, value in values.items()]
        bundle = SecretBundle("secrets", SecretBundleArgs(entries=entries, platform="swarm", name_prefix="moorings-t"))
        if wire:
            captured["wiring"] = bundle.wire(wire, FileReader("999", "999"))

    run = run_program(program, **run)
    return run, captured.get("wiring")


@pytest.fixture(scope="module")
def pair():
    return deploy({"db-password": "s3cret-one", "api-key": "k3y-two"})[0]


def test_each_value_becomes_a_swarm_secret_under_the_bundle(pair):
    bundle = pair.one("moorings:index:SecretBundle")
    assert {r.name: r.parent for r in pair.of_type(SECRET)} == {"db-password": bundle.urn, "api-key": bundle.urn}


def test_a_secret_is_named_after_a_short_hash_of_its_value(pair):
    secret = pair.one(SECRET, "db-password")
    assert secret.inputs["name"] == f"moorings-t-db-password-{short_hash('db-password', 's3cret-one')}"
    assert not secret.input_is_secret("name")  # a keyed one-way hash: fine to show in previews
    # Not the plain hash: a visible name must not let anyone test password guesses.
    assert hashlib.sha256(b"s3cret-one").hexdigest()[:12] not in secret.inputs["name"]


def test_the_value_reaches_docker_only_inside_a_secret(pair):
    secret = pair.one(SECRET, "db-password")
    assert secret.input_is_secret("data")
    assert base64.b64decode(secret.inputs["data"]).decode() == "s3cret-one"
    for value in ("s3cret-one", base64.b64encode(b"s3cret-one").decode()):
        assert [p for r in pair.resources for p in plain_occurrences(r.raw_inputs, value)] == []


def test_rotating_a_value_makes_a_new_secret_and_leaves_the_others_alone(pair):
    rotated, _ = deploy({"db-password": "s3cret-NEW", "api-key": "k3y-two"})
    urn = pair.one(SECRET, "db-password").urn
    changed = differences(pair, rotated)
    # A new name: Swarm secrets cannot change in place, so the provider replaces this one.
    assert [line.split(" ")[1] for line in changed] == [".data.value:", ".name:"]
    assert all(line.startswith(urn) for line in changed)
    assert rotated.one(SECRET, "db-password").inputs["name"].endswith(short_hash("db-password", "s3cret-NEW"))


def test_generated_values_are_hashed_the_same_way():
    run, _ = deploy({"salt": None})
    generated = run.one("random:index/randomPassword:RandomPassword", "salt")
    value = f"generated-salt-{'x' * int(generated.inputs['length'])}"  # what the mocks return
    assert run.one(SECRET, "salt").inputs["name"] == f"moorings-t-salt-{short_hash('salt', value)}"


def test_consumers_get_read_only_files_for_their_user_and_file_variables():
    run, wiring = deploy({"db-password": "s3cret-one"}, wire={"MYSQL_PASSWORD": "db-password"})
    assert wiring.env_list() == ["MYSQL_PASSWORD_FILE=/run/secrets/db-password"]
    (grant,) = wiring.attachments
    assert (grant.file_name, grant.file_uid, grant.file_gid) == ("/run/secrets/db-password", "999", "999")
    assert grant.file_mode == 0o400


def test_a_name_too_long_for_docker_is_refused():
    with pytest.raises(ValueError, match="too long for a swarm object name"):
        content_name("x" * 52, "value")


def test_a_rotated_secret_is_replaced_new_one_first_so_the_services_can_move_over(pair):
    # The provider would delete the old secret first, and Swarm refuses while a service uses it.
    secret = pair.one(SECRET, "db-password")
    assert secret.delete_before_replace_set and not secret.delete_before_replace
