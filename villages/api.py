"""The villages app's API: read-only divisions and villages, with the pages' FilterSets."""

from rest_framework import serializers

from portal.api import ScopedReadOnlyViewSet
from villages.filtersets import DivisionFilterSet, VillageFilterSet
from villages.models import Division, Village


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class VillageSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Village
        fields = [
            "code", "name", "township", "township_name", "kind", "households", "population",
            "party_org_type", "party_members", "secretary_name", "version", "updated_at",
        ]


class DivisionViewSet(ScopedReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    lookup_field = "code"


class VillageViewSet(ScopedReadOnlyViewSet):
    queryset = Village.objects.select_related("township")
    serializer_class = VillageSerializer
    filterset_class = VillageFilterSet
    lookup_field = "code"
