from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from catalog.models import Company, Credit, Genre, Keyword, Movie, Person
        from catalog.page_cache import catalog_changed, member_row_changed

        # Edits one object at a time (the admin, mostly) start a new generation
        # of cached visitor pages; bulk writers call catalog_changed themselves.
        # TMDB sync only forgets the film's own page (catalog.tmdb.runs): a
        # backfill stores thousands of films and would otherwise keep the cache
        # empty; list pages pick up new posters when their pages expire.
        for model in (Movie, Genre, Person, Credit, Keyword, Company):
            post_save.connect(catalog_changed, sender=model)
            post_delete.connect(catalog_changed, sender=model)
        m2m_changed.connect(catalog_changed, sender=Movie.genres.through)
        # Any row with a member's user_id (a rating, a list, a diary entry...),
        # saved or deleted one at a time, sets their cached pages aside; their
        # own requests that write do too (nextfilms.middleware).
        post_save.connect(member_row_changed, dispatch_uid="member_row_saved")
        post_delete.connect(member_row_changed, dispatch_uid="member_row_deleted")
