"""No integer reaches PostgreSQL wrapped round.

With server-side binding (``DATABASE_PREPARED_STATEMENTS``, on by default) Django hands
each value of an integer field to psycopg wrapped as that column's type (``Int2``,
``Int4``, ``Int8``), so the server is told the parameter's type rather than guessing it.
psycopg's binary dumpers for those wrappers pack the number into 2, 4 or 8 bytes without
checking that it fits: 99,999,999,999 saved into an ``integer`` column arrived as
1,215,752,191, with no error. (With client-side binding the number is sent as text and
PostgreSQL refuses it; that is the behaviour this module restores.)

The dumpers registered here check the range first and raise psycopg's
``NumericValueOutOfRange``, the error PostgreSQL itself gives, which Django turns into a
``DataError`` like any other refused value: nothing is written, and the transaction rolls
back as it would for a value the server refused. Forms and services check their own
ranges before this, with messages a person can act on; this is the floor under them.
"""

from __future__ import annotations

from importlib.util import find_spec


def guard_integer_parameters() -> None:
    """Register range-checking dumpers for psycopg's sized integer wrappers, once per
    process, for every connection made after it (Django's included)."""
    if find_spec("psycopg") is None:
        return
    import psycopg  # noqa: PLC0415
    from psycopg import errors  # noqa: PLC0415
    from psycopg.types import numeric  # noqa: PLC0415

    def checked(base: type, bits: int) -> type:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

        class Checked(base):
            def dump(self, obj):
                if not low <= int(obj) <= high:
                    raise errors.NumericValueOutOfRange(f"{int(obj)} is out of range for a {bits}-bit integer column")
                return super().dump(obj)

        Checked.__name__ = Checked.__qualname__ = f"Checked{base.__name__}"
        return Checked

    for wrapper, bits, text, binary in (
        (numeric.Int2, 16, numeric.Int2Dumper, numeric.Int2BinaryDumper),
        (numeric.Int4, 32, numeric.Int4Dumper, numeric.Int4BinaryDumper),
        (numeric.Int8, 64, numeric.Int8Dumper, numeric.Int8BinaryDumper),
    ):
        psycopg.adapters.register_dumper(wrapper, checked(text, bits))
        psycopg.adapters.register_dumper(wrapper, checked(binary, bits))
