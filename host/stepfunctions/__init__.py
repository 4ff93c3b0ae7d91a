"""Step Functions on the Lambda port: Amazon States Language state machines run by the host.

Inner order, as on the Lambda side:

- ``core/``: the language, pure. A definition is parsed into frozen state objects; a
  state's evaluation is a function from (state, input, context) to an outcome; history
  events are built from outcomes by ``core/history.py`` alone. No I/O, no clock reads
  that are not passed in, no threads.
- ``engine/``: runs executions on the host's event loop (no thread per execution or per
  state), keeps Standard executions durable through ``store/`` and resumes them after a
  crash, Express ones in memory.
- ``integrations/``: what a Task state reaches: the host's own functions through one
  narrow port (``ports.Functions``), nested executions, activities, other AWS services
  through boto3 clients made in ``integrations/aws_clients.py`` alone, and mocks.
- ``api/``: the JSON 1.0 protocol (``X-Amz-Target: AWSStepFunctions.*``), thin.
"""
