import datetime as dt

import pytest

from village_stats.periods import Period, containing, is_period_code, last_complete, parse_period


@pytest.mark.parametrize("code,start,end,zh,en", [
    ("2017H1", dt.date(2017, 1, 1), dt.date(2017, 6, 30), "2017年上半年", "2017 H1"),
    ("2017H2", dt.date(2017, 7, 1), dt.date(2017, 12, 31), "2017年下半年", "2017 H2"),
    ("2017Q1", dt.date(2017, 1, 1), dt.date(2017, 3, 31), "2017年第一季度", "2017 Q1"),
    ("2017Q4", dt.date(2017, 10, 1), dt.date(2017, 12, 31), "2017年第四季度", "2017 Q4"),
    ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29), "2016年2月", "February 2016"),
    ("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31), "2017年", "2017"),
])
def test_parse_dates_and_labels(code, start, end, zh, en):
    p = parse_period(code)
    assert p.code == code
    assert (p.start, p.end) == (start, end)
    assert (p.label("zh"), p.label("en")) == (zh, en)


@pytest.mark.parametrize("bad", ["2017h1", "2017H3", "2017Q5", "2017-13", "2017-1", "17H1", "../x", "",
                                 "2017H1/..", " 2017H1"])
def test_rejects_other_forms(bad):
    assert not is_period_code(bad)
    with pytest.raises(ValueError, match="is not a period code"):
        parse_period(bad)


@pytest.mark.parametrize("code,prev,nxt", [
    ("2017H1", "2016H2", "2017H2"), ("2017Q1", "2016Q4", "2017Q2"), ("2017-12", "2017-11", "2018-01"),
    ("2017", "2016", "2018")])
def test_previous_next(code, prev, nxt):
    p = parse_period(code)
    assert p.previous().code == prev and p.next().code == nxt
    assert p.next().previous() == p


def test_last_complete_for_a_cron_job():
    assert last_complete("H", dt.date(2017, 7, 5)).code == "2017H1"
    assert last_complete("H", dt.date(2017, 6, 30)).code == "2016H2"
    assert last_complete("M", dt.date(2017, 1, 15)).code == "2016-12"
    assert containing("Q", dt.date(2017, 5, 1)) == Period(2017, "Q", 2)
