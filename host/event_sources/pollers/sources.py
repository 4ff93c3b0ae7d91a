"""Kinesis and DynamoDB Streams behind one small interface: shards, iterators, records.

Both speak JSON on the wire (``host.aws.wire``). moto's quirks are handled here: a Kinesis
iterator taken by ARN needs the ARN again on ``GetRecords``; sequence numbers are compared
as integers; a bad iterator may come back as an HTTP 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from host.aws.endpoint import AwsEndpoint
from host.aws.wire import WireClient
from host.event_sources.core.config import KINESIS, MappingConfig
from host.event_sources.core.records import StreamRecord, dynamodb_record, kinesis_record


@dataclass(frozen=True)
class Shard:
    shard_id: str
    parents: tuple[str, ...]
    ending: str | None = None  # a closed shard's last sequence number


class StreamSource:
    def __init__(self, endpoint: AwsEndpoint, mapping: MappingConfig, role: str) -> None:
        self.mapping = mapping
        self.kinesis = mapping.kind == KINESIS
        self.arn = mapping.source.arn.split("/consumer/")[0]  # a consumer's ARN reads its stream
        self.region = mapping.source.region
        self.role = role
        self.client = WireClient(endpoint, "kinesis" if self.kinesis else "dynamodbstreams", self.region)

    def shards(self) -> list[Shard]:
        found: list[Shard] = []
        if self.kinesis:
            request: dict = {"StreamARN": self.arn}
            while True:
                answer = self.client.call("ListShards", request)
                found += [_shard(s) for s in answer.get("Shards", [])]
                if not answer.get("NextToken"):
                    return found
                request = {"NextToken": answer["NextToken"], "StreamARN": self.arn}
        request = {"StreamArn": self.arn}
        while True:
            description = self.client.call("DescribeStream", request)["StreamDescription"]
            found += [_shard(s) for s in description.get("Shards", [])]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return found
            request = {"StreamArn": self.arn, "ExclusiveStartShardId": last}

    def iterator(self, shard_id: str, kind: str, sequence: str | None = None, timestamp: float | None = None) -> str:
        """A shard iterator: TRIM_HORIZON, LATEST, AT_TIMESTAMP or AFTER_SEQUENCE_NUMBER."""
        if self.kinesis:
            request: dict = {"StreamARN": self.arn, "ShardId": shard_id, "ShardIteratorType": kind}
            if sequence is not None:
                request["StartingSequenceNumber"] = sequence
            if timestamp is not None:
                request["Timestamp"] = timestamp
        else:
            request = {"StreamArn": self.arn, "ShardId": shard_id, "ShardIteratorType": kind}
            if sequence is not None:
                request["SequenceNumber"] = sequence
        return self.client.call("GetShardIterator", request)["ShardIterator"]

    def records(self, shard_id: str, iterator: str, limit: int) -> tuple[list[StreamRecord], str | None]:
        """Records after ``iterator`` (at most ``limit``) and the next iterator (None: the shard is closed)."""
        request: dict = {"ShardIterator": iterator, "Limit": max(1, min(limit, 10000 if self.kinesis else 1000))}
        if self.kinesis:
            request["StreamARN"] = self.arn
        answer = self.client.call("GetRecords", request)
        raw = answer.get("Records") or []
        if self.kinesis:
            built = [kinesis_record(r, shard_id, self.mapping.source.arn, self.region, self.role) for r in raw]
        else:
            built = [dynamodb_record(r, self.mapping.source.arn, self.region) for r in raw]
        return built, answer.get("NextShardIterator")


def _shard(raw: dict) -> Shard:
    parents = tuple(p for p in (raw.get("ParentShardId"), raw.get("AdjacentParentShardId")) if p)
    return Shard(raw["ShardId"], parents, (raw.get("SequenceNumberRange") or {}).get("EndingSequenceNumber"))
