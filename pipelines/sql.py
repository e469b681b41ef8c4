"""Names in SQL text, where DuckDB cannot take a parameter (values and paths always go as parameters)."""
from __future__ import annotations


def quote_identifier(name: str) -> str:
    """'raw' -> '"raw"'; an embedded double quote is doubled, so any name stays one identifier."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"
