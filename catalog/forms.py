"""Forms that validate the catalog's query strings."""

from django import forms
from django.db.models import Exists, OuterRef

from catalog.models import Genre, Movie

DECADES = [(str(decade), f"{decade}s") for decade in range(2020, 1900, -10)]
SORTS = {
    "popular": ("Most rated", ["-rating_count", "-score", "id"]),
    "rating": ("Top rated", ["-score", "-rating_count", "id"]),
    "newest": ("Newest", ["-year", "-rating_count", "id"]),
    "oldest": ("Oldest", ["year", "-rating_count", "id"]),
    "title": ("Title A–Z", ["title", "year", "id"]),
}


GENRE_MATCHES = [("any", "Any of the chosen genres"), ("all", "All of the chosen genres")]


def genre_choice_field(label, **kwargs):
    return forms.ModelMultipleChoiceField(
        queryset=Genre.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        **kwargs,
    )


class FilmFilterForm(forms.Form):
    """The filters every list of films shares: genres, decade or years, minimum ratings.

    Choosing several genres means "any of them" unless ``genre_match`` asks for all,
    on Browse and For you alike.
    """

    genre = genre_choice_field("Genres")
    genre_match = forms.ChoiceField(
        choices=GENRE_MATCHES,
        initial="any",
        required=False,
        widget=forms.RadioSelect,
        label="Films with",
    )
    decade = forms.TypedChoiceField(
        choices=[("", "Any decade"), *DECADES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a decade from the list."},
    )
    year_from = forms.IntegerField(min_value=1870, max_value=2100, required=False, label="From")
    year_to = forms.IntegerField(min_value=1870, max_value=2100, required=False, label="To")
    min_ratings = forms.IntegerField(
        min_value=0, required=False, label="At least this many ratings"
    )

    # Choices that only order the list, or are the defaults, do not count as filters.
    NOT_FILTERS = frozenset({"sort", "genre_match"})

    def active_filter_count(self):
        """How many filters the visitor has set (shown on the collapsed filter panel)."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name in self.fields
            if name not in self.NOT_FILTERS
            and any(value not in ("", "0") for value in self.data.getlist(name))
        )

    def clean(self):
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from and year_to and year_from > year_to:
            self.add_error("year_to", "The end year is before the start year.")
        return data

    def chosen_genres(self):
        """The valid chosen genres (none for an unbound or invalid form)."""
        if not self.is_bound or not self.is_valid():
            return []
        return list(self.cleaned_data.get("genre") or [])

    def matches_all_genres(self):
        return self.is_bound and self.is_valid() and self.cleaned_data["genre_match"] == "all"

    def year_range(self):
        """``(first, last)`` year asked for; a decade wins over explicit years."""
        data = self.cleaned_data
        if data.get("decade"):
            return data["decade"], data["decade"] + 9
        return data.get("year_from"), data.get("year_to")


class BrowseForm(FilmFilterForm):
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SORTS.items()], required=False
    )

    def filter(self, queryset):
        """Apply the valid filters to ``queryset`` and order it."""
        data = self.cleaned_data
        genres = self.chosen_genres()
        if genres and self.matches_all_genres():
            for genre in genres:
                queryset = queryset.filter(genres=genre)
        elif genres:
            tagged = Movie.genres.through.objects.filter(movie=OuterRef("pk"), genre__in=genres)
            queryset = queryset.filter(Exists(tagged))
        year_from, year_to = self.year_range()
        if year_from:
            queryset = queryset.filter(year__gte=year_from)
        if year_to:
            queryset = queryset.filter(year__lte=year_to)
        if data.get("min_ratings"):
            queryset = queryset.filter(rating_count__gte=data["min_ratings"])
        return queryset.order_by(*SORTS[data.get("sort") or "popular"][1])


MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        max_length=MAX_QUERY_LENGTH,
        required=False,
        label="Search films",
        error_messages={
            "max_length": "Your search is %(show_value)d characters long; the limit is "
            "%(limit_value)d. A few words of the title are enough.",
        },
    )
