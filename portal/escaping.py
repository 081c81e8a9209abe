"""HTML escaping for rows written out in Python (vms/rowhtml.py, portal/live.py), where a
list page escapes some thousand values: django.utils.html.conditional_escape's output,
without its wrapper for lazy strings (an `any()` over the arguments on every call)."""

import html


def esc(value) -> str:
    """Safe HTML (anything with __html__) as it is; anything else as Django escapes it."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
