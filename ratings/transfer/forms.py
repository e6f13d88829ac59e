"""Forms for moving ratings in and out of NextFilms."""

from pathlib import PurePath

from django import forms

from ratings.transfer.apply import KEEP, OVERWRITE
from ratings.transfer.formats import MAX_BYTES, TransferError, read_ratings_file

IMPORT_EXTENSIONS = (".csv", ".txt", ".tsv", ".zip")


class RatingsImportForm(forms.Form):
    """An export from Letterboxd (zip or CSV), IMDb or a MovieLens-style CSV, parsed on validation.

    After ``is_valid()``, ``parsed`` holds the file's rows (``ParsedFile``).
    """

    file = forms.FileField(
        label="Your export file",
        help_text="Letterboxd's export .zip, or a .csv file, of up to 5 MB and 20,000 rows.",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,.tsv,.zip,text/csv,application/zip"}),
    )

    parsed = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        if suffix and suffix not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(
                "“%(name)s” is not a CSV or zip file: upload the .csv or .zip from your export.",
                params={"name": upload.name},
                code="extension",
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                "The file is %(size).1f MB; the limit is %(limit)d MB. "
                "Split it into smaller files.",
                params={
                    "size": upload.size / 1024 / 1024,
                    "limit": MAX_BYTES // 1024 // 1024,
                },
                code="too_large",
            )
        upload.seek(0)
        try:
            self.parsed = read_ratings_file(upload.read(MAX_BYTES + 1), upload.name)
        except TransferError as exc:
            raise forms.ValidationError(str(exc), code="unreadable")
        return upload


class ImportConfirmForm(forms.Form):
    """Confirms one preview: ``import_id`` names the upload the member was shown."""

    import_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    conflict_policy = forms.ChoiceField(
        label="When the file disagrees with a rating you already have",
        choices=[
            (KEEP, "Keep my current rating"),
            (OVERWRITE, "Use the rating from the file"),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
