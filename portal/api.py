"""The API's base viewsets: scope applied once, like the pages' ScopedMixin."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from portal.choices import ReportStatus
from portal.models import BulkJob
from portal.scoping import Scope


class ScopedViewSetMixin:
    """Every queryset goes through `visible_to(request.scope)`: out of scope is 404.

    `permission` (a `portal.roles.Perm`) is what writes require; see portal.drf.
    """

    permission: str | None = None

    def initialize_request(self, request, *args, **kwargs):
        # A request made up without the middleware (the schema generator's) gets its
        # scope too: the caller's, read once authenticated.
        drf_request = super().initialize_request(request, *args, **kwargs)
        if not hasattr(request, "scope"):
            request.scope = SimpleLazyObject(lambda: Scope.of(drf_request.user))
        return drf_request

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.scope)

    def filter_queryset(self, queryset):
        # The FilterSet narrows lists. An object's own address ignores it: a list filter
        # may rely on the list's annotations, and ?status= on /cases/7/ means nothing.
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class BulkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class BulkJobSerializer(serializers.ModelSerializer):
    """A batch run by a worker: poll it until `status` is done (or failed); `results` has
    one entry per id, in the order sent, as far as it has got; `results_url` is the same
    as a workbook (with a login session)."""

    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    results = BulkItemSerializer(many=True, read_only=True)
    total = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()

    class Meta:
        model = BulkJob
        fields = [
            "id",
            "kind",
            "action",
            "status",
            "progress",
            "total",
            "done_count",
            "refused_count",
            "error",
            "created_at",
            "finished_at",
            "results",
            "results_url",
        ]
        read_only_fields = fields

    def get_total(self, job) -> int:
        return len(job.ids)

    def get_results_url(self, job) -> str:
        return reverse("bulk_job_results", args=[job.pk])


class BulkJobViewSet(ScopedReadOnlyViewSet):
    """The caller's own batches (POST /api/v1/cases/batch/ beyond the request's size)."""

    queryset = BulkJob.objects.all()
    serializer_class = BulkJobSerializer

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator's made-up request
            return BulkJob.objects.none()
        return super().get_queryset().filter(requested_by=user)


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, generated once per language and version in each process.

    It depends on the code alone (public: every operation whatever the reader's role; no
    choice lists drawn from the data), so it cannot change before the next deployment;
    generating its 230 KB took about 90 ms of every request (bench/every_page.py)."""

    _generated: dict[tuple[str, str, str | None], dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (settings.ROOT_URLCONF, get_language(), version)
        if key not in self._generated:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._generated[key],
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'
            },
        )


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its script served from a URL (no inline script). Swagger UI adds a
    <style> element of its own, so this page alone allows inline styles."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
                "style-src 'self'", "style-src 'self' 'unsafe-inline'", 1
            )
        return response
