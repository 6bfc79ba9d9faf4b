"""SecretBundle: values from config or generated, always secret, handed over as files."""

import pulumi
import pytest

from moorings.secret_args import FileReader, SecretBundleArgs, SecretEntry
from moorings.secret_bundle import SecretBundle
from tests.harness import is_secret, run_program


def bundle_program(entries, platform="docker", wire=None, reader=FileReader("999", "999")):
    captured = {}

    def program():
        bundle = SecretBundle("secrets", SecretBundleArgs(entries=entries, platform=platform, name_prefix="t"))
        captured["bundle"] = bundle
        if wire is not None:
            captured["wiring"] = bundle.wire(wire, reader)
        for name, value in bundle.values.items():
            pulumi.export(name, value)

    return program, captured


def test_absent_values_are_generated_by_random_passwords_under_the_bundle():
    program, _ = bundle_program([SecretEntry("a"), SecretEntry("b", length=64)])
    run = run_program(program)
    bundle = run.one("moorings:index:SecretBundle")
    generated = run.of_type("random:index/randomPassword:RandomPassword")
    assert sorted(r.name for r in generated) == ["a", "b"]
    assert all(r.parent == bundle.urn for r in generated)
    assert {r.name: r.inputs["length"] for r in generated} == {"a": 32, "b": 64}
    # Alphanumeric: the values land in files and config that other tools parse.
    assert all(r.inputs["special"] is False for r in generated)


def test_configured_values_are_used_and_nothing_is_generated():
    program, _ = bundle_program([SecretEntry("a", "from-config")])
    run = run_program(program)
    assert run.of_type("random:index/randomPassword:RandomPassword") == []
    assert run.output("a") == "from-config"


def test_every_value_is_a_secret_output_whether_configured_or_generated():
    program, _ = bundle_program([SecretEntry("configured", "plain-in"), SecretEntry("generated")])
    run = run_program(program)
    assert is_secret(run.outputs["configured"])
    assert is_secret(run.outputs["generated"])


def test_docker_wiring_gives_file_variables_and_read_only_uploads():
    program, captured = bundle_program(
        [SecretEntry("db-password", "s3cret")], wire={"MYSQL_PASSWORD": "db-password"}
    )
    run = run_program(program)
    wiring = captured["wiring"]
    assert wiring.env_list() == ["MYSQL_PASSWORD_FILE=/run/secrets/db-password"]
    (upload,) = wiring.attachments
    # The docker provider 5.1.0 knows no owner: readable by the container's user, as Compose does.
    assert (upload.file, upload.permissions) == ("/run/secrets/db-password", "0444")
    assert run.output("db-password") == "s3cret"


def test_one_secret_can_feed_two_variables():
    program, captured = bundle_program(
        [SecretEntry("db-password", "x")],
        wire={"MYSQL_PASSWORD": "db-password", "WORDPRESS_DB_PASSWORD": "db-password"},
    )
    run_program(program)
    assert len(captured["wiring"].attachments) == 1
    assert len(captured["wiring"].file_env) == 2


def test_asking_for_an_unknown_secret_fails_with_its_name():
    program, _ = bundle_program([SecretEntry("a")], wire={"X": "missing"})
    run = run_program(program, capture_error=True)
    assert isinstance(run.error, KeyError) and "missing" in str(run.error)


def test_duplicate_names_are_rejected():
    program, _ = bundle_program([SecretEntry("a"), SecretEntry("a")])
    run = run_program(program, capture_error=True)
    assert "duplicate secret names" in str(run.error)


@pytest.mark.parametrize("platform", ["nomad"])
def test_an_unknown_platform_is_rejected(platform):
    program, _ = bundle_program([SecretEntry("a")], platform=platform)
    run = run_program(program, capture_error=True)
    assert "unknown platform 'nomad': expected one of docker, swarm, kubernetes" in str(run.error)
