"""Monthly user-satisfaction surveys of the people whose tickets closed (DESIGN.md, Jobs).

``sampling`` and ``stats`` are pure calculators (the sample and the Wilson interval);
``services`` samples a month and records answers; ``selectors`` reads the results; the
public survey page and the DMT and queue-owner pages are in ``views``.
"""
