"""Other public authorities' published FOI statistics, beside the council's own (issue 16).

``models`` holds the bodies and their figures, ``mapping`` turns each published set's rows
into one shape (pure), ``loader`` writes them (idempotent upsert), ``comparison`` builds the
"how we compare" line from them. The classification of local authorities the sets do not
carry is shipped in ``data/bodies.csv`` (see ``data/README.md``).
"""
