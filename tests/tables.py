"""What the tests ask of a django-tables2 table: the columns a reader may sort by.

Taken from the table itself, so a test that sorts by every column also covers a column added
later, and no test keeps its own copy of the table's column list.
"""


def sortable_columns(table) -> list[str]:
    """The names of ``table``'s columns that sort (every one not marked ``orderable=False``)."""
    return [name for name, column in table.base_columns.items() if column.orderable is not False]
