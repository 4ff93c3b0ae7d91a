"""Finding the handler: every way a handler setting can fail, with AWS's error types and words."""

import importlib
import sys

import pytest


@pytest.fixture
def task_root(tmp_path):
    """A folder on sys.path for handler modules; they are forgotten after the test."""
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    before = set(sys.modules)
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in set(sys.modules) - before:
        if name.startswith("lhr_"):
            del sys.modules[name]


def fault_of(client, handler):
    with pytest.raises(client.faults.FaultException) as caught:
        client.bootstrap.resolve_handler(handler)
    return caught.value


def test_a_handler_is_found_in_its_module(client, task_root):
    (task_root / "lhr_app.py").write_text("def handler(event, context):\n    return 'hi'\n")
    assert client.bootstrap.resolve_handler("lhr_app.handler")(None, None) == "hi"


def test_a_handler_in_a_subfolder_is_found(client, task_root):
    (task_root / "lhr_pkg").mkdir()
    (task_root / "lhr_pkg" / "mod.py").write_text("def run(event, context):\n    return 2\n")
    assert client.bootstrap.resolve_handler("lhr_pkg/mod.run")(None, None) == 2


def test_a_missing_module_is_an_import_module_error(client, task_root):
    fault = fault_of(client, "lhr_missing.handler")
    assert fault.error_type == "Runtime.ImportModuleError"
    assert fault.message == "Unable to import module 'lhr_missing': No module named 'lhr_missing'"


def test_a_missing_dependency_of_the_module_is_an_import_module_error(client, task_root):
    (task_root / "lhr_deps.py").write_text("import lhr_not_installed\n")
    fault = fault_of(client, "lhr_deps.handler")
    assert fault.error_type == "Runtime.ImportModuleError"
    assert fault.message == "Unable to import module 'lhr_deps': No module named 'lhr_not_installed'"


def test_a_missing_function_is_handler_not_found(client, task_root):
    (task_root / "lhr_empty.py").write_text("x = 1\n")
    fault = fault_of(client, "lhr_empty.handler")
    assert fault.error_type == "Runtime.HandlerNotFound"
    assert fault.message == "Handler 'handler' missing on module 'lhr_empty'"


def test_a_handler_without_a_dot_is_malformed(client):
    fault = fault_of(client, "handler")
    assert fault.error_type == "Runtime.MalformedHandlerName"
    assert fault.message == "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"


def test_a_syntax_error_in_the_module_is_a_user_code_syntax_error(client, task_root):
    (task_root / "lhr_bad.py").write_text("def handler(event, context):\n    return = 1\n")
    fault = fault_of(client, "lhr_bad.handler")
    assert fault.error_type == "Runtime.UserCodeSyntaxError"
    assert fault.message == "Syntax error in module 'lhr_bad': invalid syntax (lhr_bad.py, line 2)"
    assert fault.trace == [f'  File "{task_root / "lhr_bad.py"}" Line 2\n        return = 1\n']


def test_a_built_in_module_name_conflicts(client):
    fault = fault_of(client, "sys.handler")
    assert fault.error_type == "Runtime.BuiltInModuleConflict"
    assert fault.message == "Cannot use built-in module sys as a handler module"
