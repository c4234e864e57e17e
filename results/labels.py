"""The result sheet's words in zh and en: column labels, block titles, notes, aging buckets."""

from __future__ import annotations

__all__ = ["LABELS", "TITLES", "NOTES", "BUCKETS"]

LABELS = {
    "region": ("区域", "Region"), "rep": ("销售代表", "Rep"), "product_line": ("产品线", "Product line"),
    "customer": ("客户", "Customer"), "actual": ("实际", "Actual"), "target": ("目标", "Target"),
    "attainment": ("达成率", "Attainment"), "variance": ("差额", "Variance"), "rag": ("状态", "RAG"),
    "total": ("合计", "Total"), "share": ("权重", "Weight"), "next_target": ("下月目标", "Next-month target"),
    "xun": ("旬", "Period"), "start": ("开始", "Start"), "end": ("结束", "End"), "whole_region": ("全区域", "Whole region"),
    "working_days": ("工作日", "Working days"), "deals": ("商机数", "Open deals"),
    "open": ("商机金额", "Open pipeline"), "weighted": ("加权金额", "Weighted pipeline"),
    "commit": ("承诺", "Commit"), "best case": ("最佳情况", "Best case"), "pipeline": ("管道", "Pipeline"),
    "remaining": ("剩余目标", "Remaining target"), "coverage": ("覆盖率", "Coverage"),
    "avg_order": ("平均单额", "Average order"), "orders": ("订单", "Orders"), "proposals": ("方案", "Proposals"),
    "visits": ("拜访", "Visits"), "calls": ("电话", "Calls"), "metric": ("指标", "Metric"),
    "weight": ("权重", "Weight"), "score": ("得分", "Score"), "bonus": ("奖金", "Bonus"),
    "commission": ("提成", "Commission"), "payout": ("合计", "Total pay"), "churn": ("流失预警", "Churn warning"),
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
    "funnel": ("{n} 销售漏斗倒推(按销售代表)", "{n} funnel back-calculation by rep"),
    "gap_plan": ("{n} 循后计划(按销售代表)", "{n} gap plan by rep"),
    "commission": ("{m} 奖金与提成(按销售代表)", "{m} bonus and commission by rep"),
    "commission_metrics": ("{m} 考核指标明细", "{m} scorecard metrics"),
    "churn": ("流失预警(近3个月销售额)", "Churn warnings (sales of the last 3 months)"),
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
}
BUCKETS = {"zh": ("未逾期", "1-30天", "31-60天", "61-90天", "90天以上"),
            "en": ("Current", "1-30 days", "31-60 days", "61-90 days", "90+ days")}
