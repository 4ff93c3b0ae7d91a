"""Hosts share a machine, never a state directory: each keeps its own containers, agents, mounts and cleanup.

Two ``lambda-host serve`` processes on different state directories and ports run side by
side; a third on the first one's directory is refused, naming the first, and touches
nothing of it; a one-shot ``lambda-host invoke`` uses the host already serving.
"""

import json
import subprocess

import pytest

from host.environments.docker_backend import DockerBackend
from host.testing.plugin import DEFAULT_ROLE, make_zip
from tests.integration.served import COMMAND, ROOT, ServedHost, owner_label

WHO = "import os\ndef handler(event, context):\n    return {'host': os.environ['HOST_NAME'], 'event': event}\n"


@pytest.fixture
def two_hosts(tmp_path):
    hosts = [ServedHost(tmp_path / name) for name in ("first", "second")]
    try:
        for host in hosts:
            host.start()
        yield hosts
    finally:
        for host in hosts:
            host.close()
            DockerBackend().remove_labelled({"lambda-host.owner": owner_label(host.state_dir)})


def deploy(host: ServedHost, name: str) -> None:
    client = host.client()
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": WHO})}, Environment={"Variables": {"HOST_NAME": host.state_dir.name}},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})


def answer(host: ServedHost, name: str, event: dict | None = None) -> dict:
    response = host.client().invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def test_a_second_host_on_a_state_directory_is_refused_and_the_two_hosts_beside_it_are_untouched(two_hosts):
    first, second = two_hosts
    deploy(first, "who")
    deploy(second, "who")  # the same name on each: nothing is shared but the machine
    assert answer(first, "who")["host"] == "first"
    assert answer(second, "who")["host"] == "second"
    first_containers, second_containers = set(first.containers()), set(second.containers())
    assert first_containers and second_containers and not first_containers & second_containers
    first_mounts = first.mounts()

    third = subprocess.run(
        [*COMMAND, "serve", "--port", "0", "--state-dir", str(first.state_dir), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert third.returncode == 3, third.stderr
    assert f"in use by lambda-host pid {first.process.pid} serving {first.endpoint}" in third.stderr
    assert "Traceback" not in third.stderr

    # Nothing of the first was removed (it may have started a stem since: a superset is fine)...
    assert first_containers <= set(first.containers())
    assert first.mounts() == first_mounts  # ...not its /tmp file systems either
    for n in range(3):  # and it keeps answering, in the environments it had
        assert answer(first, "who", {"n": n}) == {"host": "first", "event": {"n": n}}
    assert first_containers <= set(first.containers())

    # A killed host's leftovers are removed by the next host on its directory, and only those.
    second.kill()
    assert second_containers <= set(second.containers())
    second.start()
    assert not second_containers & set(second.containers())
    assert first_containers <= set(first.containers())
    assert answer(first, "who")["host"] == "first"
    assert answer(second, "who")["host"] == "second"

    # Stopping one host removes its own containers, never the other's.
    assert second.stop() == 0
    assert second.containers() == []
    assert first_containers <= set(first.containers())
    assert answer(first, "who")["host"] == "first"


def test_one_shot_invoke_uses_the_host_serving_the_state_directory(two_hosts, tmp_path):
    first, _ = two_hosts
    deploy(first, "who")
    event = tmp_path / "event.json"
    event.write_text('{"via": "cli"}')
    done = subprocess.run(
        [*COMMAND, "invoke", "who", "--event", str(event), "--state-dir", str(first.state_dir), "--port", "0"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"host": "first", "event": {"via": "cli"}}
    assert f"using the host already serving on {first.endpoint} (pid {first.process.pid})" in done.stderr


def test_one_shot_invoke_uses_the_host_on_the_port_and_deploys_only_what_it_lacks(two_hosts, tmp_path):
    first, _ = two_hosts
    deploy(first, "who")
    project = tmp_path / "project"
    (project / "code").mkdir(parents=True)
    (project / "code" / "app.py").write_text("def handler(event, context):\n    return 'from the template'\n")
    (project / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Who:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {FunctionName: who, CodeUri: code/, Handler: app.handler, Runtime: python3.11}\n"
        "  Fresh:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {FunctionName: fresh, CodeUri: code/, Handler: app.handler, Runtime: python3.11}\n"
    )

    def invoke(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*COMMAND, "invoke", name, "--template", str(project / "template.yaml"), "--port", str(first.port),
             "--state-dir", str(tmp_path / "unused")],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip

    done = invoke("fresh")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "from the template"
    assert "deployed fresh from" in done.stderr
    done = invoke("who")  # the host's own function is used as it is, not replaced by the template's
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["host"] == "first"
    assert "deployed" not in done.stderr
    assert not (tmp_path / "unused" / "lambda-host.db").exists()  # no host of its own was started
