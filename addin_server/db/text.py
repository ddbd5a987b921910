"""Text comparison that behaves the same on SQLite and PostgreSQL.

SQLite's built-in lower() folds only A-Z, so "Émilie" or "Иван" would never match a search typed
as written. `folded(x)` lowers case with every Unicode letter on both databases: PostgreSQL's own
lower() (one letter for one letter, under the database's UTF-8 collation), and on SQLite a Python
function with the same one-for-one mapping, registered on each connection by db.engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FOLD = "sidebar_lower"


def simple_lower(text: str | None) -> str | None:
    """Lower case one letter for one letter, as PostgreSQL's lower() does: Python's str.lower() turns
    "İ" into two characters ("i" and a combining dot), which would then not match "ismail"."""
    if text is None:
        return None
    return text.replace("\u0130", "i").lower()


class folded(FunctionElement[str]):  # lower case, like SQLAlchemy's func.lower
    """lower() that knows every alphabet, on both databases (see the module's docstring)."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"
