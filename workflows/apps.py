from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # The apps above workflows fill the cockpit's registries from their own `cockpit`
        # module (see `workflows.cockpit`); workflows names none of them.
        autodiscover_modules("cockpit")
