"""What a function's answer to a batch means: success, failure, or a partial batch response.

With ``ReportBatchItemFailures`` the answer ``{"batchItemFailures": [{"itemIdentifier": id}]}``
names the failed records (SQS: message ids; streams: sequence numbers). AWS's rules
(§2.4, §3.4):

1. success: an empty or null list, an empty or null response (``{}``, ``null``, ``""``, ``[]``),
   or no ``batchItemFailures`` key;
2. the whole batch failed: a function error; an answer that is not JSON or not one of the
   shapes above; an identifier that is empty, null, missing, or not in the batch;
3. otherwise the named records failed and the others succeeded.

Without ``ReportBatchItemFailures`` the answer is ignored: only a function error fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SUCCESS, FAILURE, PARTIAL, THROTTLED = "success", "failure", "partial", "throttled"


@dataclass(frozen=True)
class Outcome:
    kind: str
    failed: tuple[str, ...] = ()  # the identifiers a partial response named, in the batch's order
    function_error: str | None = None  # "Unhandled" after a function error; None for a bad partial response


def read_answer(payload: bytes, function_error: str | None, reports: bool, identifiers: list[str]) -> Outcome:
    if function_error:
        return Outcome(FAILURE, function_error=function_error)
    if not reports:
        return Outcome(SUCCESS)
    try:
        answer = json.loads(payload) if payload.strip() else None
    except ValueError:
        return Outcome(FAILURE)
    if answer in (None, "", []):
        return Outcome(SUCCESS)
    if not isinstance(answer, dict):
        return Outcome(FAILURE)
    failures = answer.get("batchItemFailures")
    if failures is None or failures == []:
        return Outcome(SUCCESS)
    if not isinstance(failures, list):
        return Outcome(FAILURE)
    known = set(identifiers)
    named = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return Outcome(FAILURE)
        named.add(identifier)
    return Outcome(PARTIAL, tuple(i for i in identifiers if i in named))
