from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = "Lists"

    def ready(self):
        from catalog import extensions
        from lists import views

        extensions.register_page_extras("movie_detail", views.movie_detail_extras)
