"""Charts: the SC font is used, no glyph is missing, output is reproducible."""

import warnings

import pytest
from matplotlib import font_manager

from village_stats.display import fonts, plotting
from village_stats.display.views import figure_png


def test_font_comes_from_pip_package_and_is_simplified_chinese():
    path = fonts.cjk_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and "mplfonts" in str(path)
    fonts.setup_matplotlib()
    found = font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY), fallback_to_default=False)
    assert found == str(path)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_render_without_missing_glyphs(suoluoyu, sheet, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise
        figs = [plotting.incidence_chart(sheet, lang), plotting.household_chart(sheet, lang),
                plotting.crop_chart(suoluoyu.table("crops"), lang),
                plotting.investment_chart(suoluoyu.table("projects"), lang)]
        pngs = [figure_png(f) for f in figs]
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert figure_png(plotting.incidence_chart(sheet, lang)) == pngs[0]  # reproducible bytes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_register_charts_render_without_missing_glyphs(lang):
    from village_stats.evaluate import indicator_sheet
    from village_stats.load import load_period

    from .conftest import DATA

    data = load_period("demo", "2018H2", DATA)
    sheet = indicator_sheet(data)
    hh = data.table("households")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = [plotting.income_chart(hh, data.poverty_line.poverty_line_yuan, lang), plotting.mpi_chart(sheet, lang),
                plotting.causes_chart(hh, lang)]
        assert all(figure_png(f).startswith(b"\x89PNG") for f in figs)
    labels = [tl.get_text() for tl in figs[1].axes[0].get_yticklabels()]
    assert labels[0] == ("收入" if lang == "zh" else "Income") and len(labels) == 6


def test_chart_texts_are_in_the_report_language(sheet):
    fig = plotting.incidence_chart(sheet, "zh")
    texts = [t.get_text() for t in fig.axes[0].get_yticklabels()] + [fig.get_label()]  # the title is the caption
    assert "贫困发生率" in texts and "贫困发生率与退出标准" in texts
    fig = plotting.incidence_chart(sheet, "en")
    assert "Poverty incidence and the exit threshold" == fig.get_label()
