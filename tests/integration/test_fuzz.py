"""The Invoke and management APIs fuzzed with random names, qualifiers, headers, bodies and zips.

Raw HTTP (boto3 would refuse much of this before sending it). Every answer must be an
AWS-shaped 4xx (a JSON body, ``X-Amzn-ErrorType``) or a correct result: never a 5xx, a
traceback or a hang.
"""

import base64
import io
import json
import urllib.parse
import zipfile

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host.testing.plugin import DEFAULT_ROLE

ECHO = "def handler(event, context):\n    return event\n"
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

names = st.one_of(
    st.text(min_size=0, max_size=80),
    st.from_regex(r"[A-Za-z0-9_-]{1,70}", fullmatch=True),
    st.sampled_from(["fuzz-echo", "fuzz-echo:$LATEST", "fuzz-echo:1", "fuzz-echo:live", "a" * 300, ":", "::::"]),
    st.builds(
        lambda region, tail: f"arn:aws:lambda:{region}:123456789012:function:{tail}",
        st.sampled_from(["us-east-1", "bad-region", ""]),
        st.text(max_size=40),
    ),
)
qualifiers = st.one_of(st.none(), st.text(max_size=140), st.sampled_from(["$LATEST", "1", "live", "$latest", "0"]))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=20,
)
bodies = st.one_of(st.binary(max_size=2048), st.builds(lambda v: json.dumps(v).encode(), json_values))
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(str.strip)


@pytest.fixture(scope="module")
def endpoint(lambda_host, lambda_client):
    if "fuzz-echo" not in {f["FunctionName"] for f in lambda_client.list_functions()["Functions"]}:
        lambda_client.create_function(
            FunctionName="fuzz-echo", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": _zip({"app.py": ECHO})},
        )  # fmt: skip
        lambda_client.get_waiter("function_active_v2").wait(FunctionName="fuzz-echo")
    yield lambda_host.endpoint
    lambda_client.delete_function(FunctionName="fuzz-echo")


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def check(answer: requests.Response) -> None:
    """An AWS-shaped client error or a result; never a server error."""
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        assert answer.headers.get("X-Amzn-ErrorType"), answer.text[:300]
        body = answer.json()
        assert isinstance(body, dict), body
        assert "Traceback" not in answer.text


def quoted(name: str) -> str:
    return urllib.parse.quote(name, safe="")


invocation_types = st.one_of(st.none(), header_values, st.sampled_from(["Event", "DryRun", "RequestResponse"]))
client_contexts = st.one_of(
    st.none(), header_values, st.builds(lambda b: base64.b64encode(b).decode(), st.binary(max_size=200))
)


@FUZZ
@given(
    name=names,
    qualifier=qualifiers,
    body=bodies,
    invocation_type=invocation_types,
    log_type=st.one_of(st.none(), header_values),
    client_context=client_contexts,
)
def test_invoke_answers_every_request_properly(
    endpoint, name, qualifier, body, invocation_type, log_type, client_context
):
    headers = {}
    for header, value in (
        ("X-Amz-Invocation-Type", invocation_type),
        ("X-Amz-Log-Type", log_type),
        ("X-Amz-Client-Context", client_context),
    ):
        if value is not None:
            headers[header] = value
    params = {"Qualifier": qualifier} if qualifier is not None else None
    answer = requests.post(
        f"{endpoint}/2015-03-31/functions/{quoted(name)}/invocations", data=body, headers=headers, params=params,
        timeout=30,
    )  # fmt: skip
    check(answer)


OPERATIONS = [
    ("GET", "/2015-03-31/functions/{}"),
    ("GET", "/2015-03-31/functions/{}/configuration"),
    ("PUT", "/2015-03-31/functions/{}/configuration"),
    ("PUT", "/2015-03-31/functions/{}/code"),
    ("DELETE", "/2015-03-31/functions/{}"),
    ("POST", "/2015-03-31/functions/{}/versions"),
    ("GET", "/2015-03-31/functions/{}/versions"),
    ("POST", "/2015-03-31/functions/{}/aliases"),
    ("GET", "/2015-03-31/functions/{}/aliases/{}"),
    ("PUT", "/2015-03-31/functions/{}/aliases/{}"),
    ("POST", "/2015-03-31/functions/{}/policy"),
    ("GET", "/2015-03-31/functions/{}/policy"),
    ("PUT", "/2017-10-31/functions/{}/concurrency"),
    ("POST", "/2021-10-31/functions/{}/url"),
    ("PUT", "/2019-09-25/functions/{}/event-invoke-config"),
    ("POST", "/2019-09-25/functions/{}/event-invoke-config"),
    ("PUT", "/2019-09-30/functions/{}/provisioned-concurrency"),
    ("GET", "/2019-09-30/functions/{}/provisioned-concurrency"),
    ("POST", "/2015-03-31/functions"),
    ("GET", "/2015-03-31/functions"),
    ("POST", "/2018-10-31/layers/{}/versions"),
]


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    name=names,
    other=st.text(max_size=30),
    qualifier=qualifiers,
    body=bodies,
    marker=st.one_of(st.none(), st.text(max_size=40)),
    max_items=st.one_of(st.none(), st.integers(-5, 10**6)),
)
def test_management_operations_answer_every_request_properly(
    endpoint, operation, name, other, qualifier, body, marker, max_items
):
    if name.split(":")[0] == "fuzz-echo" and operation[0] in ("DELETE", "PUT"):
        name = "fuzz-other"  # keep the shared function as it is
    method, template = operation
    path = template.format(quoted(name), quoted(other))
    params = {k: v for k, v in (("Qualifier", qualifier), ("Marker", marker), ("MaxItems", max_items)) if v is not None}
    answer = requests.request(method, endpoint + path, data=body, params=params, timeout=30)
    check(answer)


random_zips = st.one_of(
    st.binary(max_size=512),
    st.builds(
        _zip,
        st.dictionaries(
            st.one_of(
                st.sampled_from(["app.py", "bootstrap", "a/b/c.py", "../evil.py", "/abs.py"]),
                st.text(min_size=1, max_size=20),
            ),
            st.one_of(st.text(max_size=200), st.binary(max_size=200), st.just(ECHO)),
            max_size=4,
        ),
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(package=random_zips, handler=st.one_of(st.just("app.handler"), st.text(max_size=40)),
       runtime=st.sampled_from(["python3.11", "nodejs20.x", "provided.al2023", "python2.7", "", "cobol"]))  # fmt: skip
def test_create_function_with_random_zips_and_settings(endpoint, package, handler, runtime):
    params = {
        "FunctionName": "fuzz-zip",
        "Runtime": runtime,
        "Role": DEFAULT_ROLE,
        "Handler": handler,
        "Code": {"ZipFile": base64.b64encode(package).decode()},
    }
    answer = requests.post(f"{endpoint}/2015-03-31/functions", json=params, timeout=60)
    try:
        check(answer)
        if answer.status_code == 201:  # a valid package: invoking it answers too (a result or a function error)
            invoked = requests.post(f"{endpoint}/2015-03-31/functions/fuzz-zip/invocations", data=b"{}", timeout=60)
            check(invoked)
    finally:
        requests.delete(f"{endpoint}/2015-03-31/functions/fuzz-zip", timeout=30)
