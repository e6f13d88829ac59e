"""How films, people, ratings and lists read in JSON, and what writes accept.

Films carry the member's own state under ``me`` (null for visitors); the views
fetch it with the films in the same query (``ratings.member_state``).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Credit
from catalog.tmdb.images import image_base_url
from ratings.actions import parse_stars

STARS_HELP = "0.5 to 5 stars in half steps."


class GenreSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="What the `genre` and `without` filters take.")
    name = serializers.CharField()


class MemberStateSerializer(serializers.Serializer):
    rating = serializers.FloatField(allow_null=True, help_text="Your rating, if you rated it.")
    favorite = serializers.BooleanField()
    watchlist = serializers.BooleanField()
    not_interested = serializers.BooleanField()


class FilmSerializer(serializers.Serializer):
    """A film as lists show it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    genres = GenreSerializer(many=True, source="genres.all")
    poster_url = serializers.CharField(help_text="TMDB's w342 poster, or empty.")
    url = serializers.SerializerMethodField(help_text="The film's page on the site.")
    rating_count = serializers.IntegerField(help_text="MovieLens's and members' ratings.")
    rating_mean = serializers.FloatField(allow_null=True)
    me = serializers.SerializerMethodField(help_text="Your rating and lists (null for visitors).")

    def get_url(self, movie) -> str:
        return self.context["request"].build_absolute_uri(movie.get_absolute_url())

    @extend_schema_field(MemberStateSerializer(allow_null=True))
    def get_me(self, movie):
        if not self.context["request"].user.is_authenticated:
            return None
        return {
            "rating": movie.user_rating,
            "favorite": movie.is_favorite,
            "watchlist": movie.in_watchlist,
            "not_interested": movie.is_not_interested,
        }

    def to_representation(self, movie):
        data = super().to_representation(movie)
        if data["rating_mean"] is not None:
            data["rating_mean"] = round(data["rating_mean"], 2)
        return data


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tmdb_id = serializers.IntegerField(allow_null=True)
    profile_url = serializers.SerializerMethodField(help_text="TMDB's w185 portrait, or empty.")

    def get_profile_url(self, person) -> str:
        return f"{image_base_url()}w185{person.profile_path}" if person.profile_path else ""

    url = serializers.SerializerMethodField(help_text="The person's page on the site.")

    def get_url(self, person) -> str:
        return self.context["request"].build_absolute_uri(person.get_absolute_url())


class PersonMatchSerializer(PersonSerializer):
    """A person a search found."""

    known_for = serializers.CharField(help_text="“Director”, “Actor” or “Writer”.")
    film_count = serializers.IntegerField(help_text="Films they are credited on.")


class CastSerializer(serializers.Serializer):
    person = PersonSerializer()
    character = serializers.CharField()


class FilmDetailSerializer(FilmSerializer):
    """A film with everything its page shows."""

    overview = serializers.CharField()
    tagline = serializers.CharField()
    runtime = serializers.IntegerField(allow_null=True, help_text="Minutes.")
    release_date = serializers.DateField(allow_null=True)
    original_language = serializers.CharField()
    imdb_id = serializers.CharField()
    tmdb_id = serializers.IntegerField(allow_null=True)
    imdb_url = serializers.CharField()
    tmdb_url = serializers.CharField()
    trailer_url = serializers.CharField()
    rating_histogram = serializers.ListField(
        child=serializers.IntegerField(), help_text="Counts of ratings 0.5, 1.0, … 5.0."
    )
    directors = serializers.SerializerMethodField()
    cast = serializers.SerializerMethodField(help_text="The first 12 billed.")
    predicted_rating = serializers.SerializerMethodField(
        help_text="The rating we think you would give it (members who have not rated it)."
    )

    @extend_schema_field(PersonSerializer(many=True))
    def get_directors(self, movie):
        people = [c.person for c in movie.credits.all() if c.job == "Director"]
        return PersonSerializer(people, many=True, context=self.context).data

    @extend_schema_field(CastSerializer(many=True))
    def get_cast(self, movie):
        cast = [c for c in movie.credits.all() if c.kind == Credit.Kind.CAST][:12]
        return CastSerializer(cast, many=True, context=self.context).data

    def get_predicted_rating(self, movie) -> float | None:
        prediction = self.context.get("predicted_rating")
        return None if prediction is None else round(prediction, 1)


class PersonFilmSerializer(serializers.Serializer):
    film = FilmSerializer()
    roles = serializers.ListField(
        child=serializers.CharField(), help_text="“Director”, a character played, a crew job."
    )


class PersonDetailSerializer(PersonSerializer):
    films = PersonFilmSerializer(many=True, help_text="Most rated first.")


class RatingSerializer(serializers.Serializer):
    film = FilmSerializer(source="movie")
    rating = serializers.FloatField(source="value", help_text=STARS_HELP)
    rated_at = serializers.DateTimeField(
        help_text="When you gave it: on the site, or the date an imported file or a "
        "diary entry gave."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RatingWriteSerializer(serializers.Serializer):
    rating = serializers.FloatField(help_text=STARS_HELP)

    def validate_rating(self, value):
        stars = parse_stars(value)
        if stars is None:
            raise serializers.ValidationError(f"A rating is {STARS_HELP}")
        return stars


class ListEntrySerializer(serializers.Serializer):
    film = FilmSerializer(source="movie")
    added_at = serializers.DateTimeField(source="created_at")


class ReasonSerializer(serializers.Serializer):
    film = serializers.SerializerMethodField()
    rating = serializers.FloatField(help_text="Your rating of that film.")

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "year": {"type": "integer", "nullable": True},
            },
            "required": ["id", "title", "year"],
        }
    )
    def get_film(self, reason):
        movie = reason["film"]
        return {"id": movie.pk, "title": movie.title, "year": movie.year}


class RecommendationSerializer(serializers.Serializer):
    film = FilmSerializer(source="movie")
    predicted_rating = serializers.SerializerMethodField(
        help_text="The rating we think you would give it (null until you have rated films)."
    )
    reason = serializers.SerializerMethodField(
        help_text="Because you rated this film so (null when no rating of yours explains it)."
    )

    def get_predicted_rating(self, recommendation) -> float | None:
        prediction = recommendation.predicted_rating
        return None if prediction is None else round(prediction, 1)

    @extend_schema_field(ReasonSerializer(allow_null=True))
    def get_reason(self, recommendation):
        if recommendation.because is None or recommendation.because_rating is None:
            return None
        return ReasonSerializer(
            {"film": recommendation.because, "rating": recommendation.because_rating}
        ).data


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    ratings = serializers.IntegerField(help_text="How many films you rated.")
    favorites = serializers.IntegerField()
    watchlist = serializers.IntegerField()
    not_interested = serializers.IntegerField()


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(
        help_text="not_found, invalid, not_authenticated, authentication_failed, "
        "permission_denied, method_not_allowed, throttled, parse_error, server_error, …"
    )
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid input: messages per field.",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="For too many requests: seconds to wait."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class DiaryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    film = FilmSerializer(source="movie")
    watched_on = serializers.DateField()
    rating = serializers.FloatField(allow_null=True, help_text="Given with this watch, if any.")
    rewatch = serializers.BooleanField()
    note = serializers.CharField(help_text="Private: only you see it.")
    created_at = serializers.DateTimeField()


class DiaryEntryWriteSerializer(serializers.Serializer):
    """What a watch may say; the diary's own form checks the values (``ratings.forms``)."""

    film = serializers.IntegerField(help_text="The film's id (when logging; not when changing).")
    watched_on = serializers.DateField(required=False, help_text="Default today.")
    rating = serializers.FloatField(required=False, allow_null=True, help_text=STARS_HELP)
    rewatch = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FilmListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    public = serializers.BooleanField(source="is_public")
    owner = serializers.CharField(source="owner.get_username")
    film_count = serializers.IntegerField(source="item_count")
    url = serializers.SerializerMethodField(help_text="The list's page on the site.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_url(self, film_list) -> str:
        return self.context["request"].build_absolute_uri(film_list.get_absolute_url())


class FilmListWriteSerializer(serializers.Serializer):
    title = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    public = serializers.BooleanField(required=False)


class ListItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 for the first film.")
    film = FilmSerializer(source="movie")
    note = serializers.CharField()
    added_at = serializers.DateTimeField()


class ListItemWriteSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        required=False, min_value=1, help_text="Move the film to this place (past the end: last)."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="When adding the film only."
    )


class ListOrderSerializer(serializers.Serializer):
    films = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Every film id of the list, once each, in the new order.",
    )
