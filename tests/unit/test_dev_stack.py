"""Stack dev: recipe 1 on the local engine, as committed."""

import runpy

from tests.harness import run_program
from tests.stack_config import ROOT, stack_config


def run_dev():
    return run_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), stack_config("dev"), stack="dev")


def test_dev_serves_wordpress_on_localhost_8080():
    run = run_dev()
    assert run.outputs == {
        "platform": "docker",
        "url": "http://localhost:8080",
        "wordpressContainer": "moorings-dev-wordpress",
        "mysqlContainer": "moorings-dev-mysql",
        "network": "moorings-dev-net",
    }
    wordpress = run.one("docker:index/container:Container", "wordpress")
    assert wordpress.inputs["ports"][0]["ip"] == "127.0.0.1"


def test_dev_data_is_disposable():
    assert [r.name for r in run_dev().resources if r.protect] == []


def test_every_resource_sits_under_a_component():
    run = run_dev()
    components = {r.urn for r in run.resources if not r.custom}
    top = {r.name for r in run.resources if r.parent not in components}
    assert top == {"secrets", "wordpress"}
