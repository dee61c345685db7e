"""需关注 on 总览: each finding's largest gaps first, at most so many listed, the rest counted."""

from metrics import attention
from metrics.store.warehouse import open_reader

Q4_2024 = 2024 * 4 + 3


def findings(db, **kwargs):
    con = open_reader(db)
    try:
        return attention.findings(con, Q4_2024, **kwargs)
    finally:
        con.close()


def test_every_finding_of_the_quarter_with_its_count(two_quarters_db):
    found = findings(two_quarters_db)
    assert found[["finding", "region_id", "gap", "finding_count"]].fillna(-1).values.tolist() == [
        ["below_reference", "linkong", 16.0, 2], ["below_reference", "echeng", 10.5, 2],
        ["worse", "ezhou", 2.0, 2], ["worse", "echeng", 1.7, 2],
        ["not_reported", "liangzihu", -1, 2], ["not_reported", "gedian", -1, 2]]
    assert attention.unlisted(found) is None


def test_a_page_lists_the_largest_of_each_finding_and_counts_the_rest(two_quarters_db):
    listed = findings(two_quarters_db, shown_per_finding=1)
    assert [(row.finding, row.region_id) for row in listed.itertuples()] == [
        ("below_reference", "linkong"), ("worse", "ezhou"), ("not_reported", "liangzihu")]
    assert [item.text for item in attention.summary(listed)] == [
        "临空经济区 综合窗口可办事项占比(一窗通办) 84%，低于市本级（100%）16个百分点",
        "鄂州市 “互联网+监管”考核全省排名 第5名，较2024年第三季度下降2位，变差",
        "梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)"]
    assert attention.unlisted(listed) == "另有 1 项明显低于市本级、1 项较上期变差、1 项未报送未列出"


def test_one_unit_has_its_own_findings_and_counts(two_quarters_db):
    echeng = findings(two_quarters_db, region_id="echeng", shown_per_finding=1)
    assert echeng[["finding", "gap", "finding_count"]].values.tolist() == [
        ["below_reference", 10.5, 1], ["worse", 1.7, 1]]
