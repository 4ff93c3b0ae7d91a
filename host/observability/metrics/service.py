"""GetMetricData, GetMetricStatistics, ListMetrics and PutMetricData on plain values.

Requests and answers are dicts shaped as botocore's ``cloudwatch`` model, with timestamps
as epoch seconds (floats); the wire protocols (``api``) convert. Every read flushes the
recorder first, so it sees every report made before it. Metric math (``Expression``) is
refused with a clear error; everything else follows CloudWatch's rules and messages.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time

from host.observability.metrics.errors import (
    InvalidNextToken,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    ValidationError,
)
from host.observability.metrics.recorder import MetricsRecorder
from host.observability.metrics.stats import (
    BASIC_STATISTICS,
    Aggregate,
    Dimensions,
    dimensions_key,
    is_statistic,
    matches_filters,
    rollup,
)
from host.observability.metrics.store import MetricStore

MAX_STATISTICS_DATAPOINTS = 1440
MAX_DATAPOINTS = 100800
LIST_PAGE = 500
RECENTLY_ACTIVE = 3 * 3600
_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


class MetricsService:
    def __init__(self, store: MetricStore, recorder: MetricsRecorder) -> None:
        self.store = store
        self.recorder = recorder

    # -- GetMetricStatistics ---------------------------------------------------------------------

    def get_metric_statistics(self, params: dict) -> dict:
        namespace = _required(params, "Namespace")
        metric = _required(params, "MetricName")
        start, end = _required(params, "StartTime"), _required(params, "EndTime")
        period = _period(_required(params, "Period"))
        statistics = params.get("Statistics") or []
        extended = params.get("ExtendedStatistics") or []
        if not statistics and not extended:
            raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
        if statistics and extended:
            raise InvalidParameterCombination("Parameters Statistics and ExtendedStatistics are mutually exclusive")
        for statistic in statistics:
            if statistic not in BASIC_STATISTICS:
                raise InvalidParameterValue(f"The parameter Statistics contains an invalid value: {statistic}")
        for statistic in extended:
            if not is_statistic(statistic) or statistic in BASIC_STATISTICS:
                raise InvalidParameterValue(f"The parameter ExtendedStatistics contains an invalid value: {statistic}")
        _check_window(start, end)
        wanted = int((end - start + period - 1) // period)
        if wanted > MAX_STATISTICS_DATAPOINTS:
            raise InvalidParameterCombination(
                f"You have requested up to {wanted:,} datapoints, which exceeds the limit of "
                f"{MAX_STATISTICS_DATAPOINTS:,}. You may reduce the datapoints requested by increasing Period, "
                "or decreasing the time range."
            )
        dims = _dimensions(params.get("Dimensions"))
        unit = params.get("Unit")
        self.recorder.flush()
        datapoints = []
        for at, aggregate in rollup(self.store.series(namespace, metric, dims, start, end, unit), start, end, period):
            point: dict = {"Timestamp": float(at)}
            for statistic in statistics:
                point[statistic] = aggregate.statistic(statistic)
            if extended:
                values = {s: aggregate.statistic(s) for s in extended}
                point["ExtendedStatistics"] = {s: v for s, v in values.items() if v is not None}
            point["Unit"] = unit or self.store.unit(namespace, metric, dims) or "None"
            datapoints.append(point)
        return {"Label": metric, "Datapoints": datapoints}

    # -- GetMetricData ----------------------------------------------------------------------------

    def get_metric_data(self, params: dict) -> dict:
        queries = _required(params, "MetricDataQueries")
        start, end = _required(params, "StartTime"), _required(params, "EndTime")
        _check_window(start, end)
        if not 1 <= len(queries) <= 500:
            raise ValidationError("The collection MetricDataQueries must not have more than 500 items.")
        scan_by = params.get("ScanBy") or "TimestampDescending"
        if scan_by not in ("TimestampDescending", "TimestampAscending"):
            raise ValidationError(
                f"1 validation error detected: Value '{scan_by}' at 'scanBy' failed to satisfy constraint: "
                "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]"
            )
        limit = int(params.get("MaxDatapoints") or MAX_DATAPOINTS)
        offsets = _token(params.get("NextToken"))
        ids = set()
        for i, query in enumerate(queries, 1):
            query_id = query.get("Id")
            if not query_id or not _ID.match(query_id):
                raise ValidationError(
                    f"The value {query_id} for parameter MetricDataQueries.member.{i}.Id is not valid."
                )
            if query_id in ids:
                raise ValidationError(
                    f"The value {query_id} for parameter MetricDataQueries.member.{i}.Id is not unique."
                )
            ids.add(query_id)
            if query.get("Expression"):
                raise ValidationError(
                    f"MetricDataQueries.member.{i}.Expression: metric math expressions are not supported by "
                    "lambda-host; ask for each metric with MetricStat and combine the values yourself."
                )
            if not query.get("MetricStat"):
                raise ValidationError("Exactly one element of the metrics list must have MetricStat or Expression.")
        self.recorder.flush()
        results = []
        budget = limit
        next_offsets: dict[str, int] = {}
        for i, query in enumerate(queries, 1):
            stat = query["MetricStat"]
            period = _period(
                stat.get("Period") or query.get("Period"), f"MetricDataQueries.member.{i}.MetricStat.Period"
            )
            statistic = stat.get("Stat") or ""
            if not is_statistic(statistic):
                raise ValidationError(
                    f"The value {statistic} for parameter MetricDataQueries.member.{i}.MetricStat.Stat is not valid."
                )
            metric = stat.get("Metric") or {}
            namespace, name = metric.get("Namespace"), metric.get("MetricName")
            if not namespace or not name:
                raise MissingParameter(
                    f"The parameter MetricDataQueries.member.{i}.MetricStat.Metric.MetricName is required."
                )
            dims = _dimensions(metric.get("Dimensions"))
            points = []
            for at, aggregate in rollup(
                self.store.series(namespace, name, dims, start, end, stat.get("Unit")), start, end, period
            ):
                value = aggregate.statistic(statistic)
                if value is not None:
                    points.append((float(at), value))
            if scan_by == "TimestampDescending":
                points.reverse()
            skip = offsets.get(query["Id"], 0)
            points = [] if offsets and query["Id"] not in offsets else points[skip:]  # done on an earlier page
            if query.get("ReturnData") is False:
                continue
            taken = points[: max(0, budget)]
            budget -= len(taken)
            complete = len(taken) == len(points)
            if not complete:
                next_offsets[query["Id"]] = skip + len(taken)
            results.append(
                {
                    "Id": query["Id"],
                    "Label": query.get("Label") or name,
                    "Timestamps": [at for at, _ in taken],
                    "Values": [value for _, value in taken],
                    "StatusCode": "Complete" if complete else "PartialData",
                    "Messages": [],
                }
            )
        answer: dict = {"MetricDataResults": results, "Messages": []}
        if next_offsets:
            answer["NextToken"] = base64.urlsafe_b64encode(json.dumps(next_offsets).encode()).decode()
        return answer

    # -- ListMetrics ----------------------------------------------------------------------------

    def list_metrics(self, params: dict) -> dict:
        filters = []
        for dimension in params.get("Dimensions") or []:
            if not isinstance(dimension, dict) or not dimension.get("Name"):
                raise InvalidParameterValue("The parameter Dimensions.member.Name is required.")
            filters.append((dimension["Name"], dimension.get("Value")))
        recently = params.get("RecentlyActive")
        if recently not in (None, "PT3H"):
            raise InvalidParameterValue(f"The parameter RecentlyActive must be PT3H, not {recently}.")
        since = time.time() - RECENTLY_ACTIVE if recently else 0
        self.recorder.flush()
        found = [
            {"Namespace": ns, "MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims]}
            for ns, name, dims in self.store.metrics(params.get("Namespace"), params.get("MetricName"), since)
            if matches_filters(dims, filters)
        ]
        skip = _token(params.get("NextToken")).get("skip", 0)
        page = found[skip : skip + LIST_PAGE]
        answer: dict = {"Metrics": page}
        if skip + LIST_PAGE < len(found):
            answer["NextToken"] = base64.urlsafe_b64encode(json.dumps({"skip": skip + LIST_PAGE}).encode()).decode()
        return answer

    # -- PutMetricData --------------------------------------------------------------------------

    def put_metric_data(self, params: dict) -> dict:
        namespace = _required(params, "Namespace")
        if namespace.startswith("AWS/"):
            raise InvalidParameterValue(f"The value {namespace} for parameter Namespace is invalid.")
        data = params.get("MetricData")
        if not data:
            raise MissingParameter("The parameter MetricData is required.")
        now = time.time()
        accepted = []
        for i, datum in enumerate(data, 1):
            name = datum.get("MetricName")
            if not name:
                raise MissingParameter(f"The parameter MetricData.member.{i}.MetricName is required.")
            aggregate = _datum(datum, i)
            at = datum.get("Timestamp") or now
            if at > now + 2 * 3600 or at < now - 14 * 24 * 3600:
                raise InvalidParameterValue(
                    f"The parameter MetricData.member.{i}.Timestamp must specify a time no more than two weeks in "
                    "the past and no more than two hours in the future."
                )
            accepted.append((name, _dimensions(datum.get("Dimensions")), at, datum.get("Unit") or "None", aggregate))
        for name, dims, at, unit, aggregate in accepted:
            self.recorder.put(namespace, name, dims, at, unit, aggregate)
        return {}


def _datum(datum: dict, i: int) -> Aggregate:
    aggregate = Aggregate()
    has_value = datum.get("Value") is not None
    values, counts, stats = datum.get("Values"), datum.get("Counts"), datum.get("StatisticValues")
    if sum((has_value, bool(values), bool(stats))) != 1:
        raise InvalidParameterCombination(
            f"The parameters MetricData.member.{i}.Value, MetricData.member.{i}.Values and "
            f"MetricData.member.{i}.StatisticValues are mutually exclusive and you must specify exactly one of them."
        )
    if has_value:
        aggregate.add(float(datum["Value"]))
    elif values:
        if counts and len(counts) != len(values):
            raise InvalidParameterValue(
                f"The parameters MetricData.member.{i}.Values and MetricData.member.{i}.Counts "
                "must be of the same size."
            )
        for value, count in zip(values, counts or [1.0] * len(values), strict=True):
            aggregate.add(float(value), float(count))
    else:
        for key in ("SampleCount", "Sum", "Minimum", "Maximum"):
            if stats.get(key) is None:
                raise MissingParameter(f"The parameter MetricData.member.{i}.StatisticValues.{key} is required.")
        aggregate.add_statistics(
            float(stats["SampleCount"]), float(stats["Sum"]), float(stats["Minimum"]), float(stats["Maximum"])
        )
    return aggregate


def _required(params: dict, name: str):
    value = params.get(name)
    if value is None or value == "" or value == []:
        raise MissingParameter(f"The parameter {name} is required.")
    return value


def _period(value, name: str = "Period") -> int:
    try:
        period = int(value)
    except (TypeError, ValueError):
        raise MissingParameter(f"The parameter {name} is required.") from None
    if period < 1:
        raise InvalidParameterValue(f"The parameter {name} must be greater than 0.")
    if period % 60:
        raise InvalidParameterValue(f"The parameter {name} must be a multiple of 60.")
    return period


def _check_window(start: float, end: float) -> None:
    if start >= end:
        raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")


def _dimensions(raw) -> Dimensions:
    pairs = []
    for dimension in raw or []:
        name, value = dimension.get("Name"), dimension.get("Value")
        if not name or value is None:
            raise InvalidParameterValue("The parameter Dimensions.member.Name and Value are required.")
        pairs.append((name, value))
    if len(pairs) > 30:
        raise InvalidParameterValue("The collection Dimensions must not have more than 30 items.")
    return dimensions_key(pairs)


def _token(token: str | None) -> dict:
    if not token:
        return {}
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidNextToken("The service couldn't process the NextToken.") from None
    if not isinstance(value, dict):
        raise InvalidNextToken("The service couldn't process the NextToken.")
    return value
