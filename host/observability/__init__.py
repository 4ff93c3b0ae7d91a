"""Logs and metrics of what functions do: CloudWatch Logs and CloudWatch metrics on the host's port."""
