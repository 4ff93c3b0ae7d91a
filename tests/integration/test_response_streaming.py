"""Response streaming in real containers: InvokeWithResponseStream through boto3, Node.js's
``awslambda.streamifyResponse`` and ``HttpResponseStream``, and function URLs in RESPONSE_STREAM mode."""

import base64
import contextlib
import json
import time
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from host.core.response_stream import MAX_STREAMED_RESPONSE_BYTES

# Writes a first chunk, then waits until the caller says it has read it (by tagging the function,
# which the handler reads back through the Lambda API), then writes the rest. So the first chunk
# can only reach the caller while the handler is still running.
GATED = """
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function released(arn) {
  const url = `${process.env.AWS_ENDPOINT_URL_LAMBDA}/2017-03-31/tags/${encodeURIComponent(arn)}`;
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const answer = await fetch(url);
    const body = await answer.json();
    if (body.Tags && body.Tags.release) return true;
    await sleep(20);
  }
  return false;
}

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const arn = context.invokedFunctionArn.split(':').slice(0, 7).join(':');
  if (event.http) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Streamed': 'yes' },
      cookies: ['a=1; Path=/', 'b=2'],
    });
  }
  responseStream.write('first|');
  const ok = await released(arn);
  responseStream.write(ok ? 'released|' : 'never released|');
  responseStream.end('last');
});
"""

# A streaming handler for every other case, chosen by the event.
STREAMING = """
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  console.log('streaming for', context.awsRequestId);
  switch (event.mode || (event.rawPath === '/csv' ? 'url' : undefined)) {
    case 'pipeline':
      await pipeline(Readable.from(['alpha,', 'beta,', 'gamma']), responseStream);
      return;
    case 'fail':
      responseStream.write('partial');
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new TypeError('broke mid-stream');
    case 'fail-early':
      throw new RangeError('broke before streaming');
    case 'huge': {
      const block = Buffer.alloc(1024 * 1024, 120);
      for (let i = 0; i < event.blocks; i++) {
        if (!responseStream.write(block)) await new Promise((resolve) => responseStream.once('drain', resolve));
      }
      responseStream.end();
      return;
    }
    case 'context':
      responseStream.end(JSON.stringify({
        succeed: typeof context.succeed, remaining: context.getRemainingTimeInMillis() > 0,
        requestId: context.awsRequestId, global: typeof awslambda.HttpResponseStream.from,
      }));
      return;
    case 'crash':
      responseStream.write('last words');
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.exit(3);
    case 'hang':
      responseStream.write('before the deadline');
      await new Promise((resolve) => setTimeout(resolve, 60000));
      return;
    case 'url':
      responseStream.setContentType('text/csv');
      responseStream.write('a,b\\n');
      responseStream.end('1,2\\n');
      return;
    default:
      responseStream.write('hello ');
      responseStream.write(Buffer.from('streaming '));
      responseStream.end('world');
  }
});
"""

PYTHON = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("python says no")
    return {"answer": 42, "echo": event}
"""


def events_of(response) -> tuple[list[bytes], dict]:
    """The payload chunks and the InvokeComplete event of a streamed answer."""
    chunks, complete = [], None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    assert complete is not None, "the stream ended without InvokeComplete"
    return chunks, complete


@pytest.fixture(scope="module")
def streaming_function(lambda_client):
    names = []

    def create(code: str, runtime: str = "nodejs20.x", handler: str = "index.handler", **params) -> str:
        from host.testing.plugin import DEFAULT_ROLE, make_zip

        name = f"stream-{uuid.uuid4().hex[:8]}"
        params.setdefault("Timeout", 30)  # a cold start on a busy machine stays well inside it
        filename = "index.mjs" if runtime.startswith("nodejs") else "app.py"
        lambda_client.create_function(
            FunctionName=name, Runtime=runtime, Role=DEFAULT_ROLE, Handler=handler,
            Code={"ZipFile": make_zip({filename: code})}, **params,
        )  # fmt: skip
        names.append(name)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


@pytest.fixture(scope="module")
def streamer(streaming_function):
    return streaming_function(STREAMING, Timeout=60)  # the 200 MB stream takes seconds on a busy machine


def test_the_first_chunk_arrives_while_the_handler_is_still_running(lambda_client, streaming_function):
    name = streaming_function(GATED, Timeout=30)
    arn = lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    started = time.perf_counter()
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    events = iter(response["EventStream"])
    first = next(events)
    first_at = time.perf_counter() - started
    # The handler is blocked until this tag exists: the chunk above was read while it ran.
    assert first == {"PayloadChunk": {"Payload": b"first|"}}
    lambda_client.tag_resource(Resource=arn, Tags={"release": "now"})
    rest, complete = events_of({"EventStream": events})
    assert b"".join(rest) == b"released|last"
    assert complete == {}
    print(f"first chunk after {first_at * 1000:.0f} ms (cold start included)")


def test_a_stream_ends_with_invoke_complete_and_the_log_tail(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b"{}", LogType="Tail")
    chunks, complete = events_of(response)
    assert b"".join(chunks) == b"hello streaming world"
    assert set(complete) == {"LogResult"}
    tail = base64.b64decode(complete["LogResult"]).decode()
    assert "START RequestId:" in tail and "END RequestId:" in tail and "REPORT RequestId:" in tail
    assert "streaming for" in tail
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"


def test_a_node_stream_piped_into_the_response_arrives_whole(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b'{"mode":"pipeline"}')
    chunks, complete = events_of(response)
    assert b"".join(chunks) == b"alpha,beta,gamma"
    assert complete == {}


def test_a_streaming_handler_gets_the_context_without_succeed_fail_or_done(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b'{"mode":"context"}')
    chunks, complete = events_of(response)
    assert complete == {}
    seen = json.loads(b"".join(chunks))
    assert seen == {
        "succeed": "undefined", "remaining": True, "global": "function",
        "requestId": response["ResponseMetadata"]["RequestId"],
    }  # fmt: skip


def test_an_error_mid_stream_reaches_invoke_complete_after_the_chunks_written(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b'{"mode":"fail"}')
    chunks, complete = events_of(response)
    assert b"".join(chunks) == b"partial"
    assert complete == {"ErrorCode": "TypeError", "ErrorDetails": "broke mid-stream"}


def test_an_error_before_any_chunk_reaches_invoke_complete(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b'{"mode":"fail-early"}')
    chunks, complete = events_of(response)
    assert chunks == []
    assert complete == {"ErrorCode": "RangeError", "ErrorDetails": "broke before streaming"}


def test_a_stream_past_its_deadline_ends_with_sandbox_timedout(lambda_client, streaming_function):
    name = streaming_function(STREAMING, Timeout=2)
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'{"mode":"hang"}')
    chunks, complete = events_of(response)
    assert b"".join(chunks) == b"before the deadline"
    assert complete["ErrorCode"] == "Sandbox.Timedout"
    assert complete["ErrorDetails"].endswith("Task timed out after 2.00 seconds")
    # The environment was reset; the function streams again.
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    assert b"".join(chunks) == b"hello streaming world" and complete == {}


def test_a_buffered_python_function_streams_its_payload_as_one_chunk(lambda_client, streaming_function):
    name = streaming_function(PYTHON, runtime="python3.11", handler="app.handler")
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'{"n":1}', LogType="Tail")
    chunks, complete = events_of(response)
    assert len(chunks) == 1
    assert json.loads(chunks[0]) == {"answer": 42, "echo": {"n": 1}}
    assert set(complete) == {"LogResult"}
    failed = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'{"fail":true}')
    chunks, complete = events_of(failed)
    assert chunks == []
    assert complete == {"ErrorCode": "ValueError", "ErrorDetails": "python says no"}


def test_plain_invoke_of_a_streaming_function_returns_the_whole_stream(lambda_client, streamer):
    response = lambda_client.invoke(FunctionName=streamer, Payload=b"{}")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["Payload"].read() == b"hello streaming world"
    failed = lambda_client.invoke(FunctionName=streamer, Payload=b'{"mode":"fail"}')
    assert failed["FunctionError"] == "Unhandled"
    body = json.loads(failed["Payload"].read())
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "broke mid-stream"


def test_refusals_come_before_the_stream_as_ordinary_errors(lambda_client, streamer):
    with pytest.raises(ClientError) as missing:
        lambda_client.invoke_with_response_stream(FunctionName="no-such-function", Payload=b"{}")
    error = missing.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"].endswith(":function:no-such-function:$LATEST")
    with pytest.raises(ClientError) as wrong_type:
        lambda_client.invoke_with_response_stream(FunctionName=streamer, InvocationType="Event", Payload=b"{}")
    assert wrong_type.value.response["Error"]["Code"] == "ValidationException"
    assert "[RequestResponse, DryRun]" in wrong_type.value.response["Error"]["Message"]
    dry = lambda_client.invoke_with_response_stream(FunctionName=streamer, InvocationType="DryRun", Payload=b"{}")
    assert dry["StatusCode"] == 204


def test_a_stream_over_the_limit_ends_with_response_size_too_large(lambda_client, streamer):
    blocks = MAX_STREAMED_RESPONSE_BYTES // (1024 * 1024) + 1
    payload = json.dumps({"mode": "huge", "blocks": blocks}).encode()
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=payload)
    size, complete = 0, None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            size += len(event["PayloadChunk"]["Payload"])
        else:
            complete = event["InvokeComplete"]
    assert size == MAX_STREAMED_RESPONSE_BYTES
    assert complete["ErrorCode"] == "Function.ResponseSizeTooLarge"
    assert f"({MAX_STREAMED_RESPONSE_BYTES} bytes)" in complete["ErrorDetails"]
    # Up to the limit is fine.
    payload = json.dumps({"mode": "huge", "blocks": 20}).encode()
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=payload))
    assert sum(map(len, chunks)) == 20 * 1024 * 1024 and complete == {}


def test_a_response_stream_url_streams_with_the_status_and_headers_of_its_prelude(lambda_client, streaming_function):
    name = streaming_function(GATED, Timeout=30)
    arn = lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    with requests.get(url["FunctionUrl"], stream=True, timeout=30) as answer:
        pieces = answer.iter_content(chunk_size=None)
        assert answer.status_code == 200
        first = next(pieces)
        assert first == b"first|"
        lambda_client.tag_resource(Resource=arn, Tags={"release": "now"})
        rest = b"".join(pieces)
    assert rest == b"released|last"


def test_http_response_stream_sets_status_headers_and_cookies_of_a_url(lambda_client, streaming_function):
    name = streaming_function(GATED.replace("if (event.http)", "if (event.rawPath === '/http')"), Timeout=30)
    arn = lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={"release": "now"})
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    with requests.get(url["FunctionUrl"] + "http", stream=True, timeout=30) as answer:
        body = b"".join(answer.iter_content(chunk_size=None))
        assert answer.status_code == 201
        assert answer.headers["Content-Type"] == "text/plain"
        assert answer.headers["X-Streamed"] == "yes"
        assert answer.headers.get("Transfer-Encoding") == "chunked"
        assert answer.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
    assert body == b"first|released|last"


def test_a_response_stream_url_without_a_prelude_sends_the_stream_content_type(lambda_client, streamer):
    url = lambda_client.create_function_url_config(FunctionName=streamer, AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    try:
        answer = requests.post(url["FunctionUrl"], data=b"", timeout=30)
        assert answer.status_code == 200
        assert answer.text == "hello streaming world"
        assert answer.headers["Content-Type"] == "application/octet-stream"
        answer = requests.get(url["FunctionUrl"] + "csv", timeout=30)
        assert answer.status_code == 200
        assert answer.text == "a,b\n1,2\n"
        assert answer.headers["Content-Type"] == "text/csv"
    finally:
        lambda_client.delete_function_url_config(FunctionName=streamer)


def test_a_buffered_function_behind_a_response_stream_url_answers_as_buffered(lambda_client, streaming_function):
    name = streaming_function(
        "def handler(event, context):\n    return {'statusCode': 202, 'body': 'whole'}\n",
        runtime="python3.11",
        handler="app.handler",
    )
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    answer = requests.get(url["FunctionUrl"], timeout=30)
    assert answer.status_code == 202 and answer.text == "whole"


# A custom runtime (provided.al2023) speaking the streaming contract by hand, over a raw socket:
# chunks as they are written, and a mid-stream error as the two trailers.
CUSTOM_BOOTSTRAP = r"""#!/usr/bin/python3 -S
import binascii, os, socket

host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
sock = socket.create_connection((host, int(port)))
reader = sock.makefile("rb")


def answer():
    status = reader.readline()
    headers = {}
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, value = line.decode().split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return int(status.split()[1]), headers, reader.read(int(headers.get("content-length", 0)))


while True:
    sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
    _, headers, event = answer()
    request_id = headers["lambda-runtime-aws-request-id"]
    if b"bad-mode" in event:
        sock.sendall(
            f"POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\nHost: x\r\n"
            "Lambda-Runtime-Function-Response-Mode: buffered-please\r\nContent-Length: 2\r\n\r\n{}".encode()
        )
        status, _, _ = answer()
        assert status == 400, status
        continue
    sock.sendall(
        f"POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\nHost: x\r\n"
        "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
        "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
        "Content-Type: text/plain\r\n\r\n".encode()
    )
    for piece in (b"custom ", b"runtime ", b"stream"):
        sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    if b"truncate" in event:  # the connection goes before the body's end; the runtime lives on
        sock.close()
        sock = socket.create_connection((host, int(port)))
        reader = sock.makefile("rb")
        continue
    if b"fail" in event:
        error = b'{"errorType":"Custom.Failure","errorMessage":"the custom runtime gave up"}'
        body = binascii.b2a_base64(error, newline=False)
        sock.sendall(
            b"0\r\nLambda-Runtime-Function-Error-Type: Custom.Failure\r\n"
            b"Lambda-Runtime-Function-Error-Body: " + body + b"\r\n\r\n"
        )
    else:
        sock.sendall(b"0\r\n\r\n")
    status, _, _ = answer()
    assert status == 202, status
"""


def test_a_custom_runtime_streams_through_the_runtime_api_with_error_trailers(lambda_client, create_function):
    from host.testing.plugin import make_zip

    package = make_zip({"bootstrap": CUSTOM_BOOTSTRAP}, modes={"bootstrap": 0o755})
    name = create_function(package, runtime="provided.al2023", handler="x", Timeout=30)
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    assert b"".join(chunks) == b"custom runtime stream" and complete == {}
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'"fail"'))
    assert b"".join(chunks) == b"custom runtime stream"
    assert complete == {"ErrorCode": "Custom.Failure", "ErrorDetails": "the custom runtime gave up"}
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'"truncate"'))
    assert b"".join(chunks) == b"custom runtime stream"
    assert complete["ErrorCode"] == "Runtime.TruncatedResponse"
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'"bad-mode"'))
    assert chunks == []
    assert complete["ErrorCode"] == "Runtime.InvalidResponseModeHeader"
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    assert b"".join(chunks) == b"custom runtime stream" and complete == {}  # the same runtime, still serving


def test_nodejs18_streams_as_nodejs20_does(lambda_client, streaming_function):
    name = streaming_function(STREAMING, runtime="nodejs18.x")
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    assert b"".join(chunks) == b"hello streaming world" and complete == {}
    chunks, complete = events_of(
        lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b'{"mode":"fail"}')
    )
    assert b"".join(chunks) == b"partial"
    assert complete == {"ErrorCode": "TypeError", "ErrorDetails": "broke mid-stream"}


def test_plain_invoke_of_a_stream_over_6_mb_fails_as_a_buffered_response_does(lambda_client, streamer):
    response = lambda_client.invoke(FunctionName=streamer, Payload=b'{"mode":"huge","blocks":7}')
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    chunks, complete = events_of(lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b"{}"))
    assert b"".join(chunks) == b"hello streaming world" and complete == {}


def test_a_runtime_that_dies_mid_stream_ends_it_with_runtime_exit_error(lambda_client, streamer):
    response = lambda_client.invoke_with_response_stream(FunctionName=streamer, Payload=b'{"mode":"crash"}')
    chunks, complete = events_of(response)
    assert b"".join(chunks) == b"last words"
    assert complete["ErrorCode"] == "Runtime.ExitError"
    assert complete["ErrorDetails"].endswith("Error: Runtime exited with error: exit status 3")
