from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CepaCollabConfig(AppConfig):
    name = "cepa_collab"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # What apps add to lower apps' pages registers itself in their `panels` modules
        # (see `cepa_collab.panels`); every process knows every Celery task by name (a
        # service enqueues the next step by name, see `notifications.jobs`); what waits for
        # someone on their start page, in each app's `work` module (`cepa_collab.work`).
        autodiscover_modules("panels", "tasks", "work")
