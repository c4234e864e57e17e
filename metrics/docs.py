"""docs/metrics.md, generated from the rules in the metrics modules' docstrings and the JSON keys below.

Run ``python -m salesdeck.metrics.docs > docs/metrics.md``; a test keeps the file current, so a rule
changed in code is a rule changed in the documentation.
"""

from __future__ import annotations

import importlib
import inspect

__all__ = ["RULE_MODULES", "JSON_KEYS", "metrics_markdown"]

#: (module, section title) in the order a meeting goes through them.
RULE_MODULES = (
    ("months", "The report month and working days"),
    ("orders", "Orders"),
    ("targets", "Targets"),
    ("performance", "Sales against target (part 1)"),
    ("analysis", "Sales data analysis (part 2)"),
    ("diagnosis", "Units below target (part 3)"),
    ("customers", "Churn warnings (part 3)"),
    ("receivables", "Receivables (part 3)"),
    ("feedback", "Customer feedback (part 4)"),
    ("statuses", "Statuses of actions and requests (parts 1, 5, 6)"),
    ("sufficiency", "When data is enough to conclude from"),
    ("plan", "Next month's target and its splits (part 6)"),
    ("workload", "Next month's workload per rep (part 6)"),
    ("pipeline", "Pipeline (result sheet)"),
    ("changes", "Pipeline changes since last month (with --previous)"),
    ("commission", "Bonus and commission (result sheet)"),
)

#: (key, meaning) of `salesdeck metrics --json`; nested keys with dots.
JSON_KEYS = (
    ("schema", '"salesdeck.metrics/1"; changes only when a key changes meaning or goes away'),
    ("company, currency", "from Settings; money below is in this currency's unit (yuan for CNY)"),
    ("month", 'the report month, "YYYY-MM"'),
    ("sales, target", "the month's sales and target (the sum of region targets; null without targets)"),
    ("attainment, rag", "sales / target as a fraction (0.938), and red / amber / green; null without a target"),
    ("mom, yoy", "change against last month and the same month last year, as fractions; null when that month "
                 "has no sales"),
    ("by_region, by_product_line, by_rep", "{name: {sales, target, attainment}} for every unit with sales or a "
                                           "target; target and attainment null where there is none"),
    ("next_month.month, .total, .source", 'next month "YYYY-MM", its total target (null when none is set) and where '
                                          "it came from: setting or next_targets"),
    ("next_month.by_region, .by_product_line, .by_rep, .by_xun", "{name: amount}, each adding up exactly to the "
                                                                 "total at Settings' split unit; empty without a "
                                                                 "total"),
    ("next_month.unassigned_by_region", "{region: amount} for regions whose part has no rep to go to"),
    ("pipeline.open, .weighted, .deals", "open deals' amount, amount x stage probability, and their count"),
    ("pipeline.by_rep", "{rep: {open, weighted, coverage, commit, best_case, pipeline}}; coverage null when the "
                        "rep's target is met or missing"),
    ("pipeline.by_region", "{region: {open, weighted}}"),
    ("workload", "{rep: {target, existing, gap, new_deals, visits, calls, visits_per_day, calls_per_day, "
                 "best_month_visits, over_capacity}} for next month"),
    ("churn", "[{customer, rep, reason (declining or stopped), sales: {month: amount}, change, at_risk}], most sales "
              "at risk first"),
    ("receivables.as_of, .outstanding, .overdue", "as of the report month's last day"),
    ("receivables.aging", "{bucket: outstanding} for current, 1-30, 31-60, 61-90, 90+"),
    ("receivables.follow_up", "[{customer, rep, overdue, average_days, longest_days, paid_late_days}], the biggest "
                              "old debt first"),
    ("nps, nps_answers", "NPS from -100 to 100 (null without answers) and the number of answers"),
    ("complaints", "{category: count} for the month's complaints, largest first"),
    ("satisfaction", "{dimension: {score, previous}}"),
    ("pipeline_changes", "only with --previous: for each of new, won, lost, slipped, pulled_in, increased, decreased, "
                         "stalled {count, amount, deals: [opportunity ids]}; bridge {start, end} (last month's and "
                         "this month's open pipeline: start + new + increased - decreased - won - lost = end); "
                         "forecast {commit, best_case, won, accuracy}"),
)


def _rules(module) -> str:
    doc = inspect.getdoc(module) or ""
    if "Rules:" not in doc:
        return doc.split("\n\n", 1)[-1]
    return doc.split("Rules:", 1)[1].strip()


def metrics_markdown() -> str:
    """The whole of docs/metrics.md."""
    out = [
        "# Metrics: every figure and its rule",
        "",
        "Generated from the docstrings of `metrics/` by `python -m salesdeck.metrics.docs`; do not edit by hand.",
        "",
        "Every figure salesdeck shows is computed once, in `salesdeck.metrics`, from the validated workbook. The",
        "deck, the result sheet that Refresh writes (计算结果 / Results) and `salesdeck metrics` are three views of",
        "the same figures, and a test holds them equal.",
        "",
        "```sh",
        "salesdeck metrics WORKBOOK.xlsx                 # a short summary",
        "salesdeck metrics WORKBOOK.xlsx --json          # the object below, for scripts",
        "salesdeck metrics WORKBOOK.xlsx --previous LAST.xlsx --json",
        "```",
        "",
        "Exit status as `salesdeck check`: 0, 1 when the workbook has errors (each listed with its sheet!cell),",
        "2 when the file is not a workbook.",
        "",
        "## The JSON object",
        "",
        "Money is a plain number in the currency's unit, rates are fractions, months are \"YYYY-MM\", and a",
        "figure that cannot be computed is null.",
        "",
        "| key | meaning |",
        "|---|---|",
    ]
    out += [f"| `{key}` | {meaning} |" for key, meaning in JSON_KEYS]
    out += ["", "## The rules", ""]
    for name, title in RULE_MODULES:
        module = importlib.import_module(f"salesdeck.metrics.{name}")
        out += [f"### {title}", "", _rules(module), "", f"(`metrics/{name}.py`)", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(metrics_markdown(), end="")
