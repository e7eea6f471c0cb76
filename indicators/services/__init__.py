"""Writes of the indicators app, one module a feature.

- ``definitions``: the indicator rows of the declared definitions;
- ``targets``: targets, each effective from a date;
- ``values``: monthly values and their sign-off trail (entered → checked → approved, revisions);
- ``compute``: the computed monthly values (FR ICT 17–19) from the metric registry;
- ``snapshots``: trend snapshots, taken and backfilled;
- ``review_packs``: frozen DMT reviews;
- ``risks``: the risk register;
- ``briefings``: the Mayor's briefing, frozen for a meeting;
- ``api_tokens``: tokens for the JSON API.
"""
