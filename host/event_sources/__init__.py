"""Event source mappings: queues and streams that invoke functions with batches, as Lambda's do.

The room's inner order follows the Lambda side's:

- ``api``: the five operations as a Flask blueprint, thin;
- ``core/``: no I/O at all: the configuration and its checks (``config``, ``validation``),
  response shapes, filter patterns, event records, how a function's answer is read, the
  stream retry/bisect policy;
- ``store``: mappings and shard checkpoints in the host's SQLite database;
- ``service``: the operations, and the ``Pollers`` that run each enabled mapping;
- ``pollers/``: SQS and stream (Kinesis, DynamoDB Streams) polling loops.

Everything it needs from the Lambda side goes through ``lambda_side.LambdaSide``: resolve
a function, read its timeout, invoke it. The AWS endpoint is ``host.aws``.
"""
