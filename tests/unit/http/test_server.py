"""The asyncio HTTP/1.1 server, spoken to over a real loopback socket."""

import asyncio
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from host.http.server import serve


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def response(self) -> tuple[int, dict[str, str], bytes]:
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 5)
        status_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
        headers = dict(line.split(": ", 1) for line in lines)
        body = await self.reader.readexactly(int(headers.get("Content-Length", 0)))
        return int(status_line.split()[1]), headers, body

    async def closed(self) -> bool:
        return await asyncio.wait_for(self.reader.read(), 5) == b""


def run(handler, scenario, max_body=1024, stream_body=None):
    """Serve ``handler`` on a free loopback port and run ``scenario(client)`` against it."""

    async def main():
        server = await serve(handler, "127.0.0.1", 0, max_body=max_body, stream_body=stream_body)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(scenario(Client(reader, writer)), 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    return asyncio.run(main())


def echo(exchange):
    request = exchange.request
    body = json.dumps({"method": request.method, "path": request.path, "query": request.query}).encode()
    exchange.respond(200, [("Content-Type", "application/json")], body + request.body)


def get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


def post(path: str, body: bytes, extra: str = "") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def test_two_requests_share_one_kept_alive_connection():
    async def scenario(client):
        await client.send(get("/one"))
        first = await client.response()
        await client.send(get("/two"))
        second = await client.response()
        return first, second

    first, second = run(echo, scenario)
    assert first[0] == second[0] == 200
    assert json.loads(first[2])["path"] == "/one"
    assert json.loads(second[2])["path"] == "/two"
    assert "Connection" not in first[1]


def test_pipelined_requests_are_answered_in_order():
    async def scenario(client):
        await client.send(get("/first") + post("/second", b"payload"))
        return [await client.response(), await client.response()]

    first, second = run(echo, scenario)
    assert json.loads(first[2])["path"] == "/first"
    assert second[2].endswith(b"payload")
    assert json.loads(second[2].removesuffix(b"payload"))["path"] == "/second"


def test_a_pipelined_request_waits_for_the_deferred_answer_before_it():
    parked, seen = [], []

    def handler(exchange):
        seen.append(exchange.request.path)
        if exchange.request.path == "/slow":
            parked.append(exchange)
        else:
            exchange.respond(200, (), b"fast")

    async def scenario(client):
        await client.send(get("/slow") + get("/fast"))
        await asyncio.sleep(0.05)
        dispatched_before_answer = list(seen)
        parked[0].respond(200, (), b"slow")
        return dispatched_before_answer, [(await client.response())[2], (await client.response())[2]]

    dispatched_before_answer, bodies = run(handler, scenario)
    assert dispatched_before_answer == ["/slow"]
    assert bodies == [b"slow", b"fast"]


def test_a_handler_can_answer_later():
    parked = []

    async def scenario(client):
        await client.send(get("/next"))
        await asyncio.sleep(0.05)
        assert parked and not parked[0].answered
        asyncio.get_running_loop().call_later(0.01, parked[0].respond, 202, [("X-Later", "yes")], b"done")
        return await client.response()

    status, headers, body = run(parked.append, scenario)
    assert (status, headers["X-Later"], body) == (202, "yes", b"done")


def test_expect_100_continue_is_answered_before_the_body_is_sent():
    async def scenario(client):
        await client.send(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        interim = await asyncio.wait_for(client.reader.readuntil(b"\r\n\r\n"), 5)
        await client.send(b"body")
        return interim, await client.response()

    interim, (status, _, body) = run(echo, scenario)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert status == 200
    assert body.endswith(b"body")


def sizes(exchange):
    request = exchange.request
    body = json.dumps({"truncated": request.truncated, "length": len(request.body)}).encode()
    exchange.respond(413 if request.truncated else 200, [], body)


def test_a_body_over_the_limit_is_dropped_and_the_handler_told():
    async def scenario(client):
        await client.send(post("/big", b"x" * 2048) + get("/after"))
        return await client.response(), await client.response()

    (status, _, body), (after, _, _) = run(sizes, scenario, max_body=1024)
    assert status == 413
    assert json.loads(body) == {"truncated": True, "length": 0}
    assert after == 200  # the connection goes on


def test_a_body_announced_over_the_limit_with_expect_100_continue_is_refused_at_once():
    async def scenario(client):
        await client.send(b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n")
        try:
            return (await asyncio.wait_for(client.response(), 0.5))[0]
        except TimeoutError:
            return None

    assert run(echo, scenario, max_body=1024) == 413


def test_a_chunked_body_over_the_limit_gets_413():
    async def scenario(client):
        chunk = b"x" * 800
        head = b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        await client.send(head + (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 2 + b"0\r\n\r\n")
        return (await client.response())[0]

    assert run(sizes, scenario, max_body=1024) == 413


def test_a_handler_that_raises_answers_500():
    def handler(exchange):
        raise ValueError("boom")

    async def scenario(client):
        await client.send(get("/"))
        return await client.response()

    status, _, body = run(handler, scenario)
    assert status == 500
    assert json.loads(body) == {"message": "Internal error"}


def test_url_encoded_paths_are_decoded_and_the_query_kept():
    async def scenario(client):
        await client.send(get("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/a%20b?x=%31"))
        return json.loads((await client.response())[2])

    assert run(echo, scenario) == {
        "method": "GET",
        "path": "/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/a b",
        "query": "x=%31",
    }


def test_a_request_asking_to_close_gets_its_answer_and_the_connection_closes():
    async def scenario(client):
        await client.send(get("/", "Connection: close\r\n"))
        return await client.response(), await client.closed()

    (status, headers, _), closed = run(echo, scenario)
    assert status == 200
    assert headers["Connection"] == "close"
    assert closed


def test_an_unanswered_exchange_hears_when_the_peer_goes_away():
    closed, parked = asyncio.Event(), []

    def handler(exchange):
        exchange.on_close = closed.set
        parked.append(exchange)

    async def scenario(client):
        await client.send(get("/next"))
        await asyncio.sleep(0.05)
        client.writer.close()
        await asyncio.wait_for(closed.wait(), 5)
        return parked[0].closed, parked[0].respond(200, (), b"too late")

    assert run(handler, scenario) == (True, False)


def test_an_exchange_can_be_answered_only_once():
    errors = []

    def handler(exchange):
        exchange.respond(200, (), b"first")
        try:
            exchange.respond(200, (), b"second")
        except RuntimeError as exc:
            errors.append(str(exc))

    async def scenario(client):
        await client.send(get("/"))
        return (await client.response())[2]

    assert run(handler, scenario) == b"first"
    assert errors == ["exchange already answered"]


def test_a_malformed_request_gets_400():
    async def scenario(client):
        await client.send(b"NOT HTTP AT ALL\r\n\r\n")
        return (await client.response())[0], await client.closed()

    assert run(echo, scenario) == (400, True)


@pytest.mark.parametrize("size", [0, 70_000])
def test_bodies_of_any_size_under_the_limit_arrive_whole(size):
    async def scenario(client):
        await client.send(post("/p", b"y" * size))
        return (await client.response())[2]

    assert run(echo, scenario, max_body=100_000).endswith(b"y" * size)


def test_with_hold_for_pipelined_an_answer_travels_with_the_next_one():
    async def scenario():
        exchanges = []

        def handler(exchange):
            exchanges.append(exchange)
            if exchange.request.path == "/first":
                exchange.respond(202, [], b"first")

        server = await serve(handler, "127.0.0.1", 0, hold_for_pipelined=True)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        await writer.drain()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.2)  # held while /second is unanswered
        exchanges[1].respond(200, [], b"second")
        data = b""
        while not data.endswith(b"second"):
            data += await asyncio.wait_for(reader.read(1024), 2)
        writer.close()
        server.close()
        return data

    data = asyncio.run(scenario())
    assert data.index(b"first") < data.index(b"second")
    assert data.startswith(b"HTTP/1.1 202 Accepted")


def streaming_run(handler, scenario):
    """As ``run``, with bodies of ``POST /stream`` handed on before they arrive."""
    return run(handler, scenario, max_body=70 * 1024 * 1024, stream_body=lambda request: request.path == "/stream")


CHUNKED_HEAD = b"POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Error\r\n\r\n"


def test_a_streamed_body_reaches_its_handler_piece_by_piece_before_it_ends():
    seen: list = []
    arrived: asyncio.Event | None = None

    def handler(exchange):
        body = exchange.request.body_stream
        if body is None:
            echo(exchange)
            return

        def on_data(data):
            seen.append(data)
            arrived.set()

        def on_end(trailers):
            seen.append(dict(trailers))
            exchange.respond(202, [], b"".join(piece for piece in seen if isinstance(piece, bytes)))

        body.listen(on_data, on_end)

    async def scenario(client):
        nonlocal arrived
        arrived = asyncio.Event()
        await client.send(CHUNKED_HEAD + b"5\r\nhello\r\n")
        await asyncio.wait_for(arrived.wait(), 5)
        early = list(seen)  # the handler has the first piece; the body has not ended
        await client.send(b"6\r\n world\r\n0\r\nX-Error: oops\r\n\r\n")
        answer = await client.response()
        await client.send(get("/after"))  # the connection is still good for the next request
        return early, answer, await client.response()

    early, answer, after = streaming_run(handler, scenario)
    assert early == [b"hello"]
    assert answer[0] == 202 and answer[2] == b"hello world"
    assert seen[-1] == {"x-error": "oops"}
    assert json.loads(after[2])["path"] == "/after"


def test_a_streamed_body_cut_short_ends_marked_truncated():
    ended = []
    done: asyncio.Event | None = None

    def handler(exchange):
        body = exchange.request.body_stream

        def on_end(trailers):
            ended.append(body.truncated)
            done.set()

        body.listen(lambda data: None, on_end)

    async def scenario(client):
        nonlocal done
        done = asyncio.Event()
        await client.send(CHUNKED_HEAD + b"5\r\nhello\r\n")
        client.writer.close()
        await asyncio.wait_for(done.wait(), 5)

    streaming_run(handler, scenario)
    assert ended == [True]


def test_a_discarded_streamed_body_is_dropped_and_the_early_answer_stands():
    def handler(exchange):
        exchange.request.body_stream.discard()
        exchange.respond(400, [], b"refused")

    async def scenario(client):
        await client.send(CHUNKED_HEAD + b"5\r\nhello\r\n0\r\n\r\n")
        return await client.response()

    status, _, body = streaming_run(handler, scenario)
    assert (status, body) == (400, b"refused")


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(st.binary(min_size=1, max_size=300), max_size=8),
    cuts=st.lists(st.integers(min_value=1, max_value=2000), max_size=6),
    error=st.one_of(st.none(), st.text(alphabet="ABCxyz.", min_size=1, max_size=12)),
)
def test_a_streamed_body_arrives_whole_however_the_wire_splits_it(pieces, cuts, error):
    """Chunks, split anywhere on the wire, reach the listener in order, with the trailers."""
    got: list = []

    def handler(exchange):
        def on_end(trailers):
            got.append(dict(trailers))
            exchange.respond(202, [], b"")

        exchange.request.body_stream.listen(got.append, on_end)

    wire = CHUNKED_HEAD + b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n"
    wire += (f"X-Error: {error}\r\n" if error else "").encode() + b"\r\n"

    async def scenario(client):
        at = 0
        for cut in sorted(set(cuts)):
            if at < cut < len(wire):
                await client.send(wire[at:cut])
                at = cut
        await client.send(wire[at:])
        return await client.response()

    status, _, _ = streaming_run(handler, scenario)
    assert status == 202
    assert b"".join(got[:-1]) == b"".join(pieces)
    assert got[-1] == ({"x-error": error} if error else {})


def test_a_paused_streamed_body_stops_being_read_until_resumed():
    got: list[bytes] = []
    state: dict = {}

    def handler(exchange):
        body = exchange.request.body_stream

        def on_data(data):
            got.append(data)
            if len(got) == 1:
                body.pause()  # the listener is behind: read nothing more for now
                state["reading"] = exchange._protocol.transport.is_reading()
                state["paused"].set()

        def on_end(trailers):
            exchange.respond(202, [], b"")

        state["body"] = body
        body.listen(on_data, on_end)

    async def scenario(client):
        state["paused"] = asyncio.Event()
        await client.send(CHUNKED_HEAD + b"5\r\nfirst\r\n")
        await asyncio.wait_for(state["paused"].wait(), 5)
        rest = b"x" * 65536
        client.writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(rest), rest))
        state["body"].resume()
        return await client.response()

    status, _, _ = streaming_run(handler, scenario)
    assert state["reading"] is False
    assert status == 202
    assert b"".join(got) == b"first" + b"x" * 65536
