"""Stack config is validated once, before any resource: each bad value names key, value, remedy."""

import runpy

import pytest

from stacks.settings import ConfigError
from tests.harness import run_program
from tests.stack_config import ROOT
from tests.unit.settings_loader import load, problems


def test_defaults_describe_recipe_one():
    settings = load()
    assert settings.platform == "docker"
    assert settings.wordpress.replicas == 1
    assert settings.wordpress.port == 8080
    assert settings.wordpress.image == "wordpress:6.8.3-apache"
    assert settings.mysql.image == "mysql:8.4.6"
    assert settings.wordpress.build_context is None
    assert settings.mysql.protect_data is True
    assert settings.name_prefix == "moorings-dev"


def test_nested_values_arrive_as_json_objects():
    settings = load({"wordpress": '{"replicas": 3, "port": 9090}', "platform": "swarm"})
    assert (settings.wordpress.replicas, settings.wordpress.port) == (3, 9090)


def test_unknown_platform_is_rejected():
    assert problems({"platform": "nomad"}) == [
        "moorings:platform = 'nomad' is not accepted: expected one of docker, swarm, kubernetes"
    ]


@pytest.mark.parametrize("replicas", [0, -2])
def test_replicas_below_one_are_rejected(replicas):
    assert problems({"platform": "swarm", "wordpress": {"replicas": replicas}}) == [
        f"moorings:wordpress.replicas = {replicas} is not accepted: expected a whole number of at least 1"
    ]


@pytest.mark.parametrize("replicas", ["three", 2.5, True])
def test_replicas_that_are_not_integers_are_rejected(replicas):
    (problem,) = problems({"platform": "swarm", "wordpress": {"replicas": replicas}})
    assert problem.startswith("moorings:wordpress.replicas = ")
    assert problem.endswith("is not accepted: expected a whole number of at least 1")


def test_replicas_given_as_a_string_of_digits_are_read_as_an_integer():
    # `pulumi config set wordpress.replicas 3` without --path stores a string.
    assert load({"platform": "swarm", "wordpress": {"replicas": "3"}}).wordpress.replicas == 3


@pytest.mark.parametrize("port", [0, 65536, 70000])
def test_port_outside_1_to_65535_is_rejected(port):
    assert problems({"wordpress": {"port": port}}) == [
        f"moorings:wordpress.port = {port} is not accepted: expected a whole number from 1 to 65535"
    ]


@pytest.mark.parametrize(
    "image",
    ["wordpress", "wordpress:latest", "Wordpress:6.8", "wordpress:", "word press:6", "mysql@sha256:abc"],
)
def test_malformed_or_unpinned_images_are_rejected(image):
    (problem,) = problems({"mysql": {"image": image}})
    assert problem.startswith(f"moorings:mysql.image = '{image}' is not accepted: expected a pinned image")


@pytest.mark.parametrize(
    "image",
    [
        "mysql:8.4.6",
        "library/mysql:8.4",
        "registry.example.com:5000/team/wordpress:6.8.3-apache",
        "mysql@sha256:" + "a" * 64,
        "mysql:8.4.6@sha256:" + "b" * 64,
    ],
)
def test_pinned_images_are_accepted(image):
    assert load({"mysql": {"image": image}}).mysql.image == image


def test_a_typo_in_a_key_is_rejected_with_a_suggestion():
    assert problems({"wordpress": {"replica": 2}}) == [
        "moorings:wordpress.replica is not a Moorings setting: expected a known key "
        "(did you mean wordpress.replicas?)"
    ]


def test_an_unknown_top_level_key_is_rejected():
    (problem,) = problems({"plaform": "docker"})
    assert problem.startswith("moorings:plaform is not a Moorings setting")
    assert "did you mean platform?" in problem


def test_keys_of_other_namespaces_are_left_to_their_owners():
    assert load({"docker:host": "unix:///var/run/docker.sock"}).platform == "docker"


def test_more_than_one_replica_on_docker_is_explained():
    assert problems({"wordpress": {"replicas": 3}}) == [
        "moorings:wordpress.replicas = 3 is not accepted: expected 1 on platform docker "
        "(one local container); scale on platform swarm or kubernetes instead"
    ]


def test_every_problem_is_reported_at_once():
    found = problems({"platform": "nomad", "wordpress": {"port": 0, "build": "yes"}})
    assert [p.split(" ")[0] for p in found] == [
        "moorings:platform",
        "moorings:wordpress.port",
        "moorings:wordpress.build",
    ]


def test_a_password_set_in_plain_text_is_refused():
    assert problems({"mysqlPassword": "hunter2"}) == [
        "moorings:mysqlPassword is set in plain text: expected a secret; "
        "set it with `pulumi config set --secret mysqlPassword <value>`"
    ]


def test_a_secret_password_is_taken_and_never_shown_in_repr():
    settings = load({"mysqlPassword": "hunter2"}, secret_keys=["mysqlPassword"])
    assert settings.secrets.mysql_password == "hunter2"
    assert "hunter2" not in repr(settings)


def test_build_switches_to_the_dockerfile_variant():
    assert load({"wordpress": {"build": True}}).wordpress.build_context == "docker/wordpress"


def test_bad_config_stops_the_program_before_any_resource_is_declared():
    run = run_program(
        lambda: runpy.run_path(str(ROOT / "__main__.py")),
        {"platform": "nomad", "wordpress": {"port": 0}},
        capture_error=True,
    )
    assert isinstance(run.error, ConfigError)
    assert len(run.error.problems) == 2
    assert run.resources == []


def test_a_string_setting_the_cli_stored_as_a_number_is_read_as_its_text():
    # Pulumi.yaml's `default: "1"` of a nested key, and `config set --path k.cpu 1`, reach the
    # program as the number 1 (the engine tier saw the CLI do it).
    settings = load({"platform": "kubernetes", "kubernetes": '{"wordpressCpuLimit": 2, "mysqlCpuLimit": 1}'})
    options = settings.kubernetes.wordpress
    assert (options.wordpress_resources.cpu_limit, options.mysql_resources.cpu_limit) == ("2", "1")


def test_a_docker_stack_does_not_judge_the_values_of_other_platforms_settings():
    settings = load({"kubernetes": '{"exposure": "Bogus", "autoscalingMinReplicas": 0}', "swarm": '{"mode": "x"}'})
    assert settings.platform == "docker"


def test_a_typo_in_another_platforms_key_names_is_still_caught():
    assert problems({"kubernetes": '{"exposur": "Ingress"}'}) == [
        "moorings:kubernetes.exposur is not a Moorings setting: expected a known key "
        "(did you mean kubernetes.exposure?)"
    ]


def test_a_public_url_is_read_as_the_address_wordpress_answers_with():
    assert load().wordpress.public_url is None
    assert load({"wordpress": {"publicUrl": "https://blog.example.com/site"}}).wordpress.public_url == (
        "https://blog.example.com/site"
    )


@pytest.mark.parametrize(
    "url", ["blog.example.com", "ftp://blog.example.com", "https://blog.example.com/", "http://x');phpinfo();//"]
)
def test_a_public_url_that_is_not_a_plain_address_is_rejected(url):
    (problem,) = problems({"wordpress": {"publicUrl": url}})
    assert problem.startswith(f"moorings:wordpress.publicUrl = {url!r} is not accepted: expected an http:// or https://")


def test_online_rotation_is_on_unless_a_stack_turns_it_off():
    assert load().mysql.online_rotation is True
    assert load({"mysql": {"onlineRotation": False}}).mysql.online_rotation is False
    assert problems({"mysql": {"onlineRotation": "sometimes"}})[0].startswith("moorings:mysql.onlineRotation")
