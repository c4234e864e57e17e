"""The result sheet's words in zh and en: column labels, block titles, notes, aging buckets."""

from __future__ import annotations

__all__ = ["LABELS", "TITLES", "NOTES", "BUCKETS"]

LABELS = {
    "region": ("区域", "Region"), "rep": ("销售代表", "Rep"), "product_line": ("产品线", "Product line"),
    "customer": ("客户", "Customer"), "actual": ("实际", "Actual"), "target": ("目标", "Target"),
    "attainment": ("达成率", "Attainment"), "variance": ("差额", "Variance"), "rag": ("状态", "RAG"),
    "total": ("合计", "Total"), "share": ("权重", "Weight"), "next_target": ("下月目标", "Next-month target"),
    "won_closing": ("B1 下月成交的赢单", "B1 won, closing next month"), "repeat": ("B2 月均续约", "B2 monthly renewals"),
    "weighted_closing": ("B3 下月成交商机(加权)", "B3 weighted deals closing"), "existing": ("C 现有业务", "C existing business"),
    "gap": ("D 需新签金额", "D gap for new business"), "new_order_value": ("E 新签平均单额", "E average new order"),
    "new_deals": ("F 需新签单数", "F new deals"), "proposals_per_deal": ("每单方案", "Proposals per deal"),
    "visits_per_deal": ("每单拜访", "Visits per deal"), "calls_per_visit": ("每次拜访电话", "Calls per visit"),
    "visits_per_day": ("日均拜访", "Visits per day"), "calls_per_day": ("日均电话", "Calls per day"),
    "best_month_visits": ("近6月最佳月拜访", "Best month of visits (6 months)"),
    "over_capacity": ("超出能力", "Over capacity"),
    "xun": ("旬", "Period"), "start": ("开始", "Start"), "end": ("结束", "End"), "whole_region": ("全区域", "Whole region"),
    "working_days": ("工作日", "Working days"), "deals": ("商机数", "Open deals"),
    "open": ("商机金额", "Open pipeline"), "weighted": ("加权金额", "Weighted pipeline"),
    "commit": ("承诺", "Commit"), "best case": ("最佳情况", "Best case"), "pipeline": ("管道", "Pipeline"),
    "remaining": ("剩余目标", "Remaining target"), "coverage": ("覆盖率", "Coverage"),
    "avg_order": ("平均单额", "Average order"), "orders": ("订单", "Orders"), "proposals": ("方案", "Proposals"),
    "visits": ("拜访", "Visits"), "calls": ("电话", "Calls"), "metric": ("指标", "Metric"),
    "weight": ("权重", "Weight"), "score": ("得分", "Score"), "bonus": ("奖金", "Bonus"),
    "commission": ("提成", "Commission"), "payout": ("合计", "Total pay"), "churn": ("流失预警", "Churn warning"),
    "churn_declining": ("连续两月下滑", "Down 2 months"), "churn_stopped": ("已停止下单", "Stopped ordering"),
    "at_risk": ("每月流失金额", "At risk per month"),
    "yes": ("是", "yes"), "invoice": ("发票号", "Invoice"), "amount": ("应收金额", "Amount due"),
    "due_date": ("到期日", "Due date"), "paid_date": ("回款日期", "Paid date"), "paid": ("已回款", "Paid"),
    "outstanding": ("未回款", "Outstanding"), "overdue": ("逾期天数", "Days overdue"),
    "bucket": ("账龄", "Aging"), "count": ("笔数", "Invoices"),
}
TITLES = {
    "attainment_region": ("{m} 区域目标达成", "{m} attainment by region"),
    "attainment_product_line": ("{m} 产品线目标达成", "{m} attainment by product line"),
    "attainment_rep": ("{m} 销售代表目标达成", "{m} attainment by rep"),
    "split_region": ("{n} 目标拆分:区域", "{n} target split by region"),
    "split_product_line": ("{n} 目标拆分:产品线", "{n} target split by product line"),
    "split_rep": ("{n} 目标拆分:销售代表", "{n} target split by rep"),
    "split_xun": ("{n} 目标拆分:旬(按工作日)", "{n} target split by ten-day period (working days)"),
    "pipeline": ("商机加权与覆盖率(按销售代表)", "Weighted pipeline and coverage by rep"),
    "workload": ("{n} 工作量:现有业务、需新签与拜访(按销售代表)", "{n} workload: existing business, new deals and visits by rep"),
    "commission": ("{m} 奖金与提成(按销售代表)", "{m} bonus and commission by rep"),
    "commission_metrics": ("{m} 考核指标明细", "{m} scorecard metrics"),
    "churn": ("流失预警(连续两月下滑,或老客户已停止下单;近3个月销售额)",
              "Churn warnings (down two months running, or a regular customer who stopped; sales of the last 3 months)"),
    "aging": ("应收账龄(截至 {d})", "Receivable aging (as of {d})"),
    "aging_totals": ("账龄汇总(截至 {d})", "Aging totals (as of {d})"),
}
NOTES = {
    "next_targets": ("权重:下月目标占比", "Weights: next month's targets"),
    "sales": ("权重:近3个月实际销售占比", "Weights: actual sales of the last 3 months"),
    "this_targets": ("权重:本月目标占比", "Weights: this month's targets"),
    "rep_split": ("各区域目标按区域内销售代表的下月目标(未填写时按近3个月销售)拆分",
                  "Each region's target split over its reps by their next-month targets (else their sales of the last 3 months)"),
    "no_next": ("没有下月目标:请在设置中填写“下月目标”或在目标表中填写下月目标",
                "No next-month target: fill Settings' next month target or next month's rows on Targets"),
    "margin": ("毛利无数据,不计入;其余权重按比例放大到100%", "Gross margin has no data: left out, other weights scaled to 100%"),
    "failed": ("无法计算:{e}", "Could not compute: {e}"),
    "no_plan": ("提成方案为空:请填写考核指标和提成阶梯", "The commission plan is empty: fill the metrics and tiers"),
    "no_data": ("没有数据", "No data"),
    "workload": ("拜访与电话按近6个月活动表的比例(本人成交单数太少时用团队的);超过最佳月份1.5倍的为超出能力",
                 "Visits and calls at the last 6 months' ratios of the Activities sheet (the team's when the rep won too "
                 "few deals); over capacity above 1.5x the best month"),
}
BUCKETS = {"zh": ("未逾期", "1-30天", "31-60天", "61-90天", "90天以上"),
            "en": ("Current", "1-30 days", "31-60 days", "61-90 days", "90+ days")}
