"""The "For you" filters, kept in the URL."""

from django import forms

from catalog.forms import DECADES
from catalog.models import Genre
from recommender.serving import Filters

POPULARITY_CHOICES = [
    ("-2", "Hidden gems"),
    ("-1", "Lesser known"),
    ("0", "Balanced"),
    ("1", "Well known"),
    ("2", "Crowd pleasers"),
]


class RecommendationFilterForm(forms.Form):
    genre = forms.ModelMultipleChoiceField(
        queryset=Genre.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only these genres",
    )
    without = forms.ModelMultipleChoiceField(
        queryset=Genre.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Leave out",
    )
    decade = forms.TypedChoiceField(
        choices=[("", "Any decade"), *DECADES], coerce=int, empty_value=None, required=False
    )
    year_from = forms.IntegerField(min_value=1870, max_value=2100, required=False, label="From")
    year_to = forms.IntegerField(min_value=1870, max_value=2100, required=False, label="To")
    popularity = forms.TypedChoiceField(
        choices=POPULARITY_CHOICES,
        coerce=int,
        empty_value=0,
        required=False,
        label="Popular ↔ obscure",
        widget=forms.RadioSelect,
    )
    min_ratings = forms.IntegerField(
        min_value=0, required=False, label="At least this many ratings"
    )
    watchlist = forms.BooleanField(required=False, label="Include my watchlist")

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", "The end year is before the start year.")
        return data

    def to_filters(self):
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if data.get("decade"):
            year_from, year_to = data["decade"], data["decade"] + 9
        return Filters(
            genres=tuple(genre.pk for genre in data.get("genre") or ()),
            exclude_genres=tuple(genre.pk for genre in data.get("without") or ()),
            year_from=year_from,
            year_to=year_to,
            popularity=data.get("popularity") or 0,
            min_ratings=data.get("min_ratings") or 0,
            include_watchlist=bool(data.get("watchlist")),
        )
