"""The villages app's API: read-only divisions and villages, with the pages' FilterSets."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from portal.api import ScopedReadOnlyViewSet
from portal.roles import Perm
from villages import services
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
            "code",
            "name",
            "township",
            "township_name",
            "kind",
            "households",
            "population",
            "party_org_type",
            "party_members",
            "secretary_name",
            "version",
            "updated_at",
        ]


class VillageUpdateSerializer(serializers.ModelSerializer):
    """What an organizer may change, plus the version the change was based on."""

    version = serializers.IntegerField()

    class Meta:
        model = Village
        fields = [
            "version",
            "households",
            "population",
            "party_org_type",
            "party_members",
            "secretary_name",
        ]
        extra_kwargs = {name: {"required": False} for name in fields if name != "version"}


class DivisionViewSet(ScopedReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    lookup_field = "code"


class VillageViewSet(ScopedReadOnlyViewSet):
    """Villages in scope; PATCH changes basic facts (409 if `version` is stale)."""

    queryset = Village.objects.select_related("township")
    serializer_class = VillageSerializer
    filterset_class = VillageFilterSet
    lookup_field = "code"
    permission = Perm.VILLAGE_CHANGE

    @extend_schema(request=VillageUpdateSerializer, responses=VillageSerializer)
    def partial_update(self, request, code=None):
        village = self.get_object()
        update = VillageUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        data = dict(update.validated_data)
        village = services.village_update(
            village=village, acting_user=request.user, version=data.pop("version"), **data
        )
        return Response(VillageSerializer(village).data)
