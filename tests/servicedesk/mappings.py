"""The event export the importer tests share: one row per update, with columns Ref, When,
Seq, State and Team. Tests add their own columns, defaults and value maps after it, so the
common layout has one home and each test shows only what it adds."""

EVENT_COLUMNS = """\
shape = "event"
[columns]
reference = "Ref"
updated_at = "When"
sequence = "Seq"
status = "State"
queue = "Team"
"""
