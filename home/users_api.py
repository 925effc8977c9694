"""The users API: an administrator's delegated administration, the page's services.

It sits on the roof (home/) beside the users pages because its choices are divisions and
villages, which the foundation (portal/) may not import. The grant table is
`portal.roles.GRANTS`; `user_create` and `user_update` enforce it, so a role or level the
caller may not grant is refused here (400, by field) as on the page.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal import services
from portal.api import ScopedViewSetMixin
from portal.choices import Role
from portal.filtersets import UserFilterSet
from portal.models import User
from portal.roles import Perm
from portal.scoping import Scope
from villages.models import Division, Village


def _scope(context):
    request = context.get("request")
    return request.scope if request is not None else Scope.nothing()


class UserSerializer(serializers.ModelSerializer):
    """A user as his administrator sees him: role, level and place."""

    role_title = serializers.CharField(read_only=True)
    level = serializers.CharField(source="level_label", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "phone",
            "role",
            "role_title",
            "level",
            "division",
            "village",
            "is_active",
        ]


class _UserWriteSerializer(serializers.Serializer):
    """The fields the service takes; divisions and villages only from the caller's area."""

    display_name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    division = serializers.PrimaryKeyRelatedField(queryset=Division.objects.none())
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.none(), required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = _scope(self.context)
        self.fields["division"].queryset = Division.objects.visible_to(scope)
        self.fields["village"].queryset = Village.objects.visible_to(scope)


class UserCreateSerializer(_UserWriteSerializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class UserUpdateSerializer(_UserWriteSerializer):
    """Every field optional: what is not sent stays as it is."""

    is_active = serializers.BooleanField(required=False)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The users of the caller's area, for an administrator (reads too, like the page).
    POST creates one, PATCH changes one: only with a role the caller may grant at the
    user's level (the grant table in the README), never the caller's own role or place."""

    queryset = User.objects.select_related("division", "village")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    permission = Perm.USER_MANAGE

    def check_permissions(self, request):
        super().check_permissions(request)
        # A method the address does not take is 405 for everyone (DRF answers it later).
        handled = hasattr(self, request.method.lower())
        if handled and not request.user.has_role_perm(Perm.USER_MANAGE):
            raise exceptions.PermissionDenied(_("Your role does not allow this action."))

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request):
        data = UserCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        user = services.user_create(acting_user=request.user, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = UserUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = {
            "display_name": user.display_name,
            "phone": user.phone,
            "role": user.role,
            "division": user.division,
            "village": user.village,
            "is_active": user.is_active,
        }
        fields.update(data.validated_data)
        user = services.user_update(user=user, acting_user=request.user, **fields)
        return Response(UserSerializer(user).data)
