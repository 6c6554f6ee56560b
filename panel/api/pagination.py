"""Pages of a list: `?page=2&page_size=100` (at most 200); the answer has `count`, `next`,
`previous` and `results`. A page past the end is a 404 problem."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
