"""Activities as a Task: the task waits in the activity's queue for a worker's
``GetActivityTask``; the worker answers with ``SendTask*`` and the token."""

from __future__ import annotations

from host.stepfunctions.integrations.base import Reply, TaskCall
from host.stepfunctions.service.activities import ActivityService


class ActivityTask:
    def __init__(self, activities: ActivityService) -> None:
        self.activities = activities

    def start(self, call: TaskCall, reply: Reply) -> None:
        self.activities.offer(call.target.arn, call.token, call.parameters, reply)
