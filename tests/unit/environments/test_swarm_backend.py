"""The Swarm backend's pure parts: service names, resources and mounts, without a cluster."""

from __future__ import annotations

import pytest

from host.environments.swarm_backend import PIDS_LIMIT, SwarmBackend, SwarmUnsupported, resources, service_name


def test_a_service_name_drops_dots_and_keeps_at_most_63_characters():
    assert service_name("lambda-host-python3.11-ab12") == "lambda-host-python3-11-ab12"
    assert len(service_name("x" * 100)) == 63
    assert service_name("...") == "lambda-host"


def test_resources_reserve_and_limit_memory_and_cpu_in_proportion_with_the_pids_limit():
    small, large = resources(128), resources(3538)
    assert small["Limits"] == {"NanoCPUs": 10**9, "MemoryBytes": 128 * 2**20, "Pids": PIDS_LIMIT}
    assert small["Reservations"]["MemoryBytes"] == 128 * 2**20
    assert small["Reservations"]["NanoCPUs"] == int(128 / 1769 * 10**9)
    assert large["Limits"]["NanoCPUs"] == 2 * 10**9


def test_a_writable_mount_becomes_a_tmpfs_the_size_of_its_file_system(tmp_path):
    mount = SwarmBackend(client=None, host_address="10.77.0.1")._mount(str(tmp_path), "/tmp", read_only=False)
    assert mount["Type"] == "tmpfs"
    assert mount["TmpfsOptions"]["SizeBytes"] > 0


def test_a_read_only_host_folder_is_refused_unless_files_are_shared(tmp_path):
    with pytest.raises(SwarmUnsupported):
        SwarmBackend(client=None, host_address="10.77.0.1")._mount(str(tmp_path), "/var/task", read_only=True)
    shared = SwarmBackend(client=None, host_address="10.77.0.1", shared_files=True)
    mount = shared._mount(str(tmp_path), "/var/task", read_only=True)
    assert (mount["Type"], mount["Source"], mount["ReadOnly"]) == ("bind", str(tmp_path), True)


def test_a_loopback_agent_address_is_refused():
    backend = SwarmBackend(client=None, host_address="10.77.0.1")
    with pytest.raises(SwarmUnsupported):
        backend._check_reachable("127.0.0.1:9000")
    backend._check_reachable("10.77.0.1:9000")
    backend._check_reachable("host.docker.internal:9000")
