"""URL converters shared by every blueprint: an id outside the databases' integer range never
reaches a query (it is a 404)."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the databases' integer range


class IdConverter(IntegerConverter):
    """`<int:...>` for database ids: 1..2**31-1. Anything else does not match (404), so an
    id beyond the integer range never reaches a query (it would overflow: a 500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
