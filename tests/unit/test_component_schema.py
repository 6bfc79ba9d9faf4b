"""The component package (provider/, issue 20): the SDK's analyzer accepts every component it
offers and finds a description for everything; `from_wire` turns the host's plain dicts into
Moorings' dataclasses; a component constructed through the host's provider declares what the
Python component declares."""

from __future__ import annotations

import dataclasses
import json
import typing

import pulumi
import pytest
from pulumi.provider.experimental.component import ComponentProvider

import moorings
from moorings.wordpress_builders.kubernetes.options import (
    Autoscaling,
    Exposure,
    Ingress,
    Resources,
    Safeguards,
    Storage,
    WordPressKubernetesOptions,
)
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions
from tests.component_package import PACKAGE, PROVIDER_DIR, TOKENS, provider_module
from tests.harness import plain_occurrences, run_program
from tests.stack_config import ROOT

adapters = provider_module("adapters")
schema_types = provider_module("schema_types")
from_wire = provider_module("wire").from_wire

# Each wire face and the dataclass it becomes; the second set names the face's keys the dataclass
# lacks on purpose, the third the dataclass's fields the face leaves out on purpose.
FACES = [
    (schema_types.SecretEntry, moorings.SecretEntry, set(), set()),
    (schema_types.SecretBundleArgs, moorings.SecretBundleArgs, set(), set()),
    (schema_types.KubernetesClusterArgs, moorings.KubernetesClusterArgs, set(), set()),
    (schema_types.WordPressSpec, moorings.WordPressSpec, set(), set()),
    (schema_types.MySqlSpec, moorings.MySqlSpec, set(), set()),
    (schema_types.BackupSpec, moorings.BackupSpec, set(), set()),
    (schema_types.ExternalDatabase, moorings.ExternalDatabase, set(), set()),
    (schema_types.WordPressKubernetesOptions, WordPressKubernetesOptions, set(), set()),
    (schema_types.Exposure, Exposure, set(), set()),
    (schema_types.Ingress, Ingress, set(), set()),
    (schema_types.Storage, Storage, set(), set()),
    (schema_types.Resources, Resources, set(), set()),
    (schema_types.Safeguards, Safeguards, set(), set()),
    (schema_types.Autoscaling, Autoscaling, set(), set()),
    # The manager shell is Python-only (a pulumi_command connection).
    (schema_types.SwarmWordPressOptions, SwarmWordPressOptions, set(), {"manager"}),
    # The stack builds its bundle from the two passwords (a component cannot cross the wire).
    (schema_types.WordPressStackArgs, moorings.WordPressStackArgs, set(adapters.PASSWORDS), {"secrets"}),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    """The schema as the host builds it: its provider class over the adapters."""
    return json.loads(ComponentProvider(adapters.COMPONENTS, PACKAGE, None, "0.1.0").schema)


def test_the_host_offers_the_components_under_the_tokens_they_register(schema):
    assert set(schema["resources"]) == TOKENS
    assert all(resource["isComponent"] for resource in schema["resources"].values())


def undescribed(schema: dict) -> list[str]:
    """Every component, type and property of the schema without a description."""
    missing = []
    for kind in ("resources", "types"):
        for token, spec in schema.get(kind, {}).items():
            if not spec.get("description"):
                missing.append(token)
            for section in ("inputProperties", "properties"):
                missing += [f"{token}.{name}" for name, prop in spec.get(section, {}).items() if not prop.get("description")]
    return missing


def test_every_component_type_and_property_has_a_description(schema):
    assert undescribed(schema) == []


def test_descriptions_are_the_docstrings_without_their_indentation(schema):
    bundle = schema["resources"][f"{PACKAGE}:index:SecretBundle"]
    assert bundle["description"].startswith("A named set of secrets")
    assert "\n    " not in bundle["description"]
    assert bundle["properties"]["values"]["description"] == "Every value by name, each a Pulumi secret."
    storage = schema["types"][f"{PACKAGE}:index:Storage"]
    assert storage["properties"]["size"]["description"] == "Kubernetes quantity, e.g. 10Gi."


def test_settings_are_plain_and_values_from_other_resources_are_inputs(schema):
    stack = schema["resources"][f"{PACKAGE}:index:WordPressStack"]["inputProperties"]
    assert stack["platform"].get("plain") is True
    assert "plain" not in stack["mysqlPassword"]
    options = schema["types"][f"{PACKAGE}:index:WordPressKubernetesOptions"]["properties"]
    assert "plain" not in options["namespace"]


def test_every_face_is_checked_against_its_dataclass():
    faces = {value for value in vars(schema_types).values() if typing.is_typeddict(value)}
    assert faces == {face for face, *_ in FACES}


@pytest.mark.parametrize("face, cls, wire_only, python_only", FACES, ids=lambda v: getattr(v, "__name__", ""))
def test_each_face_has_the_fields_of_its_dataclass_and_the_same_required_ones(face, cls, wire_only, python_only):
    fields = {field.name: field for field in dataclasses.fields(cls)}
    assert set(face.__annotations__) - wire_only == set(fields) - python_only
    required = {
        name for name, field in fields.items()
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    }
    assert face.__required_keys__ - wire_only == required - python_only


# -- from_wire ----------------------------------------------------------------------------------


def test_from_wire_turns_the_wires_floats_into_integers():
    spec = from_wire(moorings.WordPressSpec, {"image": "wordpress:6.8.3-apache", "replicas": 2.0, "port": 8081.0})
    assert (spec.replicas, spec.port) == (2, 8081)
    assert type(spec.replicas) is int and type(spec.port) is int


def test_from_wire_refuses_a_fraction_where_an_integer_goes():
    with pytest.raises(ValueError, match=r"WordPressSpec\.replicas: 2\.5 is not a whole number"):
        from_wire(moorings.WordPressSpec, {"image": "wordpress:6.8.3-apache", "replicas": 2.5})


def test_from_wire_builds_nested_dataclasses_from_nested_dicts():
    options = from_wire(
        WordPressKubernetesOptions,
        {"namespace": "blog", "exposure": {"service_type": "ClusterIP", "ingress": {"host": "blog.example.com"}},
         "mysql_storage": {"size": "20Gi"}, "autoscaling": {"min_replicas": 2.0, "max_replicas": 4.0}},
    )
    assert options.exposure == Exposure(service_type="ClusterIP", ingress=Ingress(host="blog.example.com"))
    assert options.mysql_storage.size == "20Gi" and options.mysql_storage.access_mode == "ReadWriteOnce"
    assert options.replica_bounds(1) == (2, 4)
    assert options.wp_content_storage.size == "5Gi"  # absent: the dataclass's default


def test_from_wire_turns_lists_into_tuples_of_dataclasses():
    args = from_wire(
        moorings.SecretBundleArgs,
        {"entries": [{"name": "a"}, {"name": "b", "length": 16.0}], "platform": "docker", "name_prefix": "p"},
    )
    assert args.entries == (moorings.SecretEntry("a"), moorings.SecretEntry("b", length=16))
    assert from_wire(SwarmWordPressOptions, {"mysql_constraints": ["node.id==x"]}).mysql_constraints == ("node.id==x",)


def test_from_wire_keeps_an_output_as_it_is_and_none_as_the_default():
    namespace = pulumi.Output.from_input("blog")
    options = from_wire(WordPressKubernetesOptions, {"namespace": namespace, "autoscaling": None})
    assert options.namespace is namespace and options.autoscaling is None


@pytest.mark.parametrize(
    "cls, wire, message",
    [
        (moorings.KubernetesClusterArgs, {"mode": "render", "namespace": "n", "renderDirectory": "x"},
         r"KubernetesClusterArgs: unknown input 'renderDirectory'"),
        (WordPressKubernetesOptions, {"namespace": "n", "exposure": {"ingress": {"host": "h", "tls": "s"}}},
         r"WordPressKubernetesOptions\.exposure\.ingress: unknown input 'tls'"),
        (moorings.SecretBundleArgs, {"entries": [{"name": "a", "secret": True}], "platform": "docker", "name_prefix": "p"},
         r"SecretBundleArgs\.entries\[0\]: unknown input 'secret'"),
    ],
)
def test_from_wire_refuses_an_unknown_key_and_names_it(cls, wire, message):
    with pytest.raises(ValueError, match=message):
        from_wire(cls, wire)


# -- through the host's provider, under mocks ---------------------------------------------------

PASSWORD = "given-root-password"
WORDPRESS_WIRE = {
    # What the host receives from a consumer: camelCase names, integers as floats.
    "platform": "kubernetes",
    "namePrefix": "blog",
    "wordpress": {"image": "wordpress:6.8.3-apache", "replicas": 1.0, "protectContent": False},
    "mysql": {"image": "mysql:8.4.6", "protectData": False},
    "kubernetes": {"namespace": "blog", "mysqlStorage": {"size": "1Gi"}},
}


def construct(token: str, inputs: dict):
    provider = ComponentProvider(adapters.COMPONENTS, PACKAGE, None, "0.1.0")
    return run_program(lambda: provider.construct("site", token, inputs, pulumi.ResourceOptions()))


@pytest.fixture(scope="module")
def wordpress_run():
    return construct(f"{PACKAGE}:index:WordPressStack", {**WORDPRESS_WIRE, "mysqlRootPassword": pulumi.Output.secret(PASSWORD)})


def test_a_wordpress_stack_through_the_host_declares_its_workloads_in_the_namespace(wordpress_run):
    for type_, name in (
        ("kubernetes:apps/v1:Deployment", None),
        ("kubernetes:apps/v1:StatefulSet", None),
        ("kubernetes:core/v1:Secret", "secret"),
        ("kubernetes:batch/v1:Job", "mysql-credentials"),
    ):
        assert wordpress_run.one(type_, name).inputs["metadata"]["namespace"] == "blog", type_
    stack = wordpress_run.one(f"{PACKAGE}:index:WordPressStack", "site")
    assert wordpress_run.one("moorings:index:SecretBundle", "site-secrets").parent == stack.parent


def test_its_given_password_stays_a_secret_and_the_rest_are_generated(wordpress_run):
    secret = wordpress_run.one("kubernetes:core/v1:Secret", "secret")
    assert secret.input_is_secret("stringData")
    assert secret.inputs["stringData"]["mysql-root-password"] == PASSWORD
    assert all(plain_occurrences(r.raw_inputs, PASSWORD) == [] for r in wordpress_run.resources)
    generated = {r.name for r in wordpress_run.of_type("random:index/randomPassword:RandomPassword")}
    assert "mysql-password" in generated and "mysql-root-password" not in generated


def test_a_secret_bundle_through_the_host_generates_its_entries_at_their_lengths():
    run = construct(
        f"{PACKAGE}:index:SecretBundle",
        {"entries": [{"name": "api-key", "length": 24.0}], "platform": "kubernetes", "namePrefix": "p", "namespace": "n"},
    )
    assert run.one("random:index/randomPassword:RandomPassword", "api-key").inputs["length"] == 24


def test_a_missing_required_input_is_named_by_the_host():
    with pytest.raises(Exception, match="namespace"):
        construct(f"{PACKAGE}:index:KubernetesCluster", {"mode": "render"})


def requirement_lines(path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def test_the_plugin_requires_exactly_the_projects_sdk_pins():
    sdk_pins = {line for line in requirement_lines(ROOT / "requirements.txt") if line.startswith("pulumi") and "policy" not in line}
    assert requirement_lines(PROVIDER_DIR / "requirements.txt") == sdk_pins
    assert len(sdk_pins) == 5
