"""hackperf: the performance dashboard of a council's ICT division and Information Governance."""

# Load the Celery app whenever Django starts, so @shared_task binds to it.
from hackperf.celery import app as celery_app

__all__ = ("celery_app",)
