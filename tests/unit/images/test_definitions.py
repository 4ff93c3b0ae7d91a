"""Runtime definitions read from the project's runtimes/ folder."""

import pytest

from host.images.definitions import RUNTIMES_DIR, definition_for, load_definitions


@pytest.fixture(scope="module")
def definitions():
    return load_definitions()


def test_every_runtime_folder_is_a_definition(definitions):
    assert sorted(definitions) == [
        "java17",
        "java21",
        "nodejs18.x",
        "nodejs20.x",
        "provided.al2023",
        "python3.11",
        "python3.13",
        "ruby3.3",
    ]


def test_folders_without_a_runtime_toml_are_not_runtimes(definitions):
    assert "_agent" not in definitions
    assert "_clients" not in definitions


def test_a_runtime_with_its_own_image_gets_it(definitions):
    assert definition_for(definitions, "python3.11").id == "python3.11"


@pytest.mark.parametrize(
    ("runtime", "image"),
    [
        ("python3.12", "python3.13"),
        ("provided.al2", "provided.al2023"),
        ("ruby3.2", "ruby3.3"),
        ("java25", "java21"),
        ("java11", "java17"),
    ],
)
def test_a_runtime_without_an_image_is_served_by_one_standing_in(definitions, runtime, image):
    assert definition_for(definitions, runtime).id == image


def test_a_runtime_nothing_serves_has_no_definition(definitions):
    assert definition_for(definitions, "dotnet8") is None


def test_a_definition_knows_its_client_agent_and_settings(definitions):
    python = definitions["python3.13"]
    assert python.client == "python"
    assert python.suite == "trixie"
    assert python.bundle_boto3 is True
    assert python.client_dir == RUNTIMES_DIR / "_clients" / "python"
    assert python.agent_path == RUNTIMES_DIR / "_agent" / "agent.py"
    assert dict(python.env)["LANG"] == "en_US.UTF-8"


def test_managed_runtimes_have_an_execution_env_and_os_only_ones_do_not(definitions):
    assert definitions["python3.13"].execution_env("python3.12") == "AWS_Lambda_python3.12"
    assert definitions["provided.al2023"].execution_env("provided.al2023") is None


def test_os_only_runtimes_look_for_a_bootstrap_in_the_code_then_the_layers(definitions):
    assert definitions["provided.al2023"].entrypoints == ("/var/task/bootstrap", "/opt/bootstrap")
    assert definitions["nodejs20.x"].entrypoints == ("/var/runtime/bootstrap",)
