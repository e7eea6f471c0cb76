"""The wording of the RAG rules that metrics of several apps state (``Metric.rag_rule``).

Each metric's rule is shown beside its RAG status, and the service desk's and information
governance's figures are rated alike (a timeliness share against a floor, a backlog against
a ceiling, a volume not at all). Each app spelt the same sentence out again; here each
wording has one home, so a rule rephrased reads the same on every figure.
"""

VOLUME = "Not RAG rated: a volume measure, shown for context, with no target."


def at_least_target(amber: str) -> str:
    """A figure where higher is better, amber up to ``amber`` ("5 percentage points") below."""
    return f"Green at or above the target; amber up to {amber} below it; red further below."


def at_most_target(amber: str) -> str:
    """A figure where lower is better, amber up to ``amber`` ("10 requests") above."""
    return f"Green at or below the target; amber up to {amber} above it; red further above."
