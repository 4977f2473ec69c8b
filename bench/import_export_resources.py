"""django-import-export's side of the roster benchmarks: the 干部花名册 (cadres.standard) written as a
Django developer would with that library — a ModelResource used directly, without its admin, so the
package is needed for benchmarks only (requirements-dev.txt) and is not in INSTALLED_APPS.

Same columns, headers and order as the roster; codes shown by their labels (a widget that renders the
label and reads it back), dates as 1985.03, the unit by its name, age and highest education computed.
The import matches rows by ID number, loads the existing records in one query (CachedInstanceLoader,
the library's documented option for this) and validates each record with `full_clean()`.
"""

import io

import tablib
from django.utils import timezone
from import_export import fields, instance_loaders, resources, widgets

from cadres.models import Cadre
from orgportal import codes
from orgportal.models import Unit
from orgportal.validators import age_on


class Label(widgets.Widget):
    """A coded field shown by its label (性别 2 ↔ 女)."""

    def __init__(self, choices):
        super().__init__()
        self.labels = {value: str(label) for value, label in choices}
        self.codes = {label: value for value, label in self.labels.items()}

    def clean(self, value, row=None, **kwargs):
        return self.codes.get(value, value) if value else ""

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, "")


def column(name: str, widget=None, **kwargs) -> fields.Field:
    """A model field under its verbose name (the roster's header)."""
    header = str(Cadre._meta.get_field(name).verbose_name)
    return fields.Field(attribute=name, column_name=header, widget=widget or widgets.CharWidget(), **kwargs)


def coded(name: str) -> fields.Field:
    return column(name, Label(Cadre._meta.get_field(name).choices))


def month(name: str) -> fields.Field:
    return column(name, widgets.DateWidget("%Y.%m"))


class CadreRosterResource(resources.ModelResource):
    name = column("name")
    gender = coded("gender")
    birth_date = month("birth_date")
    age = fields.Field(column_name="年龄", readonly=True)
    ethnicity = coded("ethnicity")
    native_place = column("native_place")
    birthplace = column("birthplace")
    id_number = column("id_number")
    political_status = coded("political_status")
    party_join_date = month("party_join_date")
    work_start_date = month("work_start_date")
    health = column("health")
    professional_title = column("professional_title")
    expertise = column("expertise")
    ft_education = coded("ft_education")
    ft_degree = coded("ft_degree")
    ft_school = column("ft_school")
    pt_education = coded("pt_education")
    pt_degree = coded("pt_degree")
    pt_school = column("pt_school")
    highest = fields.Field(column_name="最高学历", readonly=True)
    unit = column("unit", widgets.ForeignKeyWidget(Unit, field="name"))
    post = column("post")
    post_since = month("post_since")
    level = coded("level")
    rank = coded("rank")
    rank_since = month("rank_since")
    management_category = coded("management_category")
    status = coded("status")
    note = column("note")

    class Meta:
        model = Cadre
        fields = [
            "name", "gender", "birth_date", "age", "ethnicity", "native_place", "birthplace", "id_number",
            "political_status", "party_join_date", "work_start_date", "health", "professional_title",
            "expertise", "ft_education", "ft_degree", "ft_school", "pt_education", "pt_degree", "pt_school",
            "highest", "unit", "post", "post_since", "level", "rank", "rank_since", "management_category",
            "status", "note",
        ]  # fmt: skip
        import_id_fields = ("id_number",)
        instance_loader_class = instance_loaders.CachedInstanceLoader
        clean_model_instances = True

    def dehydrate_age(self, cadre):
        return age_on(cadre.birth_date, timezone.localdate())

    def dehydrate_highest(self, cadre):
        code = codes.highest_education([cadre.ft_education, cadre.pt_education])
        return str(codes.Education(code).label) if code else ""


def export_xlsx(queryset, target) -> None:
    """The queryset to .xlsx the library's way: Resource.export → tablib Dataset → xlsx bytes."""
    dataset = CadreRosterResource().export(queryset.select_related("unit"))
    target.write(dataset.export("xlsx"))


def import_xlsx(data: bytes, *, header_row: int = 2):
    """Read the roster (its header on `header_row`, under the title) and import it; the Result."""
    dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx", skip_lines=header_row - 1)
    return CadreRosterResource().import_data(dataset, dry_run=False, raise_errors=True)
