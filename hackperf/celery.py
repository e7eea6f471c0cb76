"""The Celery application.

Tasks are found in each app's ``tasks.py``; settings are the ``CELERY_*`` names in
``hackperf.settings``. Tasks are acknowledged late and may run more than once, so each one is
idempotent; views queue them with ``task.delay_on_commit()`` so a worker never sees a row
that the request's transaction has not committed yet.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackperf.settings")

app = Celery("hackperf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Connects the start and end log line of every task (imported for its signal handlers).
import hackperf.task_log  # noqa: E402,F401


@app.on_after_configure.connect
def make_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    """Without Redis, messages are files: their folders must exist before a worker starts."""
    if sender.conf.broker_url == "filesystem://":
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = sender.conf.broker_transport_options.get(key)
            if folder:
                os.makedirs(folder, exist_ok=True)
