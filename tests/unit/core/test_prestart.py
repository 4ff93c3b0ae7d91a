"""Which functions may take a runtime their stem started ahead (core/prestart)."""

import pytest

from host.core.prestart import may_resume, read_at_start

DEFAULTS = {"LANG": "en_US.UTF-8", "TZ": ":UTC", "PATH": "/var/lang/bin:/usr/bin", "AWS_LAMBDA_FUNCTION_NAME": ""}


def test_a_function_with_its_own_names_and_ordinary_variables_may_take_it():
    function_env = {**DEFAULTS, "AWS_LAMBDA_FUNCTION_NAME": "orders", "TABLE": "t", "_HANDLER": "app.handler"}
    assert may_resume(DEFAULTS, function_env)


@pytest.mark.parametrize(
    "name",
    ["PYTHONWARNINGS", "PYTHONPATH", "NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "LD_PRELOAD", "LC_ALL", "HOME",
     "AWS_LAMBDA_EXEC_WRAPPER", "GLIBC_TUNABLES", "UV_THREADPOOL_SIZE"],
)  # fmt: skip
def test_a_function_that_sets_a_variable_read_at_process_start_may_not(name):
    assert read_at_start(name)
    assert not may_resume(DEFAULTS, {**DEFAULTS, name: "x"})


def test_a_function_that_changes_a_default_read_at_start_may_not():
    assert not may_resume(DEFAULTS, {**DEFAULTS, "LANG": "C.UTF-8"})
    assert not may_resume(DEFAULTS, {**DEFAULTS, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})


def test_a_default_read_at_start_that_the_function_lacks_is_a_difference_too():
    function_env = dict(DEFAULTS)
    del function_env["PATH"]
    assert not may_resume(DEFAULTS, function_env)


@pytest.mark.parametrize("name", ["TABLE", "AWS_REGION", "_X_AMZN_TRACE_ID", "AWS_LAMBDA_LOG_FORMAT", "MY_PYTHON"])
def test_variables_read_when_code_reads_them_are_not_read_at_start(name):
    assert not read_at_start(name)
