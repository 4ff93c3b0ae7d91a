"""lambda-host: a local, Docker-backed AWS Lambda host."""

__version__ = "0.1.0"
