"""Function output on the host's console: one prefixed line per record, written per loop turn."""

import asyncio
import io
from types import SimpleNamespace

import pytest

from host.environments.logsink import MAX_LINE, LogSink


class Env:
    def __init__(self, name="my-fn"):
        self.function = SimpleNamespace(name=name)
        self.partial_line = b""


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def stream():
    return io.BytesIO()


@pytest.fixture
def sink(loop, stream):
    return LogSink(loop, stream)


def test_each_line_gets_the_function_name_as_prefix(sink, stream):
    sink.write(Env(), b"hello\nworld\n")
    sink.flush()
    assert stream.getvalue() == b"[my-fn] hello\n[my-fn] world\n"


def test_nothing_is_written_before_the_flush(sink, stream):
    sink.write(Env(), b"hello\n")
    assert stream.getvalue() == b""
    assert sink.scheduled


def test_a_partial_line_waits_for_its_newline(sink, stream):
    env = Env()
    sink.write(env, b"hel")
    sink.flush()
    assert stream.getvalue() == b""
    sink.write(env, b"lo\nnext")
    sink.flush()
    assert stream.getvalue() == b"[my-fn] hello\n"
    assert env.partial_line == b"next"


def test_partial_lines_of_two_functions_do_not_mix(sink, stream):
    first, second = Env("first"), Env("second")
    sink.write(first, b"one ")
    sink.write(second, b"two\n")
    sink.write(first, b"done\n")
    sink.flush()
    assert stream.getvalue() == b"[second] two\n[first] one done\n"


def test_a_carriage_return_inside_a_record_becomes_a_line_break(sink, stream):
    sink.write(Env(), b"[ERROR] Boom\rTraceback (most recent call last):\r\xc2\xa0File x\n")
    sink.flush()
    assert stream.getvalue() == (
        b"[my-fn] [ERROR] Boom\n[my-fn] Traceback (most recent call last):\n[my-fn] \xc2\xa0File x\n"
    )


def test_crlf_line_endings_give_one_line_each(sink, stream):
    sink.write(Env(), b"a\r\nb\r\n")
    sink.flush()
    assert stream.getvalue() == b"[my-fn] a\n[my-fn] b\n"


def test_a_very_long_line_is_written_before_its_end(sink, stream):
    env = Env()
    sink.write(env, b"x" * (MAX_LINE + 1))
    sink.flush()
    assert stream.getvalue() == b"[my-fn] " + b"x" * (MAX_LINE + 1) + b"\n"
    assert env.partial_line == b""


def test_a_line_up_to_the_limit_still_waits(sink, stream):
    env = Env()
    sink.write(env, b"x" * MAX_LINE)
    sink.flush()
    assert stream.getvalue() == b""
    assert len(env.partial_line) == MAX_LINE


def test_platform_lines_are_written_like_output(sink, stream):
    sink.platform(Env(), "END RequestId: abc\n")
    sink.flush()
    assert stream.getvalue() == b"[my-fn] END RequestId: abc\n"


def test_writes_of_one_loop_turn_are_flushed_together(loop, sink, stream):
    sink.write(Env("a"), b"1\n")
    sink.write(Env("b"), b"2\n")
    loop.call_soon(loop.stop)
    loop.run_forever()
    assert stream.getvalue() == b"[a] 1\n[b] 2\n"
    assert not sink.scheduled


def test_a_disabled_sink_writes_nothing(loop, stream):
    sink = LogSink(loop, stream, enabled=False)
    env = Env()
    sink.write(env, b"hello\n")
    sink.flush()
    assert stream.getvalue() == b""
    assert env.partial_line == b""


def test_a_closed_stream_disables_the_sink(sink, stream):
    sink.write(Env(), b"hello\n")
    stream.close()
    sink.flush()
    assert not sink.enabled


def test_platform_lines_never_join_unfinished_output():
    loop = asyncio.new_event_loop()
    try:
        stream = io.BytesIO()
        sink = LogSink(loop, stream)
        env = SimpleNamespace(partial_line=b"", function=SimpleNamespace(name="fn"))
        sink.write(env, b"no newline at the end")
        sink.platform(env, "END RequestId: 1\n")
        sink.flush()
        assert stream.getvalue() == b"[fn] no newline at the end\n[fn] END RequestId: 1\n"
    finally:
        loop.close()


class Recorded:
    def __init__(self):
        self.lines = []

    def record(self, group, stream, lines):
        self.lines.extend((group, stream, line) for line in lines)


def json_env(application="WARN", system="INFO"):
    function = SimpleNamespace(
        name="fn", version="$LATEST", log_format="JSON", application_log_level=application, system_log_level=system,
        log_group_name="/aws/lambda/fn",
    )  # fmt: skip
    return SimpleNamespace(partial_line=b"", function=function, log_stream="2026/01/01/[$LATEST]abc")


def test_a_recorder_gets_every_whole_line_with_the_group_and_stream_even_with_the_console_off(loop):
    recorded = Recorded()
    sink = LogSink(loop, io.BytesIO(), enabled=False, recorder=recorded)
    env = SimpleNamespace(
        partial_line=b"", log_stream="s", function=SimpleNamespace(name="fn", log_group_name="/aws/lambda/fn")
    )
    assert sink.enabled
    sink.write(env, b"one\ntw")
    sink.write(env, b"o\n")
    assert recorded.lines == [("/aws/lambda/fn", "s", b"one"), ("/aws/lambda/fn", "s", b"two")]


def test_json_format_filters_application_lines_by_level_and_writes_platform_records(loop, stream):
    recorded = Recorded()
    sink = LogSink(loop, stream, recorder=recorded)
    env = json_env()
    sink.write(env, b'{"level": "INFO", "message": "dropped"}\n{"level": "ERROR", "message": "kept"}\nprint\n')
    sink.platform(env, "START RequestId: r1 Version: $LATEST\n")
    lines = [line for _, _, line in recorded.lines]
    assert lines[0] == b'{"level": "ERROR", "message": "kept"}'
    assert b'"type":"platform.start"' in lines[1] and len(lines) == 2
