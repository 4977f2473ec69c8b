from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("人才工作")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cadres.timeline import register_source

        from . import query, rosters  # noqa: F401  (registers the rosters)
        from .timeline import talent_events

        # A talent who is also a cadre: certifications, cards and selections on the cadre's timeline.
        register_source("talent", talent_events)
        query.register()  # its conditions for the cadres' combined queries (组合查询)
