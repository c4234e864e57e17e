"""The workbook contract: every sheet, table and column, defined once.

The template, the sample, the reader, the validator and the instructions sheet
all derive from the objects in this module. A column knows its zh and en
header, its type, whether it is required, its allowed values, its unit and a
one-line description in both languages.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from salesdeck.calc.pipeline import DEFAULT_STAGES as _CALC_DEFAULT_STAGES

# Column types. "rate" is a fraction (12% is 0.12; above 1 is refused),
# "ratio" is a fraction that may exceed 1 (caps such as 150%).
TYPES = ("text", "int", "number", "money", "rate", "ratio", "date", "month", "choice", "stage")


@dataclass(frozen=True)
class Choice:
    """One allowed value: a canonical key and what people type for it."""

    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def spellings(self) -> tuple[str, ...]:
        return (self.key, self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    key: str
    zh: str
    en: str
    type: str
    required: bool
    desc_zh: str
    desc_en: str
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    width: int = 14
    #: Filled by salesdeck, never typed by people: the template leaves it out, a written workbook
    #: shows it only when a row has a value, and imports do not map source columns to it.
    automatic: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.key}: unknown type {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"column {self.key}: a choice column needs choices")

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def description(self, lang: str) -> str:
        return self.desc_zh if lang == "zh" else self.desc_en

    def headers(self) -> tuple[str, ...]:
        """Every header text that names this column."""
        return (self.zh, self.en, self.key, *self.aliases)

    def choice_labels(self, lang: str) -> list[str]:
        return [c.label(lang) for c in self.choices]


@dataclass(frozen=True)
class Table:
    """A rectangular input table: one header row, then one record a row."""

    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    desc_zh: str
    desc_en: str

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def description(self, lang: str) -> str:
        return self.desc_zh if lang == "zh" else self.desc_en


@dataclass(frozen=True)
class Sheet:
    """A worksheet holding one or more tables side by side."""

    key: str
    zh: str
    en: str
    tables: tuple[Table, ...]
    desc_zh: str
    desc_en: str
    optional: bool = False
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.key, *self.aliases)

    def description(self, lang: str) -> str:
        return self.desc_zh if lang == "zh" else self.desc_en


def C(key, zh, en, type_, required, desc_zh, desc_en, **kw) -> Column:  # noqa: N802
    """Shorthand used by the tables below."""
    return Column(key, zh, en, type_, required, desc_zh, desc_en, **kw)


# ---------------------------------------------------------------- choices
CHANNELS = (
    Choice("direct", "直营", "Direct", ("直销", "direct sales")),
    Choice("distribution", "分销", "Distribution", ("经销", "渠道", "distributor", "reseller")),
    Choice("ecommerce", "电商", "E-commerce", ("线上", "online", "ecommerce", "e-commerce")),
)
TIERS = (
    Choice("key", "大客户", "Key account", ("KA", "大型客户", "key", "large")),
    Choice("mid", "中型客户", "Mid-size", ("中客户", "mid", "medium")),
    Choice("small", "小客户", "Small", ("小型客户", "中小客户", "small", "SMB")),
)
DEAL_TYPES = (
    Choice("new", "新签", "New", ("新客户", "新增", "new business", "new customer", "newbusiness")),
    Choice("renewal", "续约", "Renewal", ("续签", "复购", "老客户", "repeat", "existing", "existing customer",
                                          "existing customer - upgrade", "existing customer - replacement",
                                          "existing customer - downgrade", "existingbusiness")),
)
CUSTOMER_TYPES = (
    Choice("new", "新客户", "New customers", ("新客", "new")),
    Choice("existing", "老客户", "Existing customers", ("老客", "存量客户", "existing", "repeat")),
)
LEAD_SOURCES = (
    Choice("website", "官网", "Website", ("网站", "web", "web download", "web form")),
    Choice("trade_show", "展会", "Trade show", ("会展", "event", "exhibition")),
    Choice("referral", "转介绍", "Referral", ("推荐", "介绍", "partner referral", "employee referral")),
    Choice("telemarketing", "电话营销", "Telemarketing", ("电销", "cold call")),
    Choice("partner", "渠道伙伴", "Partner", ("合作伙伴", "channel partner")),
    Choice("existing", "老客户", "Existing customer", ("老客户复购", "existing customer")),
)
LEAD_CLASSES = (
    Choice("A", "A", "A", ("a",)),
    Choice("B", "B", "B", ("b",)),
    Choice("C", "C", "C", ("c",)),
)
STAGE_CATEGORIES = (
    Choice("open", "进行中", "Open", ("open",)),
    Choice("won", "赢单", "Won", ("成交", "won", "closed won")),
    Choice("lost", "输单", "Lost", ("丢单", "lost", "closed lost")),
)
COMPLAINT_CATEGORIES = (
    Choice("delivery", "交付延迟", "Delivery delay", ("交货延迟", "发货延迟", "delivery")),
    Choice("contract", "合同纠纷", "Contract dispute", ("合同争议", "contract")),
    Choice("quality", "产品质量", "Product quality", ("质量问题", "quality")),
    Choice("service", "售后响应", "After-sales response", ("售后服务", "服务响应", "service")),
    Choice("price", "价格异议", "Pricing", ("价格", "price")),
    Choice("other", "其他", "Other", ("其它", "other")),
)
CASE_STATUS = (
    Choice("open", "待处理", "Open", ("未处理", "open", "new")),
    Choice("in_progress", "处理中", "In progress", ("进行中", "跟进中", "in progress", "wip")),
    Choice("resolved", "已解决", "Resolved", ("已完成", "已关闭", "resolved", "closed", "done")),
)
RESOURCE_TYPES = (
    Choice("tool", "销售工具", "Sales tool", ("工具", "tool", "tools")),
    Choice("cross_dept", "跨部门协作", "Cross-department", ("跨部门", "协作", "cross-department")),
    Choice("training", "培训", "Training", ("培训需求", "training")),
)
PRIORITIES = (
    Choice("high", "高", "High", ("紧急", "high", "p1")),
    Choice("medium", "中", "Medium", ("普通", "medium", "p2")),
    Choice("low", "低", "Low", ("low", "p3")),
)
TASK_STATUS = (
    Choice("not_started", "未开始", "Not started", ("待开始", "not started", "todo")),
    Choice("in_progress", "进行中", "In progress", ("处理中", "in progress", "doing")),
    Choice("done", "已完成", "Done", ("完成", "done", "completed")),
    Choice("delayed", "已延期", "Delayed", ("延期", "delayed", "late")),
)
LIFECYCLES = (
    Choice("introduction", "导入期", "Introduction", ("新品", "introduction", "launch")),
    Choice("growth", "成长期", "Growth", ("growth",)),
    Choice("maturity", "成熟期", "Maturity", ("maturity", "mature")),
    Choice("decline", "衰退期", "Decline", ("decline",)),
)
METRICS = (
    Choice("revenue", "销售额", "Revenue", ("业绩", "销售收入", "revenue", "sales")),
    Choice("new_customers", "新客户数", "New customers", ("新客户", "new customers")),
    Choice("gross_margin", "毛利", "Gross margin", ("毛利额", "gross margin", "margin")),
    Choice("collections", "回款", "Collections", ("回款额", "collections", "cash")),
    Choice("activity", "活动量", "Activity", ("拜访量", "activity", "activities")),
)
DAY_KINDS = (
    Choice("holiday", "节假日", "Holiday", ("假日", "休息日", "holiday")),
    Choice("workday", "调休工作日", "Make-up workday", ("调休", "补班", "workday", "make-up workday")),
)
SETTING_KEYS = (
    Choice("company", "公司名称", "Company", ("公司", "company name")),
    Choice("month", "报告月份", "Report month", ("月份", "month", "reporting month")),
    Choice("presenter", "汇报人", "Presenter", ("presenter",)),
    Choice("currency", "币种", "Currency", ("货币", "currency")),
    Choice("language", "语言", "Language", ("language", "lang")),
    Choice("rag_red", "红灯线", "Red below", ("红灯阈值", "red band")),
    Choice("rag_green", "绿灯线", "Green from", ("绿灯阈值", "green band")),
    Choice("challenge", "挑战系数", "Challenge coefficient", ("challenge",)),
    Choice("ratio_proposal_order", "方案:成交", "Proposals per order", ("方案成交比",)),
    Choice("ratio_visit_proposal", "拜访:方案", "Visits per proposal", ("拜访方案比",)),
    Choice("ratio_call_visit", "电话:拜访", "Calls per visit", ("电话拜访比",)),
    Choice("commit_min", "承诺概率下限", "Commit from", ("commit threshold",)),
    Choice("best_case_min", "最佳情况概率下限", "Best case from", ("best case threshold",)),
    Choice("split_unit", "拆分单位", "Split unit", ("取整单位", "rounding unit")),
    Choice("next_month_target", "下月目标", "Next month target", ("下月目标总额", "next target")),
    Choice("commission_mode", "提成方式", "Commission mode", ("累进方式", "tier mode")),
    Choice("commission_cap", "提成封顶", "Commission cap", ("封顶金额", "payout cap")),
    Choice("bonus_base", "奖金基数", "Bonus base", ("目标奖金", "target bonus")),
    Choice("new_avg_order", "新客户平均单额", "New-customer average order", ("新客户客单价",)),
    Choice("success_ratio", "潜在客户:成交", "Prospects per new customer", ("成功比率", "success ratio")),
    Choice("visits_per_prospect", "每个潜在客户拜访次数", "Visits per prospect", ("拜访比率",)),
)

#: Settings with their defaults (key -> value) and value type.
SETTING_DEFAULTS: dict[str, tuple[object, str]] = {
    "company": ("", "text"),
    "month": (None, "month"),
    "presenter": ("", "text"),
    "currency": ("CNY", "text"),
    "language": ("zh", "text"),
    "rag_red": (0.8, "ratio"),
    "rag_green": (1.0, "ratio"),
    "challenge": (1.1, "ratio"),
    "ratio_proposal_order": (3.0, "number"),
    "ratio_visit_proposal": (4.0, "number"),
    "ratio_call_visit": (5.0, "number"),
    "commit_min": (0.8, "rate"),
    "best_case_min": (0.6, "rate"),
    "split_unit": (100.0, "number"),
    "next_month_target": (None, "money"),
    "commission_mode": ("marginal", "text"),
    "commission_cap": (None, "money"),
    "bonus_base": (5000.0, "money"),
    "new_avg_order": (None, "money"),
    "success_ratio": (3.0, "number"),
    "visits_per_prospect": (4.0, "number"),
}

#: Default stage table (seed 003), shared with the math: (zh, en, probability, category).
DEFAULT_STAGES = _CALC_DEFAULT_STAGES

# ---------------------------------------------------------------- tables
#: Where a row came from: the rep's workbook ``salesdeck merge`` took it from (kept through later merges).
SOURCE = C("source", "来源文件", "Source file", "text", False, "由 salesdeck merge 填写:该行来自哪个工作簿",
           "Filled in by salesdeck merge: the workbook the row came from", width=16, automatic=True)

SETTINGS = Table(
    "settings", "设置", "Settings",
    (
        C("setting", "设置项", "Setting", "choice", True, "设置项名称,从下拉列表选择", "Name of the setting (pick from the list)",
          choices=SETTING_KEYS, width=22, aliases=("项目", "参数", "item")),
        C("value", "值", "Value", "text", False, "设置值;比例填百分比,如 80%", "The value; enter ratios as percentages, e.g. 80%",
          width=18, aliases=("数值", "value")),
        C("note", "说明", "Note", "text", False, "该设置的含义", "What the setting means", width=44, aliases=("备注", "note")),
    ),
    "报告的全局设置:公司、月份、阈值、系数", "Global settings: company, month, bands and coefficients",
)
STAGES = Table(
    "stages", "商机阶段", "Stages",
    (
        C("stage_zh", "阶段名称", "Stage (zh)", "text", True, "阶段的中文名称", "Stage name in Chinese", width=18,
          aliases=("阶段", "阶段(中文)")),
        C("stage_en", "阶段英文名", "Stage name", "text", False, "阶段的英文名称", "Stage name in English", width=22,
          aliases=("stage (en)", "english name")),
        C("probability", "成交概率", "Probability", "rate", True, "该阶段的赢单概率,0%–100%", "Win probability of the stage, 0%-100%",
          minimum=0, maximum=1, width=12, aliases=("概率", "赢率", "prob")),
        C("category", "类别", "Category", "choice", True, "进行中/赢单/输单", "Open, won or lost", choices=STAGE_CATEGORIES,
          width=10),
    ),
    "商机阶段与成交概率(默认 40/60/80/90%,可修改)", "Pipeline stages and win probabilities (defaults 40/60/80/90%, editable)",
)
HOLIDAYS = Table(
    "holidays", "节假日", "Holidays",
    (
        C("date", "日期", "Date", "date", True, "节假日或调休上班的日期", "Date of the holiday or make-up working day", width=12),
        C("kind", "类型", "Kind", "choice", True, "节假日 或 调休工作日", "Holiday or make-up workday", choices=DAY_KINDS, width=14),
        C("note", "说明", "Note", "text", False, "如:国庆节", "E.g. National Day", width=16),
    ),
    "拆分旬/周目标时扣除的节假日和补班日", "Holidays and make-up working days used when splitting by 旬 or week",
)
TARGETS = Table(
    "targets", "目标", "Targets",
    (
        C("month", "月份", "Month", "month", True, "目标所属月份(填该月任意日期)", "Month of the target (any date in it)", width=11),
        C("region", "区域", "Region", "text", True, "销售区域,如华东", "Sales region, e.g. East", width=10),
        C("rep", "销售代表", "Rep", "text", False, "销售人员;留空表示区域整体", "Sales rep; blank for the whole region", width=12,
          aliases=("销售", "销售人员", "业务员", "owner", "sales rep")),
        C("product_line", "产品线", "Product line", "text", False, "产品线;留空表示全部", "Product line; blank for all",
          width=12),
        C("customer_type", "客户类型", "Customer type", "choice", False, "新客户/老客户;留空表示全部",
          "New or existing customers; blank for both", choices=CUSTOMER_TYPES, width=12),
        C("target", "目标金额", "Target", "money", True, "目标销售额(元),不能为负", "Sales target (currency units), not negative",
          unit="元", minimum=0, width=14, aliases=("目标", "目标额", "target amount")),
        SOURCE,
    ),
    "每行一个目标:月份 × 区域 × 销售代表 × 产品线", "One target per row: month x region x rep x product line",
)
ORDERS = Table(
    "orders", "订单", "Orders",
    (
        C("order_id", "订单号", "Order ID", "text", False, "订单编号,用于去重", "Order number, used to detect duplicates", width=14,
          aliases=("订单编号", "单号", "order no", "order number")),
        C("date", "日期", "Date", "date", True, "下单日期", "Order date", width=11, aliases=("下单日期", "订单日期", "order date")),
        C("rep", "销售代表", "Rep", "text", True, "负责的销售人员", "Sales rep who owns the order", width=10,
          aliases=("销售", "销售人员", "业务员", "owner", "sales rep")),
        C("region", "区域", "Region", "text", True, "销售区域", "Sales region", width=9),
        C("channel", "渠道", "Channel", "choice", True, "直营/分销/电商", "Direct, distribution or e-commerce", choices=CHANNELS,
          width=9),
        C("customer", "客户", "Customer", "text", True, "客户名称", "Customer name", width=20, aliases=("客户名称", "customer name")),
        C("tier", "客户等级", "Customer tier", "choice", False, "大客户/中型客户/小客户", "Key account, mid-size or small",
          choices=TIERS, width=11, aliases=("客户级别", "tier", "segment")),
        C("industry", "行业", "Industry", "text", False, "客户所属行业", "Customer's industry", width=10),
        C("product", "产品", "Product", "text", True, "产品名称", "Product name", width=14, aliases=("产品名称", "product name")),
        C("product_line", "产品线", "Product line", "text", True, "产品所属产品线", "Product line of the product", width=11),
        C("deal_type", "新签/续约", "New/renewal", "choice", False, "新签 或 续约", "New business or renewal", choices=DEAL_TYPES,
          width=10, aliases=("订单类型", "新签续约", "deal type")),
        C("quantity", "数量", "Quantity", "number", False, "数量", "Quantity", minimum=0, width=8, aliases=("qty",)),
        C("amount", "金额", "Amount", "money", True, "订单金额(元,含税);退货填负数", "Order amount (tax incl.); returns negative",
          unit="元", width=12, aliases=("订单金额", "销售额", "sales", "amount")),
        SOURCE,
    ),
    "每行一笔订单;至少保留 13 个月历史以计算环比和同比", "One order per row; keep at least 13 months for MoM and YoY",
)
PIPELINE = Table(
    "pipeline", "商机", "Pipeline",
    (
        C("opportunity_id", "商机编号", "Opportunity ID", "text", False, "商机编号", "Opportunity number", width=12),
        C("opportunity", "商机名称", "Opportunity", "text", True, "商机名称", "Opportunity name", width=22,
          aliases=("商机", "opportunity name", "deal name")),
        C("customer", "客户", "Customer", "text", True, "客户名称", "Customer name", width=18),
        C("rep", "销售代表", "Rep", "text", True, "负责的销售人员", "Sales rep who owns it", width=10,
          aliases=("销售", "销售人员", "owner", "opportunity owner", "deal owner")),
        C("region", "区域", "Region", "text", False, "销售区域", "Sales region", width=9),
        C("stage", "阶段", "Stage", "stage", False, "商机阶段(见设置表的阶段),或直接填概率", "Stage (see the stage table on Settings) or a probability",
          width=16, aliases=("商机阶段", "deal stage")),
        C("probability", "成交概率", "Probability", "rate", False, "留空则按阶段取概率", "Leave blank to use the stage's probability",
          minimum=0, maximum=1, width=10, aliases=("概率", "赢率")),
        C("amount", "金额", "Amount", "money", True, "预计成交金额(元)", "Expected deal amount", unit="元", minimum=0, width=12,
          aliases=("商机金额", "预计金额")),
        C("expected_close", "预计成交日期", "Expected close", "date", True, "预计签单日期", "Expected close date", width=12,
          aliases=("预计签单日期", "close date")),
        C("lead_source", "线索来源", "Lead source", "choice", False, "线索来源渠道", "Lead source channel", choices=LEAD_SOURCES,
          width=11),
        C("lead_class", "线索等级", "Lead class", "choice", False, "A:3天内成交 B:一周内跟进 C:长期培育;留空自动计算",
          "A closes within 3 days, B within a week, C long-term; blank = computed", choices=LEAD_CLASSES, width=9),
        SOURCE,
    ),
    "进行中的商机;阶段决定加权概率", "Open opportunities; the stage sets the weighting probability",
)
ACTIVITIES = Table(
    "activities", "活动", "Activities",
    (
        C("rep", "销售代表", "Rep", "text", True, "销售人员", "Sales rep", width=10, aliases=("销售", "销售人员")),
        C("region", "区域", "Region", "text", False, "销售区域", "Sales region", width=9),
        C("month", "月份", "Month", "month", True, "活动所属月份", "Month of the activity", width=11, aliases=("期间", "period")),
        C("calls", "电话", "Calls", "int", False, "电话次数", "Phone calls", minimum=0, width=8, aliases=("电话量",)),
        C("visits", "拜访", "Visits", "int", True, "拜访次数", "Customer visits", minimum=0, width=8, aliases=("拜访量",)),
        C("effective_visits", "有效拜访", "Effective visits", "int", False, "有效拜访次数", "Effective visits", minimum=0, width=9),
        C("proposals", "方案", "Proposals", "int", False, "提交方案数", "Proposals submitted", minimum=0, width=8),
        C("quotes", "报价", "Quotes", "int", False, "报价次数", "Quotes sent", minimum=0, width=8),
        C("trials", "试用", "Trials", "int", False, "试用/样品次数", "Trials or samples", minimum=0, width=8),
        C("deals", "成交", "Deals", "int", False, "成交单数", "Deals won", minimum=0, width=8),
        SOURCE,
    ),
    "每位销售每月的活动量(RAC:结果 = 活动 + 能力)", "Each rep's activity per month (Result = Activity + Capability)",
)
RECEIVABLES = Table(
    "receivables", "回款", "Receivables",
    (
        C("invoice", "发票号", "Invoice", "text", True, "发票或应收单号", "Invoice number", width=12, aliases=("单据号", "invoice no")),
        C("customer", "客户", "Customer", "text", True, "客户名称", "Customer name", width=18),
        C("rep", "销售代表", "Rep", "text", False, "负责的销售人员", "Sales rep", width=10, aliases=("销售",)),
        C("amount", "应收金额", "Amount due", "money", True, "应收金额(元)", "Amount invoiced", unit="元", minimum=0, width=12,
          aliases=("金额", "amount")),
        C("due_date", "到期日", "Due date", "date", True, "约定付款日期", "Payment due date", width=11, aliases=("应收日期",)),
        C("paid_date", "回款日期", "Paid date", "date", False, "实际回款日期;未回款留空", "Date paid; blank if unpaid", width=11),
        C("paid_amount", "回款金额", "Paid amount", "money", False, "已回款金额(元)", "Amount received", unit="元", minimum=0, width=12),
        SOURCE,
    ),
    "应收与回款;用于账龄和异常回款分析", "Invoices and payments, for aging and abnormal payers",
)
COMPLAINTS = Table(
    "complaints", "投诉", "Complaints",
    (
        C("date", "日期", "Date", "date", True, "投诉日期", "Date received", width=11),
        C("customer", "客户", "Customer", "text", True, "客户名称", "Customer name", width=16),
        C("category", "投诉类别", "Category", "choice", True, "交付延迟/合同纠纷/产品质量/售后响应/价格异议/其他",
          "Delivery, contract, quality, after-sales, pricing or other", choices=COMPLAINT_CATEGORIES, width=12,
          aliases=("类别", "类型")),
        C("description", "描述", "Description", "text", False, "投诉内容", "What the customer said", width=24),
        C("status", "处理状态", "Status", "choice", True, "待处理/处理中/已解决", "Open, in progress or resolved",
          choices=CASE_STATUS, width=10, aliases=("状态",)),
        C("owner", "负责人", "Owner", "text", False, "跟进人", "Who handles it", width=10),
        SOURCE,
    ),
    "客户投诉,按类别汇总成帕累托图", "Customer complaints, summarised by category (Pareto)",
)
SATISFACTION = Table(
    "satisfaction", "满意度", "Satisfaction",
    (
        C("dimension", "维度", "Dimension", "text", True, "评价维度,如产品质量、交付、服务", "What was rated, e.g. quality, delivery",
          width=12),
        C("score", "本期得分", "Score", "number", True, "本期平均分(1–5 分)", "This period's average score (1-5)",
          minimum=0, maximum=5, width=10, aliases=("得分", "本期")),
        C("previous", "上期得分", "Previous", "number", False, "上期平均分(1–5 分)", "Last period's average score (1-5)",
          minimum=0, maximum=5, width=10, aliases=("上期",)),
        SOURCE,
    ),
    "满意度按维度与上期对比", "Satisfaction by dimension vs last period",
)
NPS = Table(
    "nps", "NPS", "NPS",
    (
        C("customer", "客户", "Customer", "text", False, "客户名称", "Customer name", width=16),
        C("date", "日期", "Date", "date", False, "调查日期", "Survey date", width=11),
        C("score", "推荐得分", "Score", "int", True, "愿意推荐的可能性 0–10", "Likelihood to recommend, 0-10",
          minimum=0, maximum=10, width=10, aliases=("NPS得分", "nps score", "评分")),
        SOURCE,
    ),
    "NPS 调查答案(0–10)", "NPS answers (0-10)",
)
RESOURCES = Table(
    "resources", "资源需求", "Resource requests",
    (
        C("request", "需求", "Request", "text", True, "需要什么支持", "What support is needed", width=28, aliases=("需求内容",)),
        C("type", "类型", "Type", "choice", True, "销售工具/跨部门协作/培训", "Sales tool, cross-department or training",
          choices=RESOURCE_TYPES, width=12),
        C("requested_by", "提出人", "Requested by", "text", False, "提出需求的人", "Who asked", width=10),
        C("owner", "负责人", "Owner", "text", True, "负责解决的人或部门", "Person or department responsible", width=10),
        C("due_date", "截止日期", "Due date", "date", True, "期望完成日期", "Wanted by", width=11, aliases=("截止", "due")),
        C("priority", "优先级", "Priority", "choice", True, "高/中/低", "High, medium or low", choices=PRIORITIES, width=8),
        C("status", "状态", "Status", "choice", True, "未开始/进行中/已完成/已延期", "Not started, in progress, done or delayed",
          choices=TASK_STATUS, width=9),
        SOURCE,
    ),
    "需要公司提供的支持:工具、跨部门协作、培训", "Support needed: tools, cross-department help, training",
)
ACTIONS = Table(
    "actions", "行动计划", "Actions",
    (
        C("account", "重点客户", "Key account", "text", False, "针对的重点客户", "Key account concerned", width=16,
          aliases=("客户", "account")),
        C("action", "行动", "Action", "text", True, "具体行动", "What will be done", width=30, aliases=("行动内容", "措施")),
        C("owner", "负责人", "Owner", "text", True, "负责人", "Who owns it", width=10),
        C("due_date", "截止日期", "Due date", "date", True, "完成日期", "Due date", width=11, aliases=("截止",)),
        C("status", "状态", "Status", "choice", True, "未开始/进行中/已完成/已延期", "Not started, in progress, done or delayed",
          choices=TASK_STATUS, width=9),
        SOURCE,
    ),
    "下月重点客户行动", "Next month's key-account actions",
)
TIMELINE = Table(
    "timeline", "改进时间表", "Improvement timeline",
    (
        C("item", "改进事项", "Improvement", "text", True, "专项改进内容", "What will improve", width=24, aliases=("事项",)),
        C("owner", "负责人", "Owner", "text", True, "负责人", "Who owns it", width=10),
        C("start", "开始日期", "Start", "date", True, "开始日期", "Start date", width=11),
        C("end", "完成日期", "End", "date", True, "完成日期", "End date", width=11),
        C("milestone", "里程碑", "Milestone", "text", False, "检查点,如每月10日、20日复盘", "Checkpoint, e.g. reviews on the 10th and 20th",
          width=18),
        C("status", "状态", "Status", "choice", True, "未开始/进行中/已完成/已延期", "Not started, in progress, done or delayed",
          choices=TASK_STATUS, width=9),
        SOURCE,
    ),
    "专项改进时间表", "Improvement timeline with owners and dates",
)
COMMISSION_METRICS = Table(
    "commission_metrics", "考核指标", "Metrics",
    (
        C("metric", "指标", "Metric", "choice", True, "销售额/新客户数/毛利/回款/活动量", "Revenue, new customers, margin, collections or activity",
          choices=METRICS, width=12),
        C("weight", "权重", "Weight", "rate", True, "权重,合计必须为 100%", "Weight; weights must add up to 100%", minimum=0, maximum=1,
          width=8),
        C("threshold", "门槛", "Threshold", "ratio", False, "达成率低于门槛该项得 0", "Below this attainment the metric scores 0",
          minimum=0, width=8),
        C("cap", "封顶", "Cap", "ratio", False, "达成率最多计到(如 150%)", "Attainment counts at most this (e.g. 150%)",
          minimum=0, maximum=5, width=8),
        C("gate", "一票否决线", "Gate", "ratio", False, "低于此达成率整体奖金为 0", "Below this attainment the whole bonus is 0",
          minimum=0, width=10),
    ),
    "奖金考核指标与权重", "Bonus metrics and weights",
)
COMMISSION_TIERS = Table(
    "commission_tiers", "提成阶梯", "Tiers",
    (
        C("from_amount", "起点金额", "From", "money", True, "该档起始销售额(元),由低到高", "Sales from which the tier applies, ascending",
          unit="元", minimum=0, width=12, aliases=("起点", "from amount")),
        C("rate", "提成比例", "Rate", "rate", True, "该档提成比例,如 3%", "Commission rate of the tier, e.g. 3%", minimum=0, maximum=1,
          width=10, aliases=("比例", "费率")),
    ),
    "提成阶梯(累进或全额,见设置)", "Commission tiers (marginal or retroactive, see Settings)",
)
PRODUCTS = Table(
    "products", "产品", "Products",
    (
        C("product", "产品", "Product", "text", True, "产品名称", "Product name", width=14, aliases=("产品名称",)),
        C("product_line", "产品线", "Product line", "text", True, "产品线", "Product line", width=11),
        C("lifecycle", "生命周期", "Lifecycle", "choice", False, "导入期/成长期/成熟期/衰退期", "Introduction, growth, maturity or decline",
          choices=LIFECYCLES, width=10),
        C("launch_date", "上市日期", "Launch date", "date", False, "上市日期", "Launch date", width=11),
    ),
    "产品目录与生命周期", "Product catalogue and lifecycle stages",
)

# ---------------------------------------------------------------- sheets
INSTRUCTIONS_SHEET = Sheet("instructions", "说明", "Instructions", (), "如何填写本工作簿", "How to fill this workbook",
                           aliases=("填写说明", "readme"))
SHEETS: tuple[Sheet, ...] = (
    Sheet("settings", "设置", "Settings", (SETTINGS, STAGES, HOLIDAYS), "全局设置、商机阶段、节假日",
          "Settings, pipeline stages, holidays", aliases=("参数",)),
    Sheet("targets", "目标", "Targets", (TARGETS,), "销售目标", "Sales targets"),
    Sheet("orders", "订单", "Orders", (ORDERS,), "订单明细(13 个月以上)", "Order lines (13+ months)",
          aliases=("销售明细", "订单明细")),
    Sheet("pipeline", "商机", "Pipeline", (PIPELINE,), "商机", "Opportunities", aliases=("商机管理",)),
    Sheet("activities", "活动", "Activities", (ACTIVITIES,), "销售活动量", "Sales activity", aliases=("活动量",)),
    Sheet("receivables", "回款", "Receivables", (RECEIVABLES,), "应收与回款", "Invoices and payments", aliases=("应收",)),
    Sheet("feedback", "反馈", "Feedback", (COMPLAINTS, SATISFACTION, NPS), "客户投诉、满意度、NPS",
          "Complaints, satisfaction, NPS", aliases=("客户反馈",)),
    Sheet("resources", "资源", "Resources", (RESOURCES,), "资源支持需求", "Resource requests", aliases=("资源需求",)),
    Sheet("plan", "计划", "Plan", (ACTIONS, TIMELINE), "下月行动计划与改进时间表", "Next-month actions and improvement timeline",
          aliases=("行动计划",)),
    Sheet("commission", "提成方案", "Commission plan", (COMMISSION_METRICS, COMMISSION_TIERS), "奖金指标与提成阶梯",
          "Bonus metrics and commission tiers", aliases=("提成", "commission")),
    Sheet("products", "产品", "Products", (PRODUCTS,), "产品目录(可选)", "Product catalogue (optional)", optional=True),
)

#: Team-wide reference tables: the same in every rep's workbook, so a merge keeps one copy. Every
#: other table holds rows that belong to someone; those tables have the automatic SOURCE column.
SHARED_TABLES = ("settings", "stages", "holidays", "commission_metrics", "commission_tiers", "products")

#: Every table by key, e.g. TABLES["orders"].
TABLES: dict[str, Table] = {t.key: t for s in SHEETS for t in s.tables}
#: The sheet holding each table, e.g. SHEET_OF["nps"].key == "feedback".
SHEET_OF: dict[str, Sheet] = {t.key: s for s in SHEETS for t in s.tables}
#: Sheets written by refresh (never read as input).
RESULT_SHEET = {"zh": "计算结果", "en": "Results"}

LANGS = ("zh", "en")


_PUNCT = re.compile(r"[\s\u3000_\-:：()（）/\\.,，。·*#\[\]【】]+")
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}  # full-width ASCII -> ASCII


def normalize_header(text: object) -> str:
    """Fold a header for matching: case, spacing, punctuation, full-width."""
    if text is None:
        return ""
    s = str(text).strip().casefold()
    s = s.translate(_FULL_WIDTH)
    return _PUNCT.sub("", s)


def sheet(key: str) -> Sheet:
    """The sheet with this key."""
    for s in SHEETS:
        if s.key == key:
            return s
    raise KeyError(key)


def find_choice(choices: tuple[Choice, ...], text: object) -> Choice | None:
    """The choice a typed value means, or None."""
    wanted = normalize_header(text)
    if not wanted:
        return None
    return _choice_index(choices).get(wanted)


@functools.lru_cache(maxsize=256)
def _choice_index(choices: tuple[Choice, ...]) -> dict[str, Choice]:
    """Normalised spelling -> the first choice spelled so (the order ``find_choice`` always tried them in)."""
    index: dict[str, Choice] = {}
    for choice in choices:
        for spelling in choice.spellings():
            index.setdefault(normalize_header(spelling), choice)
    return index
