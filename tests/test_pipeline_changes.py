"""What happened to the pipeline since last month: two workbooks the test writes, compared deal by deal.

The expected classification is worked out here with plain Python over the
rows the test wrote, then compared with `salesdeck metrics --json --previous`,
the deck's bridge and table, and the result sheet `salesdeck refresh --previous`
writes.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook import model as wb
from salesdeck.workbook.author.writer import write_workbook

D = dt.datetime
STAGE = {0.4: "已提供报价", 0.6: "合同条款谈判", 0.8: "通过初审", 0.9: "已确定签单步骤", 1.0: "赢单", 0.0: "输单"}

# (id, name, rep, probability, amount, expected close) last month (September) and this month (October)
LAST = [
    ("OP-1", "扩容", "王磊", 0.4, 100000, D(2026, 10, 20)),   # won this month
    ("OP-2", "续费", "王磊", 0.6, 200000, D(2026, 10, 25)),   # slipped to December, same stage: stalled
    ("OP-3", "新购", "李娜", 0.8, 300000, D(2026, 12, 10)),   # amount up, moved to November: pulled in
    ("OP-4", "替换", "李娜", 0.9, 150000, D(2026, 10, 5)),    # lost
    ("OP-5", "试点", "周杰", 0.6, 80000, D(2026, 12, 1)),     # gone from the sheet: counts as lost
    ("OP-6", "升级", "周杰", 0.4, 60000, D(2026, 9, 30)),     # still open past its close date: slipped
    ("OP-7", "集采", "周杰", 1.0, 500000, D(2026, 9, 15)),    # won last month already: history, not counted
]
NOW = [
    ("OP-1", "扩容", "王磊", 1.0, 110000, D(2026, 10, 20)),
    ("OP-2", "续费", "王磊", 0.6, 200000, D(2026, 12, 15)),
    ("OP-3", "新购", "李娜", 0.9, 350000, D(2026, 11, 20)),
    ("OP-4", "替换", "李娜", 0.0, 150000, D(2026, 10, 5)),
    ("OP-6", "升级", "周杰", 0.6, 50000, D(2026, 9, 30)),
    ("OP-7", "集采", "周杰", 1.0, 500000, D(2026, 9, 15)),
    ("OP-8", "新客户", "王磊", 0.4, 90000, D(2026, 11, 30)),  # new
    ("OP-9", "快单", "李娜", 1.0, 40000, D(2026, 10, 18)),    # new and won within the month
]


def _workbook(path, month, deals):
    rows = [{"opportunity_id": i, "opportunity": name, "customer": f"{name}客户", "rep": rep, "stage": STAGE[p],
             "probability": p, "category": "won" if p == 1.0 else "lost" if p == 0.0 else "open", "amount": float(a),
             "expected_close": close, "lead_source": "referral"} for i, name, rep, p, a, close in deals]
    orders = [{"order_id": "O1", "date": month, "rep": "王磊", "region": "华东", "channel": "direct", "customer": "甲",
               "product": "P", "product_line": "线", "deal_type": "renewal", "amount": 1000.0}]
    book = wb.SalesWorkbook(settings=wb.Settings(company="测试", month=month.date()),
                            tables={"pipeline": wb.conform("pipeline", pd.DataFrame(rows)),
                                    "orders": wb.conform("orders", pd.DataFrame(orders))})
    return write_workbook(book, path)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pair")
    return _workbook(folder / "2026-09.xlsx", D(2026, 9, 1), LAST), _workbook(folder / "2026-10.xlsx", D(2026, 10, 1), NOW)


def expected():
    """The classification, worked out deal by deal."""
    last = {d[0]: d for d in LAST}
    now = {d[0]: d for d in NOW}
    is_open = lambda d: d is not None and 0 < d[3] < 1  # noqa: E731
    out = {k: [] for k in ("new", "won", "lost", "slipped", "pulled_in", "increased", "decreased", "stalled")}
    amounts = {k: 0.0 for k in out}
    month_end = D(2026, 10, 31)
    for key in sorted(set(last) | set(now)):
        b, n = last.get(key), now.get(key)
        was_open = is_open(b)
        new = n is not None and not was_open and not (b is not None and not is_open(n))
        if new:
            out["new"].append(key)
            amounts["new"] += n[4]
        if n is not None and n[3] == 1.0 and (was_open or new):
            out["won"].append(key)
            amounts["won"] += n[4]
        if (n is not None and n[3] == 0.0 and (was_open or new)) or (was_open and n is None):
            out["lost"].append(key)
            amounts["lost"] += (n or b)[4]
        if was_open and n is not None and n[4] != b[4]:
            kind = "increased" if n[4] > b[4] else "decreased"
            out[kind].append(key)
            amounts[kind] += abs(n[4] - b[4])
        if was_open and is_open(n):
            later_month = (n[5].year, n[5].month) > (b[5].year, b[5].month)
            earlier_month = (n[5].year, n[5].month) < (b[5].year, b[5].month)
            past_due = n[5] <= month_end
            if later_month or past_due:
                out["slipped"].append(key)
                amounts["slipped"] += n[4]
                if n[3] == b[3]:
                    out["stalled"].append(key)
                    amounts["stalled"] += n[4]
            elif earlier_month:
                out["pulled_in"].append(key)
                amounts["pulled_in"] += n[4]
    return out, amounts


def test_the_changes_are_classified_deal_by_deal(pair):
    last, now = pair
    result = CliRunner().invoke(cli, ["metrics", str(now), "--previous", str(last), "--json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["pipeline_changes"]
    deals, amounts = expected()
    assert deals == {"new": ["OP-8", "OP-9"], "won": ["OP-1", "OP-9"], "lost": ["OP-4", "OP-5"], "slipped": ["OP-2", "OP-6"],
                     "pulled_in": ["OP-3"], "increased": ["OP-1", "OP-3"], "decreased": ["OP-6"],
                     "stalled": ["OP-2"]}
    for kind, ids in deals.items():
        assert sorted(changes[kind]["deals"]) == ids, kind
        assert changes[kind]["count"] == len(ids)
        assert changes[kind]["amount"] == pytest.approx(amounts[kind]), kind


def test_the_bridge_adds_up_and_forecast_accuracy(pair):
    last, now = pair
    changes = json.loads(CliRunner().invoke(cli, ["metrics", str(now), "--previous", str(last), "--json"]).stdout)[
        "pipeline_changes"]
    start = sum(d[4] for d in LAST if 0 < d[3] < 1)          # 890,000 open last month
    end = sum(d[4] for d in NOW if 0 < d[3] < 1)             # 690,000 open now
    assert changes["bridge"] == {"start": start, "end": end}
    flows = changes["new"]["amount"] + changes["increased"]["amount"] - changes["decreased"]["amount"] \
        - changes["won"]["amount"] - changes["lost"]["amount"]
    assert start + flows == pytest.approx(end)
    # last month's commit for October: OP-4 at 90% (150,000); best case adds OP-2 at 60% (200,000)
    assert changes["forecast"] == {"commit": 150000, "best_case": 350000, "won": 150000, "accuracy": 1.0}


def test_without_previous_nothing_changes(pair):
    _, now = pair
    data = json.loads(CliRunner().invoke(cli, ["metrics", str(now), "--json"]).stdout)
    assert "pipeline_changes" not in data


def test_the_deck_shows_the_bridge_and_the_slipped_deals(pair, tmp_path):
    from pptx import Presentation

    last, now = pair
    deck = tmp_path / "deck.pptx"
    assert CliRunner().invoke(cli, ["build", str(now), "--previous", str(last), "-o", str(deck)]).exit_code == 0
    prs = Presentation(str(deck))
    slides = {s.shapes.title.text if s.shapes.title else "": s for s in prs.slides}
    bridge = next(s for t, s in slides.items() if t.startswith("商机池较上月"))
    chart = next(sh.chart for sh in bridge.shapes if sh.has_chart)
    assert list(chart.plots[0].categories) == ["上月商机", "新增", "金额增加", "金额减少", "赢单", "输单", "本月商机"]
    assert next(t for t in slides if t.startswith("商机池较上月")).startswith("商机池较上月-22.5%")  # 890,000 -> 690,000
    table_slide = next(s for t, s in slides.items() if t.startswith("2个商机推迟、1个停滞"))
    table = next(sh.table for sh in table_slide.shapes if sh.has_table)
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[1][:3] == ["续费", "续费客户", "王磊"] and rows[1][4:] == ["2026-10-25", "2026-12-15", "停滞"]
    assert rows[2][0] == "升级" and rows[2][-1] == "推迟"


def test_refresh_with_previous_writes_the_same_figures(pair, tmp_path):
    last, now = pair
    out = tmp_path / "refreshed.xlsx"
    assert CliRunner().invoke(cli, ["refresh", str(now), "--previous", str(last), "-o", str(out)]).exit_code == 0
    rows = [list(r) for r in openpyxl.load_workbook(out)["计算结果"].iter_rows(values_only=True)]
    first = next(i for i, r in enumerate(rows) if r[0] == "商机较上月的变化")
    block = {r[0]: tuple(r[1:3]) for r in rows[first + 3:first + 14]}
    _, amounts = expected()
    assert block["上月商机"][1] == 890000 and block["本月商机"][1] == 690000
    assert block["赢单"] == (2, -amounts["won"]) and block["停滞"] == (1, amounts["stalled"])
