"""Moorings installs as a package: a wheel built from the checkout, installed apart from it,
serves the components to a program that runs outside the checkout (issue 20)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.stack_config import ROOT

# A user's program: it knows Moorings only by its package name. Under Pulumi's mocks it declares a
# bundle of the installed package and prints what the engine would have been asked to create.
PROGRAM = textwrap.dedent(
    """
    import json, sys
    import pulumi

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            created.append(args.typ)
            generated = {"result": "generated"} if args.typ.startswith("random:") else {}
            return [args.name + "-id", {**args.inputs, **generated}]

        def call(self, args):
            return {}

    created = []
    pulumi.runtime.set_mocks(Mocks(), project="user", stack="dev", preview=False)

    import moorings
    from moorings import SecretBundle, SecretBundleArgs, SecretEntry

    @pulumi.runtime.test
    def declare():
        bundle = SecretBundle("db", SecretBundleArgs(entries=[SecretEntry("db-password")], platform="swarm", name_prefix="user"))
        return pulumi.Output.all(*bundle.values.values())

    declare()
    print(json.dumps({"file": moorings.__file__, "version": moorings.__version__,
                      "exported": sorted(moorings.__all__), "created": sorted(set(created))}))
    """
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The checkout's package built into a wheel (from a copy: the build writes beside its sources)
    and installed into a folder of its own; the wheel's path is the module's first finding."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "moorings", source / "moorings", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("moorings-*.whl")
    site = work / "site"
    done = subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def run_outside(site: Path, tmp_path: Path) -> dict:
    (tmp_path / "program.py").write_text(PROGRAM)
    # -P: the program's folder is not put on sys.path; only the installed package and the SDKs are.
    ran = subprocess.run(
        [sys.executable, "-P", "program.py"], cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return json.loads(ran.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("scripts", ["swarm_scripts", "db_scripts"])
def test_the_wheel_carries_the_components_and_the_scripts_they_run_on_nodes(installed, scripts):
    package = installed / "moorings"
    assert (package / "wordpress_stack.py").is_file()
    assert sorted(p.name for p in (package / scripts).glob("*.sh")) == sorted(
        p.name for p in (ROOT / "moorings" / scripts).glob("*.sh")
    )
    # Nothing of the repository's own program travels with the package.
    assert not (installed / "stacks").exists() and not (installed / "tests").exists()


def test_a_program_outside_the_checkout_declares_the_installed_components(installed, tmp_path):
    seen = run_outside(installed, tmp_path)
    assert Path(seen["file"]).resolve().is_relative_to(installed.resolve())
    assert seen["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert {"WordPressStack", "WordPressStackArgs", "SwarmService", "SwarmServiceArgs", "SecretBundle",
            "SecretBundleArgs", "SwarmCluster", "SwarmClusterArgs", "KubernetesCluster",
            "KubernetesClusterArgs"} <= set(seen["exported"])
    assert seen["created"] == ["docker:index/secret:Secret", "moorings:index:SecretBundle", "random:index/randomPassword:RandomPassword"]
