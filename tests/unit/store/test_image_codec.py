"""An image function survives the store: its image and ImageConfig come back as they went in."""

from host.core.model import CodeRef, FunctionConfig, ImageRef
from host.store.codec import dumps, function_from_json


def test_an_image_function_round_trips_through_json():
    image = ImageRef(
        uri="app:1",
        resolved_uri="app@sha256:" + "ef" * 32,
        image_id="sha256:" + "ef" * 32,
        entrypoint=("/lambda-entrypoint.sh",),
        command=("app.handler",),
        working_dir="/var/task",
        env=(("A", "1"),),
        config_command=("app.other",),
        config_working_directory="/srv",
    )
    function = FunctionConfig(
        name="fn", arn="arn", runtime="", handler="", role="r", code=CodeRef("ef" * 32, 0, ""),
        package_type="Image", image=image,
    )  # fmt: skip
    again = function_from_json(dumps(function))
    assert again == function and again.environment_key == function.environment_key


def test_a_zip_function_stored_before_images_existed_reads_as_zip():
    code = CodeRef("x", 1, "/p")
    function = FunctionConfig(name="fn", arn="arn", runtime="python3.11", handler="h", role="r", code=code)
    text = dumps(function).replace(',"package_type":"Zip","image":null', "")
    assert "package_type" not in text
    again = function_from_json(text)
    assert again.package_type == "Zip" and again.image is None and again.runtime_id == "python3.11"
