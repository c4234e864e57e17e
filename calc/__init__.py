"""The sales math shared by the Excel functions and the deck: pure functions, no I/O.

Modules, one job each:

- :mod:`.split` - split a total by weights, exact at a rounding unit (largest remainder)
- :mod:`.periods` - working days; month -> 旬 / weeks / days weighted by working days
- :mod:`.planning` - new-customer targets, cross split, funnel back-calculation, gap plan
- :mod:`.pipeline` - stage probabilities, weighted pipeline, coverage, forecast categories, lead classes
- :mod:`.commission` - tiered commission (marginal or retroactive) and the bonus scorecard
- :mod:`.diagnosis` - attainment and RAG, MoM/YoY, churn warnings, receivable aging, NPS

Inputs may be scalars, lists, 2-D lists (a row or a column), numpy arrays or
pandas objects; element-wise results keep the input's shape. Invalid input
raises :class:`salesdeck.errors.CalcError` naming the argument and the problem.
Percentages follow Excel: 12% is 0.12, and a rate above 1 is an error.
"""

from .commission import COMMISSION_MODES, commission, commission_tiers, scorecard
from .diagnosis import (
    AGING_BUCKETS, RAG_LABELS, aging_bucket, aging_buckets, attainment, attainment_table, churn, churn_flags,
    deviation_from_average, mom_yoy, nps, overdue_days, rag, top_share,
)
from .periods import PERIOD_KINDS, month_bounds, period_split, working_day_mask, working_days
from .pipeline import (
    DEFAULT_STAGES, FORECAST_LABELS, StageTable, forecast_category, lead_class, pipeline_coverage,
    stage_probability, stage_table, weighted_pipeline,
)
from .planning import (
    GAP_PLAN_ROWS, ceil_count, cross_split, funnel_back, gap_plan, gap_plan_rows, new_customer_target,
)
from .split import split_by_weights, split_total, unit_decimals

__all__ = [
    # split
    "split_total", "split_by_weights", "unit_decimals",
    # periods
    "PERIOD_KINDS", "month_bounds", "working_day_mask", "working_days", "period_split",
    # planning
    "ceil_count", "new_customer_target", "cross_split", "funnel_back", "gap_plan", "gap_plan_rows",
    "GAP_PLAN_ROWS",
    # pipeline
    "DEFAULT_STAGES", "StageTable", "stage_table", "stage_probability", "weighted_pipeline",
    "pipeline_coverage", "forecast_category", "FORECAST_LABELS", "lead_class",
    # commission
    "COMMISSION_MODES", "commission_tiers", "commission", "scorecard",
    # diagnosis
    "attainment", "rag", "RAG_LABELS", "attainment_table", "mom_yoy", "churn", "churn_flags",
    "AGING_BUCKETS", "overdue_days", "aging_bucket", "aging_buckets", "nps", "deviation_from_average",
    "top_share",
]
