"""The ``id`` path converter: a database id in a URL.

Django's ``int`` converter accepts any number of digits, and a number past 2**63 reaches
the database as an error (a server error for whoever typed it). Eighteen digits is every
id a database will hand out; anything longer is simply a page that does not exist.
"""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
