from rest_framework import serializers

from .api import OrgSerializer
from .models import Unit, UnitAssignment


class UnitSerializer(OrgSerializer):
    depth = serializers.IntegerField(read_only=True, label="层级")

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "admin_level",
            "region_code",
            "parent",
            "sort_order",
            "path",
            "depth",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["path"]


class UnitTreeSerializer(serializers.Serializer):
    """A unit with its children, nested (the tree endpoint)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), label="下级单位")


class UnitAssignmentSerializer(OrgSerializer):
    class Meta:
        model = UnitAssignment
        fields = ["id", "user", "unit", "created_at", "updated_at"]
