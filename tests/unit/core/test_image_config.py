"""Container image functions' pure rules: ImageConfig, ResolvedImageUri, and what runs."""

import pytest

from host.core.errors import InvalidParameterValue
from host.core.image_config import (
    code_sha256,
    image_config,
    image_config_of,
    image_config_response,
    repository_of,
    resolved_uri,
    with_image_config,
)
from host.core.model import ImageRef

IMAGE_ID = "sha256:" + "ab" * 32
IMAGE = ImageRef(
    uri="app:v1",
    resolved_uri=f"app@{IMAGE_ID}",
    image_id=IMAGE_ID,
    entrypoint=("/lambda-entrypoint.sh",),
    command=("app.handler",),
    working_dir="/var/task",
    env=(("PATH", "/usr/bin"),),
)


@pytest.mark.parametrize(
    ("uri", "repository"),
    [
        ("app:v1", "app"),
        ("app", "app"),
        ("localhost:5000/team/app:v1", "localhost:5000/team/app"),
        ("localhost:5000/team/app", "localhost:5000/team/app"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app"),
        (f"app@{IMAGE_ID}", "app"),
    ],
)
def test_the_repository_of_an_image_uri_drops_its_tag_or_digest(uri, repository):
    assert repository_of(uri) == repository


def test_the_resolved_uri_uses_the_repositorys_registry_digest_when_there_is_one():
    digest = "sha256:" + "cd" * 32
    assert resolved_uri("team/app:v1", IMAGE_ID, [f"other@{digest}", f"team/app@{digest}"]) == f"team/app@{digest}"


def test_a_locally_built_image_resolves_to_its_image_id():
    assert resolved_uri("app:v1", IMAGE_ID, []) == f"app@{IMAGE_ID}"
    assert code_sha256(IMAGE) == "ab" * 32


def test_the_image_runs_its_entrypoint_and_cmd_in_its_workdir():
    assert IMAGE.argv == ("/lambda-entrypoint.sh", "app.handler")
    assert IMAGE.cwd == "/var/task"
    assert IMAGE.runtime_id == "image-abababababab"


def test_image_config_replaces_each_part_on_its_own():
    changed = with_image_config(IMAGE, {"Command": ("app.other",)})
    assert changed.argv == ("/lambda-entrypoint.sh", "app.other") and changed.cwd == "/var/task"
    changed = with_image_config(IMAGE, {"EntryPoint": ("/bin/sh", "-c"), "WorkingDirectory": "/srv"})
    assert changed.argv == ("/bin/sh", "-c", "app.handler") and changed.cwd == "/srv"
    assert with_image_config(changed, {}).argv == IMAGE.argv  # an empty ImageConfig clears the overrides


def test_an_image_without_workdir_runs_in_the_root():
    assert IMAGE.with_changes(working_dir="").cwd == "/"


def test_image_config_response_shows_only_what_was_given_and_is_empty_without_it():
    assert image_config_response(IMAGE) == {}
    changed = with_image_config(IMAGE, image_config({"Command": ["a.b"], "WorkingDirectory": "/w"}))
    assert image_config_response(changed) == {"ImageConfig": {"Command": ["a.b"], "WorkingDirectory": "/w"}}
    assert image_config_of(changed) == {"Command": ("a.b",), "WorkingDirectory": "/w"}


@pytest.mark.parametrize(
    "config",
    [{"Command": "app.handler"}, {"EntryPoint": [1]}, {"Command": ["x"] * 1501}, {"WorkingDirectory": "/" * 1001}, []],
)
def test_image_config_outside_awss_bounds_is_refused(config):
    with pytest.raises(InvalidParameterValue):
        image_config(config)
