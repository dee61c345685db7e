"""Chart builders on fixed frames: traces, order, target and reference lines, axes."""

import pandas as pd

from metrics import charts, facts


def test_region_bars_rank_one_on_top_with_target_and_city(seed_con):
    districts, references = facts.split_comparison(facts.region_comparison(seed_con, "one_window_share"))
    figure = charts.region_bars(districts, references)
    bar = figure.data[0]
    assert list(bar.y) == ["临空经济区", "鄂城区", "葛店经开区", "梁子湖区", "华容区"]
    assert list(bar.text) == ["81.9%", "90%", "95%", "95%", "97.47%"]
    assert bar.orientation == "h"
    assert [shape.x0 for shape in figure.layout.shapes] == [50, 100]
    assert [a.text for a in figure.layout.annotations] == ["目标：超过50%", "市本级 100%"]
    assert figure.layout.xaxis.range == (0, 105)
    assert bar.customdata[-1][4] == "二、4 整改情况 二是"


def _series(periods, values, grain="quarter", target=None):
    ends = pd.to_datetime(periods)
    return pd.DataFrame(
        {
            "indicator_name": "测试指标", "unit": "%", "region_name": "鄂城区", "end_date": ends,
            "value": values, "qualifier": "exact", "period_label": [str(p) for p in periods],
            "source": "二、4", "target_value": target, "target_comparator": ">" if target else None,
            "grain": grain,
        }
    )


def test_trend_keeps_a_missing_quarter_as_a_gap():
    figure = charts.trend_lines(_series(["2024-03-31", "2024-09-30"], [60.0, 70.0]), "quarter")
    trace = figure.data[0]
    assert list(pd.to_datetime(trace.x)) == list(pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30"]))
    assert pd.isna(trace.y[1])
    assert trace.connectgaps is False


def test_trend_with_one_point_draws_a_marker_only():
    figure = charts.trend_lines(_series(["2024-03-31"], [60.0]), "quarter")
    assert figure.data[0].mode == "markers+text"


def test_trend_draws_target_line():
    figure = charts.trend_lines(_series(["2024-03-31", "2024-06-30"], [60.0, 40.0], target=50.0), "quarter")
    assert [shape.y0 for shape in figure.layout.shapes] == [50.0]
    assert figure.layout.annotations[0].text == "目标：超过50%"


def test_assessment_points_show_score_over_max(seed_con):
    from metrics import assessment

    figure = charts.assessment_points(assessment.reported_points(seed_con))
    maximum, obtained = figure.data
    assert list(obtained.text) == ["2/2分", "2/2分", "2/2分"]
    assert list(maximum.y) == [2.0, 2.0, 2.0]
    assert list(obtained.x) == ["2023年第一季度", "2023年第二季度", "2023年第三季度"]


def test_rank_axis_puts_first_place_on_top(seed_con):
    from metrics import assessment

    figure = charts.rank_chart(assessment.reported_ranks(seed_con))
    assert figure.layout.yaxis.range == (6.5, 0.5)
    assert list(figure.data[0].text) == ["第4名"]
