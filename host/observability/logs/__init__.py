"""CloudWatch Logs on the host's port: each function's output in its log group, and the Logs API.

Inner order as on the Lambda side: ``api`` (thin JSON 1.1 handler), ``core`` (pure rules:
filter patterns, tokens, limits, platform records), ``store`` (SQLite ``logs.db``, written in
batches), ``service`` (the operations). The Lambda side reaches it only through ``LogRecorder``
(``recorder.py``): it hands over lines of a log group's stream, nothing else.
"""
