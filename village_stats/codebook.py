"""The codebook: the data contract of :mod:`village_stats.schema` as Markdown, for people.

``village-stats codebook`` prints it and ``make codebook`` writes it into ``data/README.md``, between the
codebook markers; ``tests/test_packaging.py`` checks that the file holds what this module generates.
"""

from __future__ import annotations

from . import schema
from .schema import Column


def _bound_text(c: Column) -> str:
    """The plausible range of a numeric column, as the codebook states it.

    >>> _bound_text(schema.HOUSEHOLDS.column("members"))
    '; at most 30'
    """
    if c.upper is None:
        return ""
    return f"; |value| at most {int(c.upper):,}" if c.kind == "number" else f"; at most {int(c.upper):,}"


def codebook_markdown() -> str:
    """The codebook of every table, as Markdown (the generated part of ``data/README.md``)."""
    lines = ["### village.yaml", "", "| key | required | meaning |", "|---|---|---|"]
    for key, meaning, required in schema.VILLAGE_FIELDS:
        lines.append(f"| `{key}` | {'yes' if required else 'no'} | {meaning} |")
    lines.append("")
    tables = (*schema.TABLES.values(), *schema.POLICY_TABLES.values())
    for t in tables:
        lines += [f"### {t.filename} · {t.zh} ({'required' if t.required else 'optional'})", "",
                  f"{t.description} Grain: {t.grain}."]
        if t.unique:
            lines.append(f"Unique: {', '.join(t.unique)}.")
        for n in t.notes:
            lines.append(n)
        lines += ["", "| column | 中文表头 | required | empty allowed | unit | meaning | allowed values |",
                  "|---|---|---|---|---|---|---|"]
        for c in t.columns:
            lines.append(
                f"| `{c.name}` | {c.zh} | {'yes' if c.required else 'no'} | {'yes' if c.nullable else 'no'} "
                f"| {c.unit or ''} | {c.description}{' **Personal data: never reported.**' if c.sensitive else ''} "
                f"| {c.expectation}{_bound_text(c)} |")
        lines.append("")
    vocabs = {c.vocab.name: c.vocab for t in tables for c in t.columns
              if c.vocab is not None and c.vocab is not schema.REGIONS}
    vocabs[schema.REGIONS.name] = schema.REGIONS
    for v in vocabs.values():
        lines += [f"#### Vocabulary `{v.name}`", "", "| id | 中文 | English | also accepted |",
                  "|---|---|---|---|"]
        for term in v.terms:
            lines.append(f"| `{term.id}` | {term.zh} | {term.en} | {', '.join(term.aliases)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
