"""Forms of a member's own films: the diary."""

import datetime

from django import forms
from django.utils import timezone

from ratings.models import HALF_STARS, NOTE_MAX_LENGTH, DiaryEntry

EARLIEST_WATCH = datetime.date(1888, 1, 1)


class DiaryEntryForm(forms.ModelForm):
    """A watch: the day (today unless changed), an optional rating, rewatch, a private note."""

    rating = forms.TypedChoiceField(
        label="Rating",
        required=False,
        choices=[("", "No rating")] + [(f"{s:g}", f"★{s:g}") for s in reversed(HALF_STARS)],
        coerce=float,
        empty_value=None,
    )

    class Meta:
        model = DiaryEntry
        fields = ["watched_on", "rating", "rewatch", "note"]
        labels = {
            "watched_on": "Watched on",
            "rewatch": "I had seen it before",
            "note": "Private note",
        }
        help_texts = {
            "rewatch": "",
            "note": f"Only you see it (up to {NOTE_MAX_LENGTH} characters).",
        }
        widgets = {
            "watched_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("watched_on", timezone.localdate())
        if self.instance.rating is not None:
            self.initial["rating"] = f"{self.instance.rating:g}"
        self.fields["watched_on"].widget.attrs["max"] = self._latest_day().isoformat()

    @staticmethod
    def _latest_day():
        # A day ahead of the server: the member's evening may be tomorrow here.
        return timezone.localdate() + datetime.timedelta(days=1)

    def clean_watched_on(self):
        day = self.cleaned_data["watched_on"]
        if day > self._latest_day():
            raise forms.ValidationError("That day has not come yet.", code="future")
        if day < EARLIEST_WATCH:
            raise forms.ValidationError("Films were not shown before 1888.", code="too_early")
        return day
