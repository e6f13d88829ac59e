from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommender"

    def ready(self):
        from catalog import extensions
        from recommender import page_extras

        extensions.register_page_extras("home", page_extras.home_extras)
        extensions.register_page_extras("movie_detail", page_extras.movie_detail_extras)
        for page in ("person_detail", "film_group"):
            extensions.register_page_extras(page, page_extras.member_order_extras)
