"""The "For you" filters, kept in the URL."""

from django import forms

from catalog.forms import FilmFilterForm, genre_choice_field
from recommender.serving import Filters

POPULARITY_CHOICES = [
    ("-2", "Hidden gems"),
    ("-1", "Lesser known"),
    ("0", "Balanced"),
    ("1", "Well known"),
    ("2", "Crowd pleasers"),
]


class RecommendationFilterForm(FilmFilterForm):
    without = genre_choice_field("Leave out")
    popularity = forms.TypedChoiceField(
        choices=POPULARITY_CHOICES,
        coerce=int,
        empty_value=0,
        initial="0",
        required=False,
        label="Popular ↔ obscure",
        widget=forms.RadioSelect,
    )
    watchlist = forms.BooleanField(required=False, label="Include my watchlist")
    sort = forms.ChoiceField(
        choices=[("", "Best for you"), ("predicted", "Predicted rating")],
        required=False,
        label="Order",
        widget=forms.RadioSelect,
    )

    def to_filters(self):
        """The valid filters (none for an unbound or invalid form)."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        year_from, year_to = self.year_range()
        return Filters(
            genres=tuple(genre.pk for genre in self.chosen_genres()),
            all_genres=self.matches_all_genres(),
            exclude_genres=tuple(genre.pk for genre in data.get("without") or ()),
            year_from=year_from,
            year_to=year_to,
            popularity=data.get("popularity") or 0,
            min_ratings=data.get("min_ratings") or 0,
            include_watchlist=bool(data.get("watchlist")),
            sort=data.get("sort") or "",
        )
