"""The component package (provider/, issue 20) through the real engine: `pulumi package get-schema`
lists the components with their docstrings, and a second Python program that knows Moorings only
as a package (a `packages:` entry and `pulumi install`) declares a SecretBundle, a KubernetesCluster
in render mode and a WordPressStack on kubernetes, runs `up` on a file backend, then `destroy`."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from tests.component_package import PACKAGE, PROVIDER_DIR, TOKENS
from tests.pulumi_engine import TIMEOUT, engine_env, require_engine

pytestmark = [pytest.mark.engine, pytest.mark.kubernetes_provider]

GIVEN = "Given-Api-Token-7e3b91"  # a configured secret: must never be plain in state or outputs
ROOT_PASSWORD = "Given-Root-Password-52ac0d"

CONSUMER = textwrap.dedent(
    """
    import pulumi
    import pulumi_kubernetes as k8s
    import pulumi_moorings as moorings

    config = pulumi.Config()
    render_dir = config.require("renderDir")  # absolute: the component runs in the plugin's folder

    bundle = moorings.SecretBundle(
        "api",
        entries=[
            moorings.SecretEntryArgs(name="api-key", length=24),
            moorings.SecretEntryArgs(name="given", value=config.require_secret("given")),
        ],
        platform="docker",
        name_prefix="consumer",
    )
    cluster = moorings.KubernetesCluster("cluster", mode="render", namespace="blog", render_dir=render_dir)
    # A component's children take the providers its caller passes: the site renders to the same folder.
    render = k8s.Provider("render", render_yaml_to_directory=render_dir)
    site = moorings.WordPressStack(
        "site",
        platform="kubernetes",
        name_prefix="blog",
        wordpress=moorings.WordPressSpecArgs(image="wordpress:6.8.3-apache", protect_content=False),
        mysql=moorings.MySqlSpecArgs(image="mysql:8.4.6", protect_data=False),
        mysql_root_password=config.require_secret("rootPassword"),
        kubernetes=moorings.WordPressKubernetesOptionsArgs(
            namespace=cluster.namespace, mysql_storage=moorings.StorageArgs(size="1Gi")
        ),
        opts=pulumi.ResourceOptions(providers=[render]),
    )
    pulumi.export("values", bundle.values)
    pulumi.export("namespace", cluster.namespace)
    pulumi.export("wordpress", site.wordpress_name)
    pulumi.export("mysql", site.mysql_name)
    """
)


class Consumer:
    """A Pulumi program of its own in a temporary folder, on a file backend of its own."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "consumer"
        self.dir.mkdir()
        self.rendered = workdir / "rendered"
        state = workdir / "state"
        state.mkdir()
        self.env = engine_env(state)
        self.timings: dict[str, float] = {}
        project = {
            "name": "consumer",
            "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}},
            "packages": {PACKAGE: str(PROVIDER_DIR)},
        }
        (self.dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        # The SDKs the program imports itself, at the project's pins (pulumi install adds the package's).
        pins = [line for line in (PROVIDER_DIR / "requirements.txt").read_text().splitlines()
                if line.startswith(("pulumi==", "pulumi-kubernetes=="))]
        (self.dir / "requirements.txt").write_text("\n".join(pins) + "\n")
        (self.dir / "__main__.py").write_text(CONSUMER)

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        started = time.monotonic()
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"], cwd=self.dir, env=self.env,
            capture_output=True, text=True, timeout=TIMEOUT,
        )
        self.timings[" ".join(args[:2])] = round(time.monotonic() - started, 1)
        if check and result.returncode != 0:
            raise AssertionError(
                f"`pulumi {' '.join(args)}` exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-4000:]}"
            )
        return result


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    require_engine()
    consumer = Consumer(tmp_path_factory.mktemp("schema"))
    return json.loads(consumer.pulumi("package", "get-schema", str(PROVIDER_DIR)).stdout)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """The consumer after `pulumi install` and `up`; destroyed when the module's tests are done."""
    require_engine()
    consumer = Consumer(tmp_path_factory.mktemp("package"))
    consumer.pulumi("install")
    consumer.pulumi("stack", "init", "dev")
    consumer.pulumi("config", "set", "renderDir", str(consumer.rendered))
    consumer.pulumi("config", "set", "--secret", "given", GIVEN)
    consumer.pulumi("config", "set", "--secret", "rootPassword", ROOT_PASSWORD)
    consumer.pulumi("up", "--yes", "--skip-preview")
    yield consumer
    consumer.pulumi("destroy", "--yes", "--skip-preview")
    left = json.loads(consumer.pulumi("stack", "export").stdout)["deployment"].get("resources") or []
    assert left == [], [r["urn"] for r in left]
    print(f"\ncomponent package timings (s): {consumer.timings}", file=sys.stderr)


def test_get_schema_lists_the_components_with_their_docstrings(schema):
    assert schema["name"] == PACKAGE
    assert set(schema["resources"]) == TOKENS
    bundle = schema["resources"][f"{PACKAGE}:index:SecretBundle"]
    assert bundle["description"].startswith("A named set of secrets")
    assert bundle["properties"]["values"]["description"] == "Every value by name, each a Pulumi secret."
    stack = schema["resources"][f"{PACKAGE}:index:WordPressStack"]["inputProperties"]
    assert stack["mysqlPassword"]["description"].startswith("The WordPress database user's password")
    assert "secrets" not in stack  # Python-only: the stack builds its own bundle


def test_pulumi_install_generates_the_packages_sdk(deployed):
    assert (deployed.dir / "sdks" / PACKAGE).is_dir()


def state_resources(consumer: Consumer) -> list[dict]:
    return json.loads(consumer.pulumi("stack", "export").stdout)["deployment"]["resources"]


def test_the_bundles_passwords_are_generated_and_stay_secret(deployed):
    resources = state_resources(deployed)
    bundle = next(r for r in resources if r["type"] == f"{PACKAGE}:index:SecretBundle" and r["urn"].endswith("::api"))
    passwords = [r for r in resources if r["type"] == "random:index/randomPassword:RandomPassword" and r.get("parent") == bundle["urn"]]
    assert [p["urn"].rsplit("::", 1)[-1] for p in passwords] == ["api-key"]
    assert passwords[0]["outputs"]["result"].get("ciphertext")  # encrypted in state
    shown = json.loads(deployed.pulumi("stack", "output", "--json").stdout)
    assert shown["values"] == "[secret]"  # the whole map: every value in it is one
    revealed = json.loads(deployed.pulumi("stack", "output", "--json", "--show-secrets").stdout)
    assert len(revealed["values"]["api-key"]) == 24 and revealed["values"]["given"] == GIVEN


def test_no_configured_secret_is_plain_in_the_state(deployed):
    exported = deployed.pulumi("stack", "export").stdout
    assert GIVEN not in exported and ROOT_PASSWORD not in exported


def test_the_cluster_and_the_site_render_their_manifests(deployed):
    rendered = {p.name: p.read_text() for p in deployed.rendered.rglob("*.yaml")}
    kinds = {line.split(":", 1)[1].strip() for text in rendered.values() for line in text.splitlines() if line.startswith("kind:")}
    assert {"Namespace", "Deployment", "StatefulSet", "Secret", "PersistentVolumeClaim"} <= kinds
    # The given root password reached the site's Secret (render mode writes Secrets in plain text).
    secrets = [text for text in rendered.values() if "kind: Secret" in text]
    encoded = base64.b64encode(ROOT_PASSWORD.encode()).decode()
    assert any(ROOT_PASSWORD in text or encoded in text for text in secrets)
    outputs = json.loads(deployed.pulumi("stack", "output", "--json").stdout)
    assert outputs["namespace"] == "blog"
    assert (outputs["wordpress"], outputs["mysql"]) == ("wordpress", "mysql")
    types = {r["type"] for r in state_resources(deployed)}
    assert {f"{PACKAGE}:index:KubernetesCluster", f"{PACKAGE}:index:WordPressStack",
            "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"} <= types
