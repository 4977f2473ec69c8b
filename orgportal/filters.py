import django_filters

from .api import SubtreeFilterSet
from .models import Unit, UnitAssignment


class UnitFilter(SubtreeFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Unit
        fields = ["parent", "kind", "admin_level", "region_code", "name"]


class UnitAssignmentFilter(SubtreeFilterSet):
    class Meta:
        model = UnitAssignment
        fields = ["user", "unit"]
