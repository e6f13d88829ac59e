"""Pages of results: ``?page=2&page_size=50`` (at most 100), with count, next and previous."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
