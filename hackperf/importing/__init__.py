"""What ticket import (``servicedesk.importers``) and case import (``infogov.importers``) share.

* ``mapping``: the TOML mapping's loader and validator: presets or a path, the sections every
  mapping has (``[file]``, ``[dates]`` with its time zone and DST policy, ``null_markers``,
  ``[columns]``, ``[defaults]``, ``[values.*]``), checked with pydantic and refused with one
  :class:`~hackperf.importing.mapping.MappingError` that names the file, the key and why.
* ``rows``: one :class:`~hackperf.importing.rows.RowError` for a bad row, and
  :class:`~hackperf.importing.rows.RowErrors`, which keeps the first thousand and counts the rest.

Each app keeps its own vocabulary (its fields, and what its values map to) and passes it in:
``hackperf`` imports neither app.
"""
