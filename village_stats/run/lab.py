"""JupyterLab leaves the report templates alone: what a save of ``notebooks/*.ipynb`` keeps of a session.

The templates under ``notebooks/`` are run by papermill; an analyst opens them in Lab (``make lab``), runs
them and saves. :func:`clean_template` is the save hook (``etc/jupyter_server_config.py``): before the file
is written it drops what a session adds (outputs, execution counts, the kernel's ``language_info``, cell
metadata such as ``execution``/``scrolled``, papermill's injected cell) and puts back what a session may
lose (the template's notebook metadata, the comments of its parameters cell), so opening, running and
saving a template changes nothing tracked; edits to the code itself are kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: Cell metadata a template keeps (tags carry ``parameters``; the rest is session state).
KEPT_CELL_METADATA = ("tags",)
#: A line of a parameters cell: ``name: type = value  # comment`` (papermill's own pattern, simplified).
PARAMETER_LINE = re.compile(r"^(?P<head>(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=[^#]*?)\s*(?:#\s?(?P<comment>.*))?$")


def is_template(path: str) -> bool:
    """Whether a Lab path is a report template (``notebooks/<name>.ipynb``).

    >>> is_template("notebooks/period_report.ipynb"), is_template("/notebooks/x.ipynb"), is_template("output/a.ipynb")
    (True, True, False)
    """
    p = path.replace("\\", "/").lstrip("/")
    return p.startswith("notebooks/") and p.endswith(".ipynb")


def _source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def restore_parameter_comments(source: str, template_source: str) -> str:
    """The parameters cell as saved, each parameter line without a comment given the template's comment.

    >>> restore_parameter_comments('village: str = "demo"\\nlang = "en"',
    ...                            'village: str = "x"  # 村庄编号\\nlang: str = "zh"  # 报告语言')
    'village: str = "demo"  # 村庄编号\\nlang = "en"  # 报告语言'
    """
    comments = {}
    for line in template_source.splitlines():
        m = PARAMETER_LINE.match(line)
        if m and m.group("comment"):
            comments[m.group("name")] = m.group("comment")
    out = []
    for line in source.splitlines():
        m = PARAMETER_LINE.match(line)
        if m and not m.group("comment") and m.group("name") in comments:
            line = f"{m.group('head').rstrip()}  # {comments[m.group('name')]}"
        out.append(line)
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def clean_template(content: dict, template: dict | None) -> dict:
    """A notebook as a template is saved (in place, returned): outputs and execution counts gone, cell
    metadata reduced to :data:`KEPT_CELL_METADATA`, papermill's injected cell dropped, the notebook metadata
    and the parameters cell's comments taken from ``template`` (the file as it is on disk) when given."""
    cells = [c for c in content.get("cells", []) if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    template_cells = {c.get("id"): c for c in (template or {}).get("cells", [])}
    template_params = next((c for c in (template or {}).get("cells", [])
                            if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    for cell in cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        was = template_cells.get(cell.get("id"), {}).get("metadata", {})
        cell["metadata"] = {k: v for k, v in meta.items() if k in KEPT_CELL_METADATA or k in was}
        if "parameters" in meta.get("tags", []) and template_params is not None:
            restored = restore_parameter_comments(_source(cell), _source(template_params))
            cell["source"] = restored
    content["cells"] = cells
    if template is not None and "metadata" in template:
        content["metadata"] = template["metadata"]
    return content


def pre_save_hook(model: dict, path: str, contents_manager, **kwargs) -> None:
    """The Jupyter server's ``FileContentsManager.pre_save_hook``: :func:`clean_template` for templates."""
    if model.get("type") != "notebook" or not is_template(path):
        return
    template = None
    try:
        on_disk = Path(contents_manager._get_os_path(path))
        if on_disk.is_file():
            template = json.loads(on_disk.read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        template = None
    clean_template(model["content"], template)
