"""The requests of the training service actions (the records' own serializers come from register())."""

from rest_framework import serializers


class EndEnrolmentSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="原因")
    on = serializers.DateField(required=False, allow_null=True, default=None, label="日期（默认今天）")


class CompleteClassSerializer(serializers.Serializer):
    on = serializers.DateField(label="结业日期")
