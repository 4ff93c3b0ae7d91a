"""An event source mapping's configuration, and the source ARNs it may name.

Frozen: a change is a new ``MappingConfig`` (``dataclasses.replace``) stored whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SQS, KINESIS, DYNAMODB = "sqs", "kinesis", "dynamodb"
STREAMS = (KINESIS, DYNAMODB)
NO_RECORDS = "No records processed"
OK = "OK"
FUNCTION_FAILED = "PROBLEM: Function call failed"


@dataclass(frozen=True)
class SourceArn:
    """A queue's, stream's or table stream's ARN, taken apart."""

    arn: str
    kind: str  # sqs, kinesis or dynamodb
    region: str
    account: str
    name: str  # queue name, stream name, or table name

    @property
    def fifo(self) -> bool:
        return self.kind == SQS and self.name.endswith(".fifo")

    @classmethod
    def parse(cls, arn: str | None) -> SourceArn | None:
        """None for anything that is not an SQS queue, Kinesis stream or DynamoDB stream ARN."""
        parts = (arn or "").split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[3] or not parts[5]:
            return None
        service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
        if service == "sqs" and "/" not in resource:
            return cls(arn, SQS, region, account, resource)
        if service == "kinesis" and resource.startswith("stream/"):
            return cls(arn, KINESIS, region, account, resource.split("/")[1])
        if service == "dynamodb" and resource.startswith("table/") and "/stream/" in resource:
            return cls(arn, DYNAMODB, region, account, resource.split("/")[1])
        return None


@dataclass(frozen=True)
class MappingConfig:
    uuid: str
    function_arn: str  # as the caller named it: qualified only if they qualified it
    function_name: str
    qualifier: str | None
    source: SourceArn
    batch_size: int
    window: int  # MaximumBatchingWindowInSeconds
    enabled: bool
    state: str
    state_reason: str
    last_modified: float
    response_types: tuple[str, ...] = ()
    filters: tuple[str, ...] | None = None  # patterns, as given; None when none were set
    maximum_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency (SQS)
    starting_position: str | None = None
    starting_timestamp: float | None = None
    max_retries: int = -1
    max_age: int = -1
    bisect: bool = False
    parallelization: int = 1
    on_failure: str | None = None
    tumbling_window: int = 0
    last_result: str = NO_RECORDS
    tags: dict[str, str] = field(default_factory=dict)
    created: float = 0.0

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def arn(self) -> str:
        """In the function's region and account (a queue may belong to another account)."""
        parts = self.function_arn.split(":")
        region, account = (parts[3], parts[4]) if len(parts) > 4 else (self.source.region, self.source.account)
        return f"arn:aws:lambda:{region}:{account}:event-source-mapping:{self.uuid}"

    @property
    def reports_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.response_types

    @property
    def running(self) -> bool:
        """Whether its source is polled: enabled and not being deleted."""
        return self.state in ("Creating", "Enabling", "Enabled", "Updating")
