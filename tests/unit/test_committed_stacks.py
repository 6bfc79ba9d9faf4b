"""Every committed stack (stacks/Pulumi.<stack>.yaml) runs end to end under mocks with its own
config, and holds the rules that apply to all of them: passwords stay secret, images are pinned."""

import base64
import functools
import runpy

import pytest

from stacks.settings.images import pinned_image_problem
from tests.harness import is_secret, plain_occurrences, run_program
from tests.stack_config import ROOT, committed_stacks, stack_config

CANARIES = {"mysqlRootPassword": "CANARY-root-0001", "mysqlPassword": "CANARY-user-0002"}


def run_stack(stack, extra=None, secret_keys=()):
    return _run_stack(stack, tuple(sorted((extra or {}).items())), tuple(secret_keys))


@functools.lru_cache(maxsize=None)  # two distinct runs per stack serve all the tests below
def _run_stack(stack, extra, secret_keys):
    config = {**stack_config(stack), **dict(extra)}
    return run_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), config, stack=stack, secret_keys=secret_keys)


@pytest.fixture(scope="module", params=committed_stacks())
def stack(request):
    return request.param


def test_the_stack_program_runs_with_its_committed_config(stack):
    run = run_stack(stack)
    assert run.resources, f"stack {stack} declared nothing"
    assert run.output("platform") == stack_config(stack)["moorings:platform"]


def test_configured_passwords_never_appear_outside_a_secret(stack):
    run = run_stack(stack, CANARIES, secret_keys=CANARIES)
    for canary in CANARIES.values():
        for form in (canary, _base64(canary)):  # Swarm secrets travel base64-encoded
            leaks = [
                f"{r.type} {r.name}{path}" for r in run.resources for path in plain_occurrences(r.raw_inputs, form)
            ]
            leaks += [f"stack output{p}" for p in plain_occurrences(run.outputs, form)]
            leaks += [f"{urn}{p}" for urn, outs in run.component_outputs.items() for p in plain_occurrences(outs, form)]
            assert leaks == []
        # ...but they do reach the platform, inside secrets.
        assert any(canary in repr(r.inputs) or _base64(canary) in repr(r.inputs) for r in run.resources)


def test_generated_passwords_never_appear_outside_a_secret(stack):
    run = run_stack(stack)
    generated = [r for r in run.resources if r.type == "random:index/randomPassword:RandomPassword"]
    assert generated
    for password in generated:
        value = f"generated-{password.name}-"  # what the mocks return as `result`
        assert [p for r in run.resources for p in plain_occurrences(r.raw_inputs, value)] == []


def test_no_password_is_a_plain_environment_value(stack):
    run = run_stack(stack, CANARIES, secret_keys=CANARIES)
    for resource in run.resources:
        for line in _environment_lines(resource.inputs):
            name = line.split("=", 1)[0]
            if "PASSWORD" in name or "_KEY" in name or "SALT" in name:
                assert name.endswith("_FILE"), f"{resource.name}: {name} is not a *_FILE variable"


def test_every_image_is_pinned(stack):
    run = run_stack(stack)
    images = [v for r in run.resources for v in _image_references(r.type, r.inputs)]
    assert images
    assert [i for i in images if pinned_image_problem(i) is not None] == []


def test_stack_outputs_that_hold_secrets_are_marked_secret(stack):
    run = run_stack(stack, CANARIES, secret_keys=CANARIES)
    for key, value in run.outputs.items():
        if any(c in repr(value) for c in CANARIES.values()):
            assert is_secret(value), key


def _base64(text):
    return base64.b64encode(text.encode()).decode()


def _environment_lines(inputs):
    """Docker `envs` strings and Kubernetes `env` entries, wherever they sit."""
    if isinstance(inputs, dict):
        for key, value in inputs.items():
            if key in ("envs", "env") and isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        yield item
                    elif isinstance(item, dict) and "name" in item:
                        yield f"{item['name']}={item.get('value', '')}"
            elif key == "env" and isinstance(value, dict):  # swarm container spec
                yield from (f"{k}={v}" for k, v in value.items())
            else:
                yield from _environment_lines(value)
    elif isinstance(inputs, list):
        for item in inputs:
            yield from _environment_lines(item)


def _image_references(type_, inputs):
    if type_ == "docker:index/remoteImage:RemoteImage":
        yield inputs["name"]
    elif type_ == "docker:index/image:Image":
        yield inputs["build"]["args"]["WORDPRESS_IMAGE"]
    else:
        yield from _nested_images(inputs)


def _nested_images(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "image" and isinstance(item, str) and not item.startswith("sha256:"):
                yield item
            else:
                yield from _nested_images(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nested_images(item)
