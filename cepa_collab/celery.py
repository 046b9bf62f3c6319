"""The Celery application: configuration from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cepa_collab.settings")

app = Celery("cepa_collab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
