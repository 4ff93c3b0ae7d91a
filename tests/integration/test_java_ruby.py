"""The Ruby (and Java) runtimes in real containers: events, context, logs, errors, timeouts."""

import base64
import io
import json
import zipfile

import pytest

from .java_build import JAVA_SAMPLE, compile_java
from .test_logs import logs_client, reported, wait_for


def call(client, name, event=None, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail", **kwargs)
    return response, json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()


RUBY = {
    "app.rb": """
require 'json'

def handler(event:, context:)
  puts "got #{event.to_json}"
  context.logger.info('from the logger')
  { event: event, name: context.function_name, version: context.function_version,
    memory: context.memory_limit_in_mb, arn: context.invoked_function_arn,
    id: context.aws_request_id, remaining: context.get_remaining_time_in_millis,
    group: context.log_group_name, ruby: RUBY_VERSION, env: ENV['AWS_EXECUTION_ENV'] }
end

module Shop
  class Orders
    def self.total(event:, context:)
      event['items'].sum { |item| item['price'] * item['qty'] }
    end
  end
end

class OutOfStock < StandardError; end

def fail(event:, context:)
  raise OutOfStock, "no #{event['item']} left"
end

def sleepy(event:, context:)
  sleep 5
end
""",
}


@pytest.fixture
def ruby_function(create_function):
    def create(handler, **params):
        return create_function(RUBY, runtime="ruby3.3", handler=handler, **params)

    return create


def test_a_ruby_handler_gets_its_event_and_context(lambda_client, ruby_function):
    name = ruby_function("app.handler", MemorySize=256, Timeout=7)
    response, body, logs = call(lambda_client, name, {"k": [1, "v"]})
    assert "FunctionError" not in response, body
    assert body["event"] == {"k": [1, "v"]}
    assert body["name"] == name and body["version"] == "$LATEST" and body["memory"] == "256"
    assert body["arn"].endswith(f":function:{name}")
    assert body["id"] == response["ResponseMetadata"]["RequestId"]
    assert 0 < body["remaining"] <= 7000
    assert body["group"] == f"/aws/lambda/{name}"
    assert body["ruby"].startswith("3.3.") and body["env"] == "AWS_Lambda_ruby3.3"
    assert 'got {"k":[1,"v"]}' in logs
    assert f"{body['id']} INFO from the logger" in logs
    assert "START RequestId:" in logs and "REPORT RequestId:" in logs


def test_a_ruby_module_class_method_handler_runs(lambda_client, ruby_function):
    name = ruby_function("app.Shop::Orders.total")
    _, body, _ = call(lambda_client, name, {"items": [{"price": 3, "qty": 2}, {"price": 1, "qty": 4}]})
    assert body == 10


def test_a_ruby_error_has_aws_shape(lambda_client, ruby_function):
    name = ruby_function("app.fail")
    response, body, logs = call(lambda_client, name, {"item": "tea"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function<OutOfStock>"
    assert body["errorMessage"] == "no tea left"
    assert any("app.rb" in line and "fail" in line for line in body["stackTrace"])
    assert "Function<OutOfStock>" in logs


def test_a_missing_ruby_method_is_an_init_error(lambda_client, ruby_function):
    name = ruby_function("app.nowhere")
    response, body, _ = call(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Init<NameError>"
    assert "nowhere" in body["errorMessage"]


def test_a_missing_ruby_file_is_an_init_load_error(lambda_client, ruby_function):
    name = ruby_function("missing.handler")
    response, body, _ = call(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Init<LoadError>"


def test_a_ruby_function_that_overruns_times_out(lambda_client, ruby_function):
    name = ruby_function("app.sleepy", Timeout=1)
    response, body, _ = call(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"


def test_ruby3_2_runs_on_the_ruby3_3_image(lambda_client, create_function):
    name = create_function(RUBY, runtime="ruby3.2", handler="app.handler")
    _, body, _ = call(lambda_client, name, {})
    assert body["ruby"].startswith("3.3.") and body["env"] == "AWS_Lambda_ruby3.2"


# -- Java ------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["java21", "java17"])
def java_package(request, lambda_host_run_id):
    return request.param, compile_java(request.param, JAVA_SAMPLE, lambda_host_run_id)


@pytest.fixture
def java_function(create_function, java_package):
    runtime, package = java_package

    def create(handler, **params):
        params.setdefault("MemorySize", 512)
        return create_function(package, runtime=runtime, handler=handler, **params)

    return create


def test_a_java_request_handler_reads_a_pojo_event(lambda_client, java_function):
    name = java_function("example.Hello")
    order = {"customer": "ada", "lines": [{"item": "tea", "qty": 2, "price": 1.5}], "ignored": True}
    response, body, logs = call(lambda_client, name, order)
    assert "FunctionError" not in response, body
    assert body == {"customer": "ada", "total": 3.0, "requestId": response["ResponseMetadata"]["RequestId"]}
    assert "order from ada" in logs
    assert "START RequestId:" in logs and "REPORT RequestId:" in logs


def test_a_java_method_handler_gets_a_map_event_and_the_context(lambda_client, java_function, java_package):
    runtime = java_package[0]
    name = java_function("example.Hello::describe", Timeout=9)
    response, body, logs = call(lambda_client, name, {"k": [1, "v"]})
    assert "FunctionError" not in response, body
    assert body["event"] == {"k": [1, "v"]}
    assert body["functionName"] == name and body["functionVersion"] == "$LATEST" and body["memory"] == 512
    assert body["arn"].endswith(f":function:{name}")
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert 0 < body["remaining"] <= 9000
    assert body["logGroup"] == f"/aws/lambda/{name}"
    assert body["java"] == runtime.removeprefix("java") and body["env"] == f"AWS_Lambda_{runtime}"
    assert "describing [k]" in logs and "REPORT RequestId:" in logs


def test_a_static_java_method_takes_a_string_event(lambda_client, java_function):
    name = java_function("example.Hello::shout")
    assert call(lambda_client, name, "quiet")[1] == "QUIET"


def test_a_java_stream_handler_gets_the_raw_bytes(lambda_client, java_function):
    name = java_function("example.Hello$Reverse")
    _, body, logs = call(lambda_client, name, "abc")
    assert body == "cba"
    assert "reversing 5 bytes" in logs


def test_a_java_exception_has_aws_shape(lambda_client, java_function):
    name = java_function("example.Hello::fail")
    response, body, logs = call(lambda_client, name, {"item": "tea"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "java.lang.IllegalStateException"
    assert body["errorMessage"] == "no tea left"
    assert body["stackTrace"][0].startswith("example.Hello.fail(Hello.java:")
    assert all(not line.startswith("lambdahost.") for line in body["stackTrace"])
    assert body["cause"]["errorType"] == "java.lang.ArithmeticException"
    assert body["cause"]["errorMessage"] == "stock below zero"
    assert "java.lang.IllegalStateException: no tea left" in logs


def test_a_missing_java_class_is_an_init_error(lambda_client, java_function):
    name = java_function("example.Nowhere")
    response, body, _ = call(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "java.lang.ClassNotFoundException"


def test_a_java_function_that_overruns_times_out(lambda_client, java_function):
    name = java_function("example.Hello::sleepy", Timeout=2)
    response, body, _ = call(lambda_client, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"


def platform_lines(lambda_host, name: str, request_id: str) -> list[str]:
    logs = logs_client(lambda_host)
    return wait_for(lambda: reported(logs, f"/aws/lambda/{name}", request_id), what="the REPORT line")


def test_a_ruby_function_logs_init_start_with_its_runtime_version(lambda_host, lambda_client, ruby_function):
    name = ruby_function("app.handler")
    response, _, _ = call(lambda_client, name, {})
    messages = platform_lines(lambda_host, name, response["ResponseMetadata"]["RequestId"])
    assert any(m.startswith("INIT_START Runtime Version: ruby:3.3.v1") for m in messages)
    assert any(m.startswith("END RequestId:") for m in messages)


def test_a_java_function_logs_init_start_with_its_runtime_version(
    lambda_host, lambda_client, java_function, java_package
):
    name = java_function("example.Hello::shout")
    response, _, _ = call(lambda_client, name, "x")
    messages = platform_lines(lambda_host, name, response["ResponseMetadata"]["RequestId"])
    version = java_package[0].removeprefix("java")
    assert any(m.startswith(f"INIT_START Runtime Version: java:{version}.v1") for m in messages)


def test_java_classes_in_lib_jars_are_loaded(lambda_client, create_function, java_package):
    runtime, package = java_package
    jar = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as classes, zipfile.ZipFile(jar, "w") as packed:
        for entry in classes.namelist():
            packed.writestr(entry, classes.read(entry))
    layout = io.BytesIO()
    with zipfile.ZipFile(layout, "w") as zipped:
        zipped.writestr("lib/hello.jar", jar.getvalue())
    name = create_function(layout.getvalue(), runtime=runtime, handler="example.Hello::shout", MemorySize=512)
    assert call(lambda_client, name, "from a jar")[1] == "FROM A JAR"
