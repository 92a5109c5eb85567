"""JupyterLab settings for `make lab`: the notebooks under notebooks/ are templates that papermill runs.

JupyterLab saves them as they are in git (village_stats.run.lab.pre_save_hook): no outputs, execution counts
or session metadata, the template's own notebook metadata and parameters-cell comments kept, so exploring
in Lab never dirties the tracked notebooks; executed reports belong in output/ (`village-stats run`).
"""

from village_stats.run.lab import pre_save_hook

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)
c.FileContentsManager.pre_save_hook = pre_save_hook
