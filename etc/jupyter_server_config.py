"""JupyterLab settings for `make lab`: the notebooks under notebooks/ are templates that papermill runs.

JupyterLab saves them without outputs or execution counts (whatever an analyst ran), so exploring in Lab
never dirties the tracked notebooks; executed reports belong in output/ (`village-stats run`).
"""


def _save_templates_clean(model, path, contents_manager, **kwargs):
    """Strip outputs and execution counts from notebooks/*.ipynb before they are written."""
    if model.get("type") != "notebook" or not path.replace("\\", "/").lstrip("/").startswith("notebooks/"):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)


c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)
c.FileContentsManager.pre_save_hook = _save_templates_clean
