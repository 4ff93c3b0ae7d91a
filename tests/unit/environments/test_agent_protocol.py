"""The agent's frames: the host's codec, and the agent's own codec reading the host's frames."""

import asyncio
import importlib.util
import socket
import struct

import pytest

from host.environments import agent_protocol
from host.environments.agent_protocol import decode, encode, spawn_frame
from host.images.definitions import RUNTIMES_DIR


@pytest.fixture(scope="module")
def agent():
    spec = importlib.util.spec_from_file_location("lambda_host_agent_under_test", RUNTIMES_DIR / "_agent" / "agent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pair():
    left, right = socket.socketpair()
    yield left, right
    left.close()
    right.close()


def test_a_frame_is_a_big_endian_length_and_nul_separated_fields():
    assert encode("exited", 42, 0) == struct.pack("!I", 11) + b"exited\x0042\x000"


@pytest.mark.parametrize("fields", [["ready", "0"], ["spawn-failed", "fork/exec /x: no such file"], ["é", "日本", ""]])
def test_decoding_an_encoded_frame_gives_back_its_fields(fields):
    frame = encode(*fields)
    (length,) = struct.unpack("!I", frame[:4])
    assert length == len(frame) - 4
    assert decode(frame[4:]) == fields


def test_bytes_that_are_not_utf8_survive_the_round_trip():
    field = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert decode(encode(field)[4:]) == [field]


def test_a_spawn_frame_carries_cwd_argc_argv_then_the_environment():
    frame = spawn_frame("/var/task", ["/var/runtime/bootstrap", "-x"], {"A": "1", "B": "x=y"})
    assert decode(frame[4:]) == ["spawn", "/var/task", "2", "/var/runtime/bootstrap", "-x", "A=1", "B=x=y"]


def test_the_host_reads_a_frame_from_a_stream():
    async def read():
        reader = asyncio.StreamReader()
        reader.feed_data(encode("peak", 1024) + encode("killed"))
        reader.feed_eof()
        return [await agent_protocol.read_frame(reader), await agent_protocol.read_frame(reader)]

    assert asyncio.run(read()) == [["peak", "1024"], ["killed"]]


def test_the_agent_encodes_exactly_as_the_host_does(agent):
    fields = ("spawned", 1234, "é")
    assert agent.encode(*fields) == encode(*fields)


def test_the_agent_reads_a_spawn_frame_the_host_sends(agent, pair):
    host_side, agent_side = pair
    env = {"PATH": "/usr/bin", "EMPTY": ""}
    host_side.sendall(spawn_frame("/var/task", ["/var/runtime/bootstrap"], env))
    assert agent.read_frame(agent_side) == [
        "spawn",
        "/var/task",
        "1",
        "/var/runtime/bootstrap",
        "PATH=/usr/bin",
        "EMPTY=",
    ]


def test_the_agent_reads_frames_split_across_sends(agent, pair):
    host_side, agent_side = pair
    frame = encode("kill") + encode("peak")
    for i in range(len(frame)):
        host_side.sendall(frame[i : i + 1])
    assert agent.read_frame(agent_side) == ["kill"]
    assert agent.read_frame(agent_side) == ["peak"]


def test_the_host_decodes_what_the_agent_sends(agent, pair):
    host_side, agent_side = pair
    agent_side.sendall(agent.encode("exited", 77, 9, 0))
    data = host_side.recv(1024)
    (length,) = struct.unpack("!I", data[:4])
    assert decode(data[4 : 4 + length]) == ["exited", "77", "9", "0"]


def test_the_agent_sees_a_closed_connection_as_the_end(agent, pair):
    host_side, agent_side = pair
    host_side.close()
    with pytest.raises(EOFError):
        agent.read_frame(agent_side)
