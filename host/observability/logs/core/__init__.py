"""The pure rules of CloudWatch Logs: no I/O, no clock of their own (callers pass ``now``)."""
