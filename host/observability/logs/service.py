"""The CloudWatch Logs operations: one method per operation, parameters in, AWS's shapes out.

Runs on the API's worker threads (every call reads or writes ``logs.db``). Validation the
model states (required members, lengths, patterns) is done before, in ``api``; this module
checks what the model cannot say, with AWS's messages.
"""

from __future__ import annotations

import re
from typing import Any

from host.observability.logs.core import paging
from host.observability.logs.core.errors import (
    GROUP_EXISTS,
    GROUP_NOT_FOUND,
    STREAM_EXISTS,
    STREAM_NOT_FOUND,
    InvalidParameter,
    ResourceAlreadyExists,
    ResourceNotFound,
)
from host.observability.logs.core.patterns import PatternError, compile_pattern
from host.observability.logs.store import LogStore, now_ms

MAX_SCANNED = 200_000  # events FilterLogEvents reads for one page before it answers with a nextToken
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * paging.DAY_MS
_GROUP_ARN = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?")


class LogsService:
    def __init__(self, store: LogStore, region: str, account: str) -> None:
        self.store = store
        self.region = region
        self.account = account

    def operations(self) -> dict[str, Any]:
        return {
            "CreateLogGroup": self.create_log_group,
            "DeleteLogGroup": self.delete_log_group,
            "DescribeLogGroups": self.describe_log_groups,
            "CreateLogStream": self.create_log_stream,
            "DeleteLogStream": self.delete_log_stream,
            "DescribeLogStreams": self.describe_log_streams,
            "PutLogEvents": self.put_log_events,
            "GetLogEvents": self.get_log_events,
            "FilterLogEvents": self.filter_log_events,
            "PutRetentionPolicy": self.put_retention_policy,
            "DeleteRetentionPolicy": self.delete_retention_policy,
        }

    # -- helpers ---------------------------------------------------------------------------

    def _arn(self, group: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{group}"

    def resolve_group(self, params: dict, must_exist: bool = True) -> str:
        """The log group a request names (logGroupName, or logGroupIdentifier as a name or ARN)."""
        name = params.get("logGroupName")
        identifier = params.get("logGroupIdentifier")
        if name and identifier:
            raise InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if identifier:
            match = _GROUP_ARN.fullmatch(identifier)
            name = match.group(1) if match else identifier
        if not name:
            raise InvalidParameter("Either LogGroup name or LogGroup ARN must be specified.")
        if must_exist and not self.store.has_group(name):
            raise ResourceNotFound(GROUP_NOT_FOUND)
        return name

    def _stream(self, group: str, params: dict) -> str:
        stream = params["logStreamName"]
        if not self.store.has_stream(group, stream):
            raise ResourceNotFound(STREAM_NOT_FOUND)
        return stream

    @staticmethod
    def _window(params: dict) -> tuple[int | None, int | None]:
        start, end = params.get("startTime"), params.get("endTime")
        if start is not None and end is not None and start > end:
            raise InvalidParameter("End time must be greater than or equal to start time.")
        return start, end

    # -- groups ----------------------------------------------------------------------------

    def create_log_group(self, params: dict) -> dict:
        if not self.store.create_group(params["logGroupName"], now_ms()):
            raise ResourceAlreadyExists(GROUP_EXISTS)
        return {}

    def delete_log_group(self, params: dict) -> dict:
        if not self.store.delete_group(params["logGroupName"]):
            raise ResourceNotFound(GROUP_NOT_FOUND)
        return {}

    def describe_log_groups(self, params: dict) -> dict:
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix and pattern:
            raise InvalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        after = paging.read_page_token(params["nextToken"]).get("after") if params.get("nextToken") else None
        limit = params.get("limit") or 50
        shown = []
        for name, created, retention, stored in self.store.groups():
            if prefix and not name.startswith(prefix):
                continue
            if pattern and pattern.lower() not in name.lower():
                continue
            if after is not None and name <= after:
                continue
            group = {
                "logGroupName": name,
                "creationTime": created,
                "metricFilterCount": 0,
                "arn": self._arn(name) + ":*",
                "storedBytes": stored,
                "logGroupClass": "STANDARD",
                "logGroupArn": self._arn(name),
            }
            if retention is not None:
                group["retentionInDays"] = retention
            shown.append(group)
        answer: dict[str, Any] = {"logGroups": shown[:limit]}
        if len(shown) > limit:
            answer["nextToken"] = paging.page_token({"after": shown[limit - 1]["logGroupName"]})
        return answer

    def put_retention_policy(self, params: dict) -> dict:
        group = self.resolve_group(params)
        self.store.set_retention(group, paging.check_retention(params["retentionInDays"]))
        return {}

    def delete_retention_policy(self, params: dict) -> dict:
        self.store.set_retention(self.resolve_group(params), None)
        return {}

    # -- streams ---------------------------------------------------------------------------

    def create_log_stream(self, params: dict) -> dict:
        group = self.resolve_group(params)
        if not self.store.create_stream(group, params["logStreamName"], now_ms()):
            raise ResourceAlreadyExists(STREAM_EXISTS)
        return {}

    def delete_log_stream(self, params: dict) -> dict:
        group = self.resolve_group(params)
        if not self.store.delete_stream(group, params["logStreamName"]):
            raise ResourceNotFound(STREAM_NOT_FOUND)
        return {}

    def describe_log_streams(self, params: dict) -> dict:
        group = self.resolve_group(params)
        prefix = params.get("logStreamNamePrefix")
        by_time = params.get("orderBy") == "LastEventTime"
        if by_time and prefix:
            raise InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        rows = [row for row in self.store.streams(group) if not prefix or row[0].startswith(prefix)]
        if by_time:
            rows.sort(key=lambda row: (row[3] or 0, row[0]))
        if params.get("descending"):
            rows.reverse()
        offset = paging.read_page_token(params["nextToken"]).get("offset", 0) if params.get("nextToken") else 0
        limit = params.get("limit") or 50
        shown = []
        for name, created, first, last, ingestion in rows[offset : offset + limit]:
            stream = {
                "logStreamName": name,
                "creationTime": created,
                "arn": f"{self._arn(group)}:log-stream:{name}",
                "storedBytes": 0,
            }
            if first is not None:
                stream.update(firstEventTimestamp=first, lastEventTimestamp=last, lastIngestionTime=ingestion)
                stream["uploadSequenceToken"] = paging.event_id(ingestion)
            shown.append(stream)
        answer: dict[str, Any] = {"logStreams": shown}
        if offset + limit < len(rows):
            answer["nextToken"] = paging.page_token({"offset": offset + limit})
        return answer

    # -- events ----------------------------------------------------------------------------

    def put_log_events(self, params: dict) -> dict:
        group = self.resolve_group(params)
        stream = self._stream(group, params)
        events = params["logEvents"]
        stamps = [event["timestamp"] for event in events]
        if stamps != sorted(stamps):
            raise InvalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
        if stamps[-1] - stamps[0] > paging.DAY_MS:
            raise InvalidParameter(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
            )
        now = now_ms()
        rejected: dict[str, int] = {}
        accepted = []
        retention = self.store.retention(group)
        for index, event in enumerate(events):
            stamp = event["timestamp"]
            if stamp > now + TOO_NEW_MS:
                rejected.setdefault("tooNewLogEventStartIndex", index)
            elif stamp < now - TOO_OLD_MS:
                rejected["tooOldLogEventEndIndex"] = index
            elif retention is not None and stamp < paging.retention_cutoff(retention, now):
                rejected["expiredLogEventEndIndex"] = index
            else:
                accepted.append((stamp, event["message"]))
        if accepted:
            self.store.append(group, stream, accepted)
            self.store.flush()
        answer: dict[str, Any] = {"nextSequenceToken": paging.event_id(now)}
        if rejected:
            answer["rejectedLogEventsInfo"] = rejected
        return answer

    def get_log_events(self, params: dict) -> dict:
        group = self.resolve_group(params)
        stream = self._stream(group, params)
        start, end = self._window(params)
        limit = params.get("limit") or 10_000
        token = params.get("nextToken")
        if token:
            direction, position = paging.read_direction_token(token)
        else:
            direction = "f" if params.get("startFromHead") else "b"
            position = 0 if direction == "f" else 2**62
        if direction == "f":
            rows = self.store.stream_events(group, stream, start, end, after=position, limit=limit)
        else:
            rows = self.store.stream_events(group, stream, start, end, before=position, limit=limit)
        events = [
            {"timestamp": ts, "message": message, "ingestionTime": ingestion} for _, ts, message, ingestion in rows
        ]
        if rows:
            forward, backward = rows[-1][0], rows[0][0]
        elif direction == "f":
            forward = position if token or position else 0
            backward = forward + 1
        else:
            last = self.store.last_position(group, stream) if not token else position - 1
            forward, backward = last, last + 1
        return {
            "events": events,
            "nextForwardToken": paging.forward_token(forward),
            "nextBackwardToken": paging.backward_token(backward),
        }

    def filter_log_events(self, params: dict) -> dict:
        group = self.resolve_group(params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            raise InvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        start, end = self._window(params)
        try:
            matches = compile_pattern(params.get("filterPattern"))
        except (PatternError, ValueError):
            raise InvalidParameter("Invalid filter pattern.") from None
        limit = params.get("limit") or 10_000
        after = None
        if params.get("nextToken"):
            state = paging.read_page_token(params["nextToken"])
            after = (int(state.get("ts", 0)), int(state.get("id", 0)))
        events: list[dict] = []
        scanned, last = 0, None
        unfiltered = not (params.get("filterPattern") or "").strip()  # then SQLite can stop at the limit
        rows = self.store.group_events(group, names, prefix, start, end, after, limit if unfiltered else None)
        for position, ts, stream, message, ingestion in rows:
            scanned += 1
            last = (ts, position)
            if matches(message):
                event = {"logStreamName": stream, "timestamp": ts, "message": message, "ingestionTime": ingestion}
                events.append({**event, "eventId": paging.event_id(position)})
                if len(events) == limit:
                    break
            if scanned >= MAX_SCANNED:
                break
        answer: dict[str, Any] = {"events": events, "searchedLogStreams": []}
        if last is not None and (len(events) == limit or scanned >= MAX_SCANNED):
            answer["nextToken"] = paging.page_token({"ts": last[0], "id": last[1]})
        return answer
