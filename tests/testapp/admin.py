from django.contrib import admin

from orgportal.admin import OrgAdmin

from .models import Specimen


@admin.register(Specimen)
class SpecimenAdmin(OrgAdmin):
    list_display = ["name", "id_number", "unit"]
    list_select_related = ["unit"]
    search_fields = ["name"]
