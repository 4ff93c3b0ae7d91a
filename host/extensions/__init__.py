"""Lambda Extensions, Telemetry and Logs APIs.

A pure core (``registry``, ``telemetry``) and a thin HTTP layer (``api``).
"""
