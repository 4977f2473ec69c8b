from orgportal.api import OrgSerializer, OrgViewSet, SubtreeFilterSet, router

from .models import Specimen


class SpecimenSerializer(OrgSerializer):
    class Meta:
        model = Specimen
        fields = ["id", "name", "id_number", "unit"]


class SpecimenFilter(SubtreeFilterSet):
    class Meta:
        model = Specimen
        fields = ["name", "unit"]


class SpecimenViewSet(OrgViewSet):
    queryset = Specimen.objects.select_related("unit")
    serializer_class = SpecimenSerializer
    filterset_class = SpecimenFilter
    search_fields = ["name"]


router.register("test-specimens", SpecimenViewSet)
urlpatterns = []
