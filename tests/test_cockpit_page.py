"""The 驾驶舱 page (pages/cockpit.py) in AppTest, on the walk of issue #24 (support.walked_warehouse)."""

import json

from support import APP, signed_in  # noqa: F401

COCKPIT = "pages/cockpit.py"


def matrix_figure(test) -> dict:
    figures = [json.loads(chart.proto.spec) for chart in test.get("plotly_chart")]
    return next(figure for figure in figures if "核心指标" in figure["layout"]["title"]["text"])


def test_the_matrix_shows_the_laggard_in_its_status_colour_and_word(app, walk_db):
    test = app(COCKPIT, db=walk_db)
    assert test.title[0].value == "领导驾驶舱"
    figure = matrix_figure(test)
    points = figure["data"][0]
    assert points["text"][1] == "<b>93%</b> ↑<br>× 未达标"
    fills = [shape["fillcolor"] for shape in figure["layout"]["shapes"]]
    assert fills[1] == "#f8d3d0"
    print([c.value for c in test.caption])
