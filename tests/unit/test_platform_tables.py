"""Each platform is named once per table (builder, secret form, composition), imported by name:
the tables cover the same platforms, and a platform none of them has is refused by name."""

import dataclasses

import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import FORMS, SecretBundle
from moorings.wordpress_args import PLATFORMS, MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.wordpress_stack import BUILDERS, WordPressStack
from stacks.compose import COMPOSITIONS, compose
from stacks.settings import ConfigError, settings_from
from tests.harness import run_program


@pytest.mark.parametrize("table", [BUILDERS, FORMS, COMPOSITIONS], ids=["builders", "forms", "compositions"])
def test_every_table_covers_the_platforms(table):
    assert tuple(table) == PLATFORMS


def test_a_wordpress_stack_on_an_unknown_platform_names_the_known_ones():
    def program():
        secrets = SecretBundle(
            "secrets", SecretBundleArgs(entries=wordpress_secret_entries(), platform="docker", name_prefix="t")
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="nomad",
                name_prefix="t",
                wordpress=WordPressSpec(image="wordpress:6.8.3-apache"),
                mysql=MySqlSpec(image="mysql:8.4.6"),
                secrets=secrets,
            ),
        )

    run = run_program(program, capture_error=True)
    assert isinstance(run.error, ValueError)
    assert "WordPressStack wordpress: unknown platform 'nomad': expected one of docker, swarm, kubernetes" in str(run.error)


def test_compose_refuses_a_platform_it_has_no_composition_for():
    settings = dataclasses.replace(settings_from({}, "dev", frozenset()), platform="nomad")
    with pytest.raises(ConfigError) as raised:
        compose(settings)
    assert raised.value.problems == [
        "moorings:platform = 'nomad' is not built yet: expected one of docker, kubernetes, swarm"
    ]
