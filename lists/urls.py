from django.urls import path

from lists import views

app_name = "lists"

urlpatterns = [
    path("lists/", views.my_lists, name="mine"),
    path("lists/new/", views.create, name="create"),
    path("lists/import/", views.import_list, name="import"),
    path("lists/<int:pk>/export.csv", views.export, name="export"),
    path("lists/<int:pk>/", views.detail, name="detail"),
    path("lists/<int:pk>/edit/", views.edit, name="edit"),
    path("lists/<int:pk>/delete/", views.delete, name="delete"),
    path("lists/<int:pk>/order/", views.reorder, name="reorder"),
    path("lists/<int:pk>/items/<int:item_pk>/move/", views.move, name="move"),
    path("lists/<int:pk>/items/<int:item_pk>/remove/", views.remove, name="remove"),
    path("films/<int:movie_pk>/add-to-list/", views.add_movie, name="add_movie"),
]
