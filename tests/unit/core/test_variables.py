"""A runtime's environment variables: defaults, then the function's, then the reserved ones."""

import re

from host.core.variables import Platform, log_stream_name, runtime_environment

PLATFORM = Platform(
    region="us-east-1",
    runtime_api="127.0.0.1:9001",
    lambda_endpoint="http://host.docker.internal:9000",
    credentials=("AKIDEXAMPLE", "secret", None),
)


def environment(user_variables=None, execution_env="AWS_Lambda_python3.13", runtime_defaults=None, platform=PLATFORM):
    return runtime_environment(
        function_name="my-fn",
        version="$LATEST",
        handler="app.handler",
        memory_size=256,
        log_group="/aws/lambda/my-fn",
        log_stream="2026/11/27/[$LATEST]abc",
        runtime_defaults=runtime_defaults or {"PATH": "/usr/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC"},
        execution_env=execution_env,
        user_variables=user_variables or {},
        platform=platform,
    )


def test_the_reserved_variables_describe_the_function_and_platform():
    env = environment()
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "my-fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/my-fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == "2026/11/27/[$LATEST]abc"
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE"
    assert env["AWS_SECRET_ACCESS_KEY"] == "secret"
    assert env["LAMBDA_TASK_ROOT"] == "/var/task"
    assert env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["TZ"] == ":UTC"


def test_user_variables_override_runtime_defaults():
    env = environment({"PATH": "/opt/bin:/usr/bin", "GREETING": "hi"})
    assert env["PATH"] == "/opt/bin:/usr/bin"
    assert env["GREETING"] == "hi"
    assert env["LANG"] == "en_US.UTF-8"


def test_reserved_keys_among_user_variables_are_ignored():
    env = environment({"AWS_REGION": "eu-west-1", "_HANDLER": "other.handler", "TZ": "Europe/Paris"})
    assert env["AWS_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "app.handler"
    assert env["TZ"] == ":UTC"


def test_reserved_variables_override_runtime_defaults():
    env = environment(runtime_defaults={"AWS_LAMBDA_FUNCTION_NAME": "stale", "TZ": "Europe/Paris"})
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "my-fn"
    assert env["TZ"] == ":UTC"


def test_the_execution_env_is_set_only_when_the_runtime_has_one():
    with_one = environment(execution_env="AWS_Lambda_python3.13")
    assert with_one["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert with_one["PWD"] == "/var/task"
    without = environment(execution_env=None)
    assert "AWS_EXECUTION_ENV" not in without
    assert "PWD" not in without


def test_the_session_token_is_set_only_when_there_is_one():
    assert "AWS_SESSION_TOKEN" not in environment()
    platform = Platform("us-east-1", "127.0.0.1:9001", "http://x", ("AKID", "secret", "token"))
    assert environment(platform=platform)["AWS_SESSION_TOKEN"] == "token"


def test_xray_and_lambda_endpoint_defaults_are_set():
    env = environment()
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "LOG_ERROR"
    assert env["AWS_XRAY_DAEMON_ADDRESS"] == "169.254.79.129:2000"
    assert env["_AWS_XRAY_DAEMON_ADDRESS"] == "169.254.79.129"
    assert env["_AWS_XRAY_DAEMON_PORT"] == "2000"
    assert env["AWS_ENDPOINT_URL_LAMBDA"] == "http://host.docker.internal:9000"
    assert env["AWS_ENDPOINT_URL_SFN"] == "http://host.docker.internal:9000"  # task tokens sent back from functions


def test_the_user_may_override_xray_settings_and_the_lambda_endpoint():
    env = environment(
        {
            "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": "10.0.0.1:3000",
            "AWS_ENDPOINT_URL_LAMBDA": "http://elsewhere:1234",
        }
    )
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "IGNORE_ERROR"
    assert env["AWS_XRAY_DAEMON_ADDRESS"] == "10.0.0.1:3000"
    assert env["AWS_ENDPOINT_URL_LAMBDA"] == "http://elsewhere:1234"


def test_a_log_stream_name_has_the_day_the_version_and_32_hex_digits():
    name = log_stream_name("$LATEST", now=1_795_000_000.0)  # 2026-11-18 UTC
    assert re.fullmatch(r"2026/11/18/\[\$LATEST\][0-9a-f]{32}", name)


def test_every_log_stream_name_is_new():
    assert log_stream_name("$LATEST") != log_stream_name("$LATEST")
