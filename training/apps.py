from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("干部教育培训")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cadres.timeline import register_source

        from . import query, rosters  # noqa: F401  (registers the rosters)
        from .timeline import training_events

        # 结业, 退训 and 缺训 on the trainee's growth dossier timeline.
        register_source("training", training_events)
        query.register()  # its conditions for the cadres' combined queries (组合查询)
