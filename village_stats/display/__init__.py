"""What notebooks show: SC fonts, charts (matplotlib Figures) and labelled tables.

Imported inside IPython/JupyterLab, it makes a matplotlib Figure display as a picture (PNG at print
resolution) without ``%matplotlib inline``: the chart functions return Figures and never use pyplot.
"""


def _register_figure_display() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    def png(fig):
        from .views import figure_png

        return figure_png(fig)

    shell.display_formatter.formatters["image/png"].for_type(Figure, png)


_register_figure_display()
