from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Ratings"

    def ready(self):
        from catalog import extensions
        from ratings import aggregates, also_loved, diary_views, seen
        from ratings.member_state import with_member_state, without_dismissed
        from ratings.models import Rating

        extensions.register_member_state(annotate=with_member_state, dismissed=without_dismissed)
        extensions.register_page_extras("movie_detail", diary_views.movie_detail_extras)
        extensions.register_page_extras("movie_detail", also_loved.movie_detail_extras)
        extensions.register_page_extras("person_detail", seen.seen_extras)

        # A film's figures count members' ratings from the moment they rate;
        # bulk writers (the CSV import) call aggregates.refresh_films themselves.
        post_save.connect(aggregates.rating_changed, sender=Rating)
        post_delete.connect(aggregates.rating_changed, sender=Rating)
