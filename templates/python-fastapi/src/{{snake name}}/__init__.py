"""A FastAPI service: JWT auth, per-user tasks, Prometheus metrics, JSON logs."""

__version__ = "0.1.0"
