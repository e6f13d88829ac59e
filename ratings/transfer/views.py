"""Import ratings from a CSV export (upload → preview → confirm) and export them as CSV.

Between upload and confirm the session keeps only ids, values and line numbers
(``ImportReport.to_pending``), never the file or model instances; the preview
and the confirmation rebuild the report from today's catalog and ratings. Each
upload has an id of its own that the preview's Confirm sends back, so Confirm
applies the file the member saw, never one uploaded since in another tab.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ratings.transfer.apply import apply
from ratings.transfer.export import export_zip
from ratings.transfer.formats import MAX_BYTES
from ratings.transfer.forms import ImportConfirmForm, RatingsImportForm
from ratings.transfer.matching import build_report
from ratings.transfer.report import ImportReport

PENDING_IMPORT_KEY = "ratings_import"
PREVIEW_ROWS = 300
# A request with one file of the largest size allowed, its form fields and
# multipart boundaries; anything longer is refused before it is read.
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024


class SingleFileUploadHandler(MemoryFileUploadHandler):
    """Keeps one uploaded file in memory, never in a temporary file, at most ``limit`` bytes.

    Bytes past the limit are dropped; the upload's ``size`` still counts them, so
    the form can say the file is too large. A second file part stops the upload
    before any of it is read, and ``refusal`` says why for the page.
    """

    limit = MAX_BYTES + 1

    def __init__(self, request=None):
        super().__init__(request)
        self.files_started = 0
        self.refusal = ""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def new_file(self, *args, **kwargs):
        self.files_started += 1
        if self.files_started > 1:
            self.refusal = "Upload one file at a time: this form takes a single CSV file."
            # The rest of the body is left unread: Django would otherwise drain it
            # line by line, seconds of CPU for a body of short lines.
            raise StopUpload(connection_reset=True)
        self.kept = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        room = self.limit - self.kept
        if room > 0:
            self.file.write(raw_data[:room])
            self.kept += min(room, len(raw_data))


def _declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


# The upload handlers must be set before anything reads request.POST, which
# CsrfViewMiddleware does: so the middleware is skipped and the view itself is
# CSRF-protected, as Django's upload-handler documentation shows.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if request.method == "POST" and _declared_length(request) > MAX_REQUEST_BYTES:
        # Refused from its declared length alone: not a byte of the body is read.
        refusal = (
            f"The upload is {_declared_length(request) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split the file into smaller files."
        )
        return _render_upload(request, RatingsImportForm(), refusal, status=413)
    handler = SingleFileUploadHandler(request)
    request.upload_handlers = [handler]
    return _import_upload(request, handler)


@csrf_protect
def _import_upload(request, handler):
    if request.method != "POST":
        return _render_upload(request, RatingsImportForm())
    data, files = request.POST, request.FILES  # the body is parsed through ``handler``
    if handler.refusal:
        return _render_upload(request, RatingsImportForm(), handler.refusal, status=400)
    form = RatingsImportForm(data, files)
    if form.is_valid():
        report = build_report(form.parsed, request.user)
        # Each upload gets its own id, which its preview's Confirm must send back:
        # an upload in another tab replaces the pending import, never what a
        # Confirm already on screen applies.
        request.session[PENDING_IMPORT_KEY] = {
            **report.to_pending(request.user),
            "id": secrets.token_urlsafe(16),
        }
        return redirect("ratings:import_preview")
    return _render_upload(request, form)


def _render_upload(request, form, refusal="", status=200):
    context = {
        "form": form,
        "refusal": refusal,
        "has_pending": PENDING_IMPORT_KEY in request.session,
    }
    return render(request, "ratings/import.html", context, status=status)


def _pending_import(request):
    """``(report, id)`` of the member's pending import, or ``(None, "")`` if none is usable."""
    pending = request.session.get(PENDING_IMPORT_KEY)
    import_id = pending.get("id") if isinstance(pending, dict) else None
    if not isinstance(import_id, str) or not import_id:
        return None, ""
    report = ImportReport.from_pending(pending, request.user)
    return (report, import_id) if report is not None else (None, "")


def _is_shown_preview(request, import_id):
    return constant_time_compare(request.POST.get("import_id", ""), import_id)


@login_required
@require_GET
def import_preview(request):
    report, import_id = _pending_import(request)
    if report is None:
        request.session.pop(PENDING_IMPORT_KEY, None)
        return redirect("ratings:import")
    return _render_preview(request, report, ImportConfirmForm(initial={"import_id": import_id}))


def _render_preview(request, report, form, status=200):
    new, conflicts = report.new, report.conflicts
    new_watches = report.new_watches
    context = {
        "new_watch_rows": new_watches[:PREVIEW_ROWS],
        "new_watch_count": len(new_watches),
        "logged_watch_count": len(report.watches) - len(new_watches),
        "new_watchlist_count": len(report.new_watchlist),
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
    report, import_id = _pending_import(request)
    if report is not None and not _is_shown_preview(request, import_id):
        messages.error(
            request,
            "Nothing was saved: another upload (in another tab or window?) has replaced "
            "the file you were looking at. Check this one before you confirm it.",
        )
        return redirect("ratings:import_preview")
    if "cancel" in request.POST:
        request.session.pop(PENDING_IMPORT_KEY, None)
        messages.info(request, "Import cancelled: nothing was changed.")
        return redirect("ratings:import")
    if report is None:
        messages.error(request, "There is no import waiting: upload a file first.")
        return redirect("ratings:import")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return _render_preview(request, report, form, status=400)
    result = apply(report, request.user, form.cleaned_data["conflict_policy"])
    request.session.pop(PENDING_IMPORT_KEY, None)
    summary = (
        f"Import done: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} already the same, {result.skipped} kept as they were."
    )
    if result.watches or report.watches:
        summary += f" {result.watches} watch{'es' if result.watches != 1 else ''} logged."
    if result.watchlist or report.watchlist:
        summary += f" {result.watchlist} added to your watchlist."
    messages.success(request, summary)
    return redirect("ratings:my_ratings")


@login_required
@require_GET
@never_cache
def export_archive(request):
    """Letterboxd's export layout: ratings.csv, diary.csv, watchlist.csv and more, in one zip."""
    filename = f"nextfilms-export-{timezone.localdate():%Y-%m-%d}.zip"
    response = HttpResponse(export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns_transfer = [
    path("me/import/", import_upload, name="import"),
    path("me/import/preview/", import_preview, name="import_preview"),
    path("me/import/confirm/", import_confirm, name="import_confirm"),
    path("me/export.zip", export_archive, name="export"),
]
