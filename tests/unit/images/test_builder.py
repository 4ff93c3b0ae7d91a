"""Image tags follow the content that goes into them; Dockerfiles name the base and the agent."""

import re
import tarfile
from pathlib import Path

import pytest

from host.images.builder import (
    _layer_archive,
    _layer_changes,
    _layer_script,
    _registry_base_dockerfile,
    base_tag,
    runtime_tag,
)
from host.images.definitions import load_definition

RUNTIME_TOML = """\
suite = "bookworm"
packages = ["python3", "ca-certificates"]
client = "python"
runtime_version = "python:3.11.v1"

[env]
LANG = "en_US.UTF-8"
"""


@pytest.fixture
def runtimes(tmp_path) -> Path:
    root = tmp_path / "runtimes"
    (root / "myrt").mkdir(parents=True)
    (root / "myrt" / "runtime.toml").write_text(RUNTIME_TOML)
    client = root / "_clients" / "python"
    (client / "pkg").mkdir(parents=True)
    (client / "bootstrap").write_text("#!/bin/sh\n")
    (client / "bootstrap").chmod(0o755)
    (client / "pkg" / "loop.py").write_text("print('loop')\n")
    (root / "_agent").mkdir()
    (root / "_agent" / "agent.py").write_text("# agent\n")
    return root


def definition(runtimes):
    return load_definition(runtimes / "myrt")


def test_the_base_tag_names_the_suite_and_a_content_hash(runtimes):
    assert re.fullmatch(r"lambda-host/base:bookworm-[0-9a-f]{16}", base_tag(definition(runtimes)))


def test_the_base_tag_is_stable_for_the_same_definition(runtimes):
    assert base_tag(definition(runtimes)) == base_tag(definition(runtimes))


def test_the_base_tag_ignores_the_order_of_packages(runtimes):
    before = base_tag(definition(runtimes))
    toml = runtimes / "myrt" / "runtime.toml"
    toml.write_text(toml.read_text().replace('["python3", "ca-certificates"]', '["ca-certificates", "python3"]'))
    assert base_tag(definition(runtimes)) == before


def test_the_base_is_the_suites_whatever_the_runtimes_packages(runtimes):
    before = base_tag(definition(runtimes))
    assert base_tag(definition(runtimes), registry_base=True) != before
    toml = runtimes / "myrt" / "runtime.toml"
    toml.write_text(toml.read_text().replace('"python3",', '"python3", "curl",'))
    assert base_tag(definition(runtimes)) == before
    toml.write_text(toml.read_text().replace('suite = "bookworm"', 'suite = "trixie"'))
    assert base_tag(definition(runtimes)).startswith("lambda-host/base:trixie-")


def test_the_runtime_tag_changes_with_the_runtimes_packages(runtimes):
    before = runtime_tag(definition(runtimes))
    toml = runtimes / "myrt" / "runtime.toml"
    toml.write_text(toml.read_text().replace('"python3",', '"python3", "curl",'))
    assert runtime_tag(definition(runtimes)) != before


def test_the_runtime_image_installs_only_what_the_base_lacks_then_sets_up_its_client(runtimes):
    script = _layer_script(definition(runtimes))
    install, *rest = script.split(" && apt-get clean && rm -rf /var/lib/apt/lists/* && ")
    assert install.endswith("install -y --no-install-recommends python3")  # ca-certificates is in the base
    assert rest[0].startswith("if [ -f /var/runtime/setup.sh ]; then sh /var/runtime/setup.sh")


def test_the_runtime_tag_is_stable_for_the_same_definition(runtimes):
    tag = runtime_tag(definition(runtimes))
    assert re.fullmatch(r"lambda-host/myrt:[0-9a-f]{16}", tag)
    assert runtime_tag(definition(runtimes)) == tag


def test_a_client_change_changes_the_runtime_tag_but_not_the_base_tag(runtimes):
    before, base_before = runtime_tag(definition(runtimes)), base_tag(definition(runtimes))
    (runtimes / "_clients" / "python" / "pkg" / "loop.py").write_text("print('changed')\n")
    assert runtime_tag(definition(runtimes)) != before
    assert base_tag(definition(runtimes)) == base_before


def test_the_runtime_tag_changes_when_a_client_file_is_added(runtimes):
    before = runtime_tag(definition(runtimes))
    (runtimes / "_clients" / "python" / "pkg" / "extra.py").write_text("")
    assert runtime_tag(definition(runtimes)) != before


def test_the_runtime_tag_changes_when_the_executable_bit_changes(runtimes):
    before = runtime_tag(definition(runtimes))
    (runtimes / "_clients" / "python" / "bootstrap").chmod(0o644)
    assert runtime_tag(definition(runtimes)) != before


def test_the_runtime_tag_changes_when_the_agent_changes(runtimes):
    before = runtime_tag(definition(runtimes))
    (runtimes / "_agent" / "agent.py").write_text("# agent v2\n")
    assert runtime_tag(definition(runtimes)) != before


def test_the_runtime_tag_ignores_bytecode_caches(runtimes):
    before = runtime_tag(definition(runtimes))
    cache = runtimes / "_clients" / "python" / "pkg" / "__pycache__"
    cache.mkdir()
    (cache / "loop.cpython-311.pyc").write_bytes(b"\0")
    (runtimes / "_clients" / "python" / "pkg" / "stray.pyc").write_bytes(b"\0")
    assert runtime_tag(definition(runtimes)) == before


def test_the_runtime_image_runs_the_agent_and_names_its_runtime(runtimes):
    changes = _layer_changes(definition(runtimes))
    assert 'ENTRYPOINT ["/usr/bin/python3", "-I", "-S", "/var/lambda-host/agent.py"]' in changes
    assert "WORKDIR /var/task" in changes and "CMD []" in changes
    assert 'LABEL lambda-host.image="myrt"' in changes


def test_the_runtime_files_go_where_the_image_keeps_them_owned_by_root(runtimes):
    with tarfile.open(fileobj=_layer_archive(definition(runtimes))) as tar:
        members = {member.name: member for member in tar}
    assert {"var/lambda-host/agent.py", "var/runtime/bootstrap", "var/runtime/pkg/loop.py"} <= set(members)
    assert members["var/runtime/bootstrap"].mode & 0o111
    assert members["var/runtime/pkg"].isdir() and members["var/runtime/pkg"].mode == 0o755
    assert {(m.uid, m.gid) for m in members.values()} == {(0, 0)}
    assert not any("site-packages" in name for name in members)


def test_a_runtime_without_a_client_folder_gets_only_the_agent(runtimes):
    toml = runtimes / "myrt" / "runtime.toml"
    toml.write_text(toml.read_text().replace('client = "python"', 'client = "provided"'))
    with tarfile.open(fileobj=_layer_archive(definition(runtimes))) as tar:
        assert [m.name for m in tar if m.isfile()] == ["var/lambda-host/agent.py"]


def test_the_registry_base_is_debian_slim_with_the_common_packages(runtimes):
    dockerfile = _registry_base_dockerfile(definition(runtimes))
    assert dockerfile.startswith("FROM debian:bookworm-slim\n")
    assert "install -y --no-install-recommends ca-certificates python3-minimal &&" in dockerfile
