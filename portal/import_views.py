"""The import pages every app reuses: upload, template, preview with errors, confirm.

An app subclasses these with its `import_kind`, its permission and its upload form, and
gives them URLs; the permission is checked first (403), then the batch's scope (404).
"""

import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from portal import imports
from portal.attachments import sniff
from portal.generic import PortalMixin, ScopedObjectMixin
from portal.models import ImportBatch


class UploadForm(forms.Form):
    """The file; an app's form adds what else the import needs (context_keys)."""

    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than {mb} MB.").format(mb=settings.IMPORT_MAX_MB)
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the .xlsx template, filled in."))
        # The name is the user's word; the content decides (a renamed PNG, CSV or zip).
        upload.seek(0)
        kind = sniff(upload.read(8), upload)
        upload.seek(0)
        if kind != "xlsx":
            raise forms.ValidationError(
                _(
                    "The file's content is not an Excel workbook (.xlsx): download the "
                    "template, fill it in and upload it."
                )
            )
        return upload

    def context(self):
        """JSON-safe values for the import's context (ids of chosen objects)."""
        return {}


class ImportUploadView(PortalMixin, FormView):
    import_kind: str | None = None
    form_class = UploadForm
    template_name = "portal/import_upload.html"
    preview_url_name: str | None = None
    template_url_name: str | None = None
    permission_for_reads = True

    def spec(self):
        return imports.get(self.import_kind)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_context_data(self, **kwargs):
        spec = self.spec()
        return super().get_context_data(
            spec=spec,
            template_url=reverse(self.template_url_name),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            batch = imports.batch_create(
                spec=self.spec(),
                upload=form.cleaned_data["file"],
                context=form.context(),
                scope_code=self.request.scope.prefix or "",
                acting_user=self.request.user,
            )
        except ValidationError as error:
            # Beyond a limit, damaged or no workbook: refused here, nothing kept.
            form.add_error("file", error)
            return self.form_invalid(form)
        return redirect(self.preview_url_name, pk=batch.pk)


class ImportTemplateView(PortalMixin, View):
    import_kind: str | None = None
    permission_for_reads = True

    def get(self, request):
        spec = imports.get(self.import_kind)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = _("{title} template.xlsx").format(title=spec.title)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        imports.template(spec, request.user).save(response)
        return response


class _BatchMixin(ScopedObjectMixin):
    model = ImportBatch
    import_kind: str | None = None
    upload_url_name: str | None = None
    permission_for_reads = True

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.import_kind)

    def import_context(self, batch):
        """Turn the batch's stored options back into objects, within the user's scope."""
        return {"acting_user": self.request.user, **batch.context}


class ImportPreviewView(_BatchMixin, TemplateView):
    """The batch's progress while a worker checks or writes it; then its rows, a page at a
    time, with every error by row and cell (or only the rows with errors)."""

    template_name = "portal/import_preview.html"
    preview_url_name: str | None = None
    confirm_url_name: str | None = None
    errors_url_name: str | None = None

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        spec = imports.get(self.import_kind)
        if request.htmx:
            if batch.is_busy:
                return self.response_class(
                    request, ["portal/_import_progress.html"], {"batch": batch}
                )
            # Done: the whole page again, with the preview or the result.
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response(self.preview_context(batch, spec))

    def preview_context(self, batch, spec):
        errors_only = self.request.GET.get("errors") == "1"
        preview = imports.preview(
            spec, batch, page=self.request.GET.get("page") or 1, errors_only=errors_only
        )
        return self.get_context_data(
            batch=batch,
            spec=spec,
            preview=preview,
            page=preview.page,
            errors_only=errors_only,
            columns=spec.columns,
            confirm_url=reverse(self.confirm_url_name, args=[batch.pk]),
            errors_url=reverse(self.errors_url_name, args=[batch.pk]),
            preview_url=reverse(self.preview_url_name, args=[batch.pk]),
            upload_url=reverse(self.upload_url_name),
        )


class ImportConfirmView(ImportPreviewView):
    """Confirm: a small batch is written now; a large one by a worker (the preview shows its
    progress). All rows or none: a refusal rolls everything back and names the line."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.get_object()
        spec = imports.get(self.import_kind)
        if batch.committed_at:
            messages.info(request, _("This file was already imported."))
            return redirect(spec.done_url)
        if batch.is_busy:
            return redirect(self.preview_url_name, pk=batch.pk)
        written = imports.commit_start(spec=spec, batch=batch, context=self.import_context(batch))
        if written is None:
            return redirect(self.preview_url_name, pk=batch.pk)
        if not written:
            return self.render_to_response(self.preview_context(batch, spec))
        messages.success(request, _("{count} rows imported.").format(count=written))
        return redirect(spec.done_url)


class ImportErrorsView(_BatchMixin, View):
    """The rows with errors as a workbook (the template's columns and what is wrong), to
    correct and upload again."""

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        spec = imports.get(self.import_kind)
        # Closed by the response once sent; on disk, so that 100,000 rows take no memory.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        imports.error_workbook(spec, batch, handle)
        handle.seek(0)
        filename = _("{title} errors.xlsx").format(title=spec.title)
        response = FileResponse(
            handle,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
