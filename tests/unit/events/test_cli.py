"""`lambda-host events`: list and generate print what the registry holds, fields from flags."""

from __future__ import annotations

import json

from host.cli.main import main


def test_generate_prints_the_event_with_the_fields_given(capsys):
    assert main(["events", "generate", "s3", "put", "--bucket", "my-bucket", "--key", "a.txt"]) == 0
    record = json.loads(capsys.readouterr().out)["Records"][0]
    assert record["s3"]["bucket"]["name"] == "my-bucket"
    assert record["s3"]["object"]["key"] == "a.txt"


def test_generate_refuses_an_unknown_event_naming_the_ones_there_are(capsys):
    assert main(["events", "generate", "s3", "upload"]) == 2
    assert "it has: batch-invocation, batch-invocation-v2, delete, object-lambda, put" in capsys.readouterr().err


def test_generate_refuses_a_field_the_template_does_not_take(capsys):
    try:
        main(["events", "generate", "sqs", "receive-message", "--colour", "red"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "unrecognized arguments: --colour red" in capsys.readouterr().err


def test_list_shows_every_template_and_its_fields(capsys):
    assert main(["events", "list", "sqs", "--fields"]) == 0
    out = capsys.readouterr().out
    assert "sqs receive-message" in out and '--queue-name "MyQueue"' in out
