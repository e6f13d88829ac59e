"""Import ratings from a CSV export (upload → preview → confirm) and export them as CSV.

Between upload and confirm the session keeps only ids, values and line numbers
(``ImportReport.to_pending``), never the file or model instances; the preview
and the confirmation rebuild the report from today's catalog and ratings.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ratings import transfer
from ratings.forms import ImportConfirmForm, RatingsImportForm

PENDING_IMPORT_KEY = "ratings_import"
PREVIEW_ROWS = 300


class BoundedMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps an upload in memory, never in a temporary file, and at most ``limit`` bytes.

    Bytes past the limit are dropped; the upload's ``size`` still counts them, so
    the form can say the file is too large.
    """

    limit = transfer.MAX_BYTES + 1

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def new_file(self, *args, **kwargs):
        self.kept = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        room = self.limit - self.kept
        if room > 0:
            self.file.write(raw_data[:room])
            self.kept += min(room, len(raw_data))


# The upload handlers must be set before anything reads request.POST, which
# CsrfViewMiddleware does: so the middleware is skipped and the view itself is
# CSRF-protected, as Django's upload-handler documentation shows.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    request.upload_handlers = [BoundedMemoryUploadHandler(request)]
    return _import_upload(request)


@csrf_protect
def _import_upload(request):
    if request.method == "POST":
        form = RatingsImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = transfer.build_report(form.parsed, request.user)
            request.session[PENDING_IMPORT_KEY] = report.to_pending(request.user)
            return redirect("ratings:import_preview")
    else:
        form = RatingsImportForm()
    return render(
        request,
        "ratings/import.html",
        {"form": form, "has_pending": PENDING_IMPORT_KEY in request.session},
    )


def _pending_report(request):
    return transfer.ImportReport.from_pending(request.session.get(PENDING_IMPORT_KEY), request.user)


@login_required
@require_GET
def import_preview(request):
    report = _pending_report(request)
    if report is None:
        request.session.pop(PENDING_IMPORT_KEY, None)
        return redirect("ratings:import")
    return _render_preview(request, report, ImportConfirmForm())


def _render_preview(request, report, form, status=200):
    new, conflicts = report.new, report.conflicts
    context = {
        "report": report,
        "form": form,
        "new_rows": new[:PREVIEW_ROWS],
        "new_count": len(new),
        "conflict_rows": conflicts[:PREVIEW_ROWS],
        "conflict_count": len(conflicts),
        "unchanged_count": len(report.unchanged),
    }
    return render(request, "ratings/import_preview.html", context, status=status)


@login_required
@require_POST
def import_confirm(request):
    if "cancel" in request.POST:
        request.session.pop(PENDING_IMPORT_KEY, None)
        messages.info(request, "Import cancelled: nothing was changed.")
        return redirect("ratings:import")
    report = _pending_report(request)
    if report is None:
        messages.error(request, "There is no import waiting: upload a file first.")
        return redirect("ratings:import")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return _render_preview(request, report, form, status=400)
    result = transfer.apply(report, request.user, form.cleaned_data["conflict_policy"])
    request.session.pop(PENDING_IMPORT_KEY, None)
    messages.success(
        request,
        f"Import done: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} already the same, {result.skipped} kept as they were.",
    )
    return redirect("ratings:my_ratings")


@login_required
@require_GET
@never_cache
def export_csv(request):
    filename = f"nextfilms-export-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(transfer.export(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns_transfer = [
    path("me/import/", import_upload, name="import"),
    path("me/import/preview/", import_preview, name="import_preview"),
    path("me/import/confirm/", import_confirm, name="import_confirm"),
    path("me/export.csv", export_csv, name="export"),
]
