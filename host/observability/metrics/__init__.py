"""CloudWatch metrics on the host's port: AWS/Lambda, AWS/States and users' own metrics.

``stats`` is the pure core (aggregates, percentiles, period roll-up, dimension matching);
``recorder`` takes reports from the Lambda side (``host.core.metrics``) and aggregates them
per minute off the invoke path; ``store`` keeps the minutes in SQLite; ``service`` answers
GetMetricData, GetMetricStatistics, ListMetrics and PutMetricData on plain values; ``api``
speaks the three wire protocols botocore may use; ``http`` puts them and the Prometheus
text endpoint on the host's port.
"""
