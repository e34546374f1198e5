from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages in order of id: unique and never changing, so a walk through every page sees each
    record exactly once even while new ones are added (they come at the end)."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = (
        "Where the page starts: take it from the next or previous link, never make it up."
    )
    page_size_query_description = "How many results a page holds: 100 unless said, 500 at most."
    invalid_cursor_message = "This cursor is not valid: follow the next and previous links."

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF trusts the position inside a cursor; a forged one must not reach the database.
        position = cursor.position if cursor is not None else None
        if position is not None and not (str(position).isascii() and str(position).isdigit()):
            raise NotFound(self.invalid_cursor_message)
        return cursor
