"""A distributed Map's ``ItemReader`` and ``ResultWriter``: S3 through the host's AWS endpoint.

Blocking (boto3): runs on the AWS clients' thread pool, never on the event loop.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from host.stepfunctions.core import evaluate
from host.stepfunctions.core.templates import Scope
from host.stepfunctions.integrations.aws_clients import AwsClients


class ItemReaderError(Exception):
    """What AWS reports as ``States.ItemReaderFailed`` (or ``ResultWriterFailed``)."""


def _parameters(template: Any, raw_input: Any, scope: Scope) -> dict:
    if template is None:
        return {}
    return template.evaluate(scope if hasattr(template, "field") else scope.with_value(raw_input))


def read_items(clients: AwsClients, region: str, state, raw_input: Any, scope: Scope) -> list:
    reader = state.spec.reader
    params = _parameters(reader.parameters, raw_input, scope)
    limit = None
    if reader.max_items.given:
        limit = evaluate.read_amount(reader.max_items, raw_input, scope, "MaxItemsPath")
        if limit < 0:
            raise ItemReaderError("field MaxItems must be positive")
        limit = limit or None
    s3 = clients.client("s3", region)
    resource = reader.resource.split(":::", 1)[-1]
    try:
        if resource == "s3:listObjectsV2":
            items = []
            kwargs = {k: v for k, v in params.items()}
            while True:
                page = s3.list_objects_v2(**kwargs)
                for entry in page.get("Contents", []):
                    items.append(
                        {
                            "Etag": entry.get("ETag"),
                            "Key": entry["Key"],
                            "LastModified": entry["LastModified"].isoformat()
                            if hasattr(entry.get("LastModified"), "isoformat")
                            else entry.get("LastModified"),
                            "Size": entry.get("Size"),
                            "StorageClass": entry.get("StorageClass"),
                        }
                    )
                if not page.get("IsTruncated"):
                    break
                kwargs["ContinuationToken"] = page["NextContinuationToken"]
        else:
            body = s3.get_object(**params)["Body"].read().decode("utf-8")
            items = _parse(body, reader)
    except ItemReaderError:
        raise
    except Exception as exc:  # botocore's errors: the reader failed
        raise ItemReaderError(str(exc)) from exc
    return items[:limit] if limit else items


def _parse(body: str, reader) -> list:
    kind = (reader.input_type or "JSON").upper()
    if kind == "JSON":
        value = json.loads(body)
        if not isinstance(value, list):
            raise ItemReaderError("Attempting to map over non-iterable node.")
        return value
    if kind == "JSONL":
        return [json.loads(line) for line in body.splitlines() if line.strip()]
    if kind == "CSV":
        delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}.get(
            (reader.csv_delimiter or "COMMA").upper(), ","
        )
        rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
        if (reader.csv_header_location or "FIRST_ROW") == "GIVEN":
            headers = list(reader.csv_headers or [])
        else:
            if not rows:
                return []
            headers, rows = rows[0], rows[1:]
        if len(set(headers)) != len(headers):
            raise ItemReaderError("CSV headers cannot contain duplicates.")
        return [{header: (row[i] if i < len(row) else "") for i, header in enumerate(headers)} for row in rows]
    if kind == "MANIFEST":
        return [json.loads(line) for line in body.splitlines() if line.strip()]
    raise ItemReaderError(f"Unsupported InputType {kind}")


def write_results(
    clients: AwsClients, region: str, writer: dict, record: dict, results: list, state, raw_input: Any, scope: Scope
) -> dict:
    """Write the results and a manifest; the Map's output that points at them."""
    params = writer.get("Parameters") or writer.get("Arguments") or {}
    bucket = params.get("Bucket")
    prefix = (params.get("Prefix") or "").rstrip("/")
    run_id = record["runId"]
    base = f"{prefix}/{run_id}" if prefix else run_id
    s3 = clients.client("s3", region)
    succeeded = [{"Output": json.dumps(r), "Status": "SUCCEEDED"} for r in results]
    try:
        s3.put_object(Bucket=bucket, Key=f"{base}/SUCCEEDED_0.json", Body=json.dumps(succeeded).encode())
        manifest = {
            "DestinationBucket": bucket,
            "MapRunArn": record["mapRunArn"],
            "ResultFiles": {
                "FAILED": [],
                "PENDING": [],
                "SUCCEEDED": [{"Key": f"{base}/SUCCEEDED_0.json", "Size": len(json.dumps(succeeded))}],
            },
        }
        s3.put_object(Bucket=bucket, Key=f"{base}/manifest.json", Body=json.dumps(manifest).encode())
    except Exception as exc:
        raise ItemReaderError(str(exc)) from exc
    return {"MapRunArn": record["mapRunArn"], "ResultWriterDetails": {"Bucket": bucket, "Key": f"{base}/manifest.json"}}
