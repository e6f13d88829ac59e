from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Ratings"

    def ready(self):
        from ratings import aggregates
        from ratings.models import Rating

        # A film's figures count members' ratings from the moment they rate;
        # bulk writers (the CSV import) call aggregates.refresh_films themselves.
        post_save.connect(aggregates.rating_changed, sender=Rating)
        post_delete.connect(aggregates.rating_changed, sender=Rating)
