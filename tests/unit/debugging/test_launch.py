"""Debug launches: which port, which command, which mounts, and the copy of debugpy containers import."""

from __future__ import annotations

import os
import stat

import pytest

from host.debugging import DebuggingUnavailable, parse_targets
from host.debugging.launch import DEBUGPY_MOUNT, Debugging, DebugLaunch
from host.environments.backend import ContainerSpec, Mount


def test_targets_are_function_names_with_an_optional_port():
    assert parse_targets(["api=5679", "worker", " other-fn_2=9230 "]) == {
        "api": 5679,
        "worker": None,
        "other-fn_2": 9230,
    }
    assert parse_targets(None) == {}


@pytest.mark.parametrize("spec", ["", "a b", "fn=", "fn=0", "fn=70000", "fn=port", "arn:aws:lambda:x"])
def test_malformed_targets_are_refused_naming_the_form(spec):
    with pytest.raises(ValueError, match="expected FUNCTION or FUNCTION=PORT"):
        parse_targets([spec])


def test_ports_default_to_each_runtimes_usual_one_and_never_collide(tmp_path):
    debugging = Debugging({"given": 5678, "py": None, "py2": None, "node": None}, tmp_path)
    assert debugging.port("py", "python") == 5679  # 5678 is taken by the function given it
    assert debugging.port("py2", "python") == 5680
    assert debugging.port("node", "nodejs") == 9229
    assert debugging.port("py", "python") == 5679  # kept for the host's life
    assert debugging.wants("py") and not debugging.wants("other")


def test_python_runs_its_bootstrap_under_debugpy_waiting_for_a_client():
    launch = DebugLaunch("fn", "python", 7001, "/cache/debugpy-1")
    argv = launch.argv(["/var/lang/bin/python3.11", "/var/runtime/bootstrap.py"])
    assert argv == [
        "/var/lang/bin/python3.11",
        "-Xfrozen_modules=off",
        f"{DEBUGPY_MOUNT}/debugpy",
        "--listen",
        "0.0.0.0:5678",
        "--wait-for-client",
        "/var/runtime/bootstrap.py",
    ]


def test_node_starts_with_the_inspector_breaking_before_the_runtime_runs():
    launch = DebugLaunch("fn", "nodejs", 7002)
    argv = launch.argv(["/var/lang/bin/node", "--expose-gc", "/var/runtime/index.mjs"])
    assert argv == ["/var/lang/bin/node", "--inspect-brk=0.0.0.0:9229", "--expose-gc", "/var/runtime/index.mjs"]


def test_a_runtime_started_through_an_exec_wrapper_cannot_be_debugged():
    with pytest.raises(DebuggingUnavailable, match="AWS_LAMBDA_EXEC_WRAPPER"):
        DebugLaunch("fn", "python", 7001, "/d").argv(["/var/runtime/bootstrap"])
    with pytest.raises(DebuggingUnavailable, match="AWS_LAMBDA_EXEC_WRAPPER"):
        DebugLaunch("fn", "nodejs", 7001).argv(["/var/runtime/bootstrap"])


def test_custom_runtimes_are_refused_with_the_reason(tmp_path):
    with pytest.raises(DebuggingUnavailable, match=r"for Python and Node\.js runtimes; this function runs a custom"):
        Debugging({"fn": None}, tmp_path).launch("fn", "provided")
    with pytest.raises(DebuggingUnavailable, match="this function runs a container image"):
        Debugging({"fn": None}, tmp_path).launch("fn", "image")


def test_the_container_publishes_the_debug_port_on_loopback_only_and_mounts_debugpy():
    spec = ContainerSpec("c", "img", "h:1", "t", 128, mounts=(Mount("/slot/task", "/var/task"),))
    python = DebugLaunch("fn", "python", 7001, "/cache/debugpy-1").container_spec(spec)
    assert python.ports == ((5678, "127.0.0.1", 7001),)
    assert python.mounts[-1] == Mount("/cache/debugpy-1", DEBUGPY_MOUNT, read_only=True)
    node = DebugLaunch("fn", "nodejs", 7002).container_spec(spec)
    assert node.ports == ((9229, "127.0.0.1", 7002),) and node.mounts == spec.mounts


def test_debugpy_is_copied_once_readable_by_anyone(tmp_path):
    debugging = Debugging({"fn": None}, tmp_path)
    first = debugging.debugpy_dir()
    assert (first / "debugpy" / "__main__.py").is_file()
    for folder, _, files in os.walk(first):
        assert stat.S_IMODE(os.stat(folder).st_mode) & 0o005 == 0o005
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) & 0o004
    marker = first / "debugpy" / "marker"
    marker.write_text("kept")
    assert debugging.debugpy_dir() == first and marker.exists()  # not copied again
    launch = debugging.launch("fn", "python")
    assert launch.debugpy_dir == str(first) and launch.port == 5678
