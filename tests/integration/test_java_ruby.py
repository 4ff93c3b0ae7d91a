"""The Ruby (and Java) runtimes in real containers: events, context, logs, errors, timeouts."""

import base64
import json

import pytest


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
