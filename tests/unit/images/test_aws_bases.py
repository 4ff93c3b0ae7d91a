"""The AWS names of the project's runtime images and the configuration AWS's base images have."""

import pytest

from host.images.aws_bases import aws_name, changes, image_env, layer_tag
from host.images.definitions import load_definitions


@pytest.fixture(scope="module")
def definitions():
    return load_definitions()


@pytest.mark.parametrize(
    ("runtime", "name"),
    [
        ("python3.11", "public.ecr.aws/lambda/python:3.11"),
        ("python3.13", "public.ecr.aws/lambda/python:3.13"),
        ("nodejs18.x", "public.ecr.aws/lambda/nodejs:18"),
        ("nodejs20.x", "public.ecr.aws/lambda/nodejs:20"),
        ("provided.al2023", "public.ecr.aws/lambda/provided:al2023"),
        ("java21", "public.ecr.aws/lambda/java:21"),
        ("ruby3.3", "public.ecr.aws/lambda/ruby:3.3"),
        ("dotnet8", None),
    ],
)
def test_each_runtime_is_named_as_awss_base_image(runtime, name):
    assert aws_name(runtime) == name


def test_the_image_has_awss_entrypoint_workdir_and_variables(definitions):
    python = definitions["python3.11"]
    config = changes(python)
    assert 'ENTRYPOINT ["/lambda-entrypoint.sh"]' in config and "WORKDIR /var/task" in config
    env = image_env(python)
    assert env["LAMBDA_TASK_ROOT"] == "/var/task" and env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"  # the bootstrap finds its interpreter by it
    assert env["PATH"].startswith("/var/lang/bin")
    assert "AWS_EXECUTION_ENV" not in image_env(definitions["provided.al2023"])


def test_the_layer_tag_follows_the_runtime_image_it_is_built_on(definitions):
    python = definitions["python3.11"]
    first = layer_tag(python, "lambda-host/python3.11:aaaa")
    assert first.startswith("lambda-host/aws-python3.11:")
    assert first == layer_tag(python, "lambda-host/python3.11:aaaa")
    assert first != layer_tag(python, "lambda-host/python3.11:bbbb")


def test_the_layer_carries_its_format_so_an_older_checkout_leaves_a_newer_layers_names(definitions):
    from host.images.aws_bases import FORMAT_LABEL, LAYER_FORMAT, _format_of

    assert f'LABEL {FORMAT_LABEL}="{LAYER_FORMAT}"' in changes(definitions["nodejs20.x"])

    class Image:
        def __init__(self, labels):
            self.labels = labels

    assert _format_of(Image({FORMAT_LABEL: "3"})) == 3
    assert _format_of(Image({})) == 0 and _format_of(Image(None)) == 0
