"""The 说明 / Instructions sheet and the settings notes, generated from the contract.

``instruction_lines(lang)`` returns the sheet as (style, cells) lines; the
writer only lays them out. Nothing here restates a header: every sheet, table
and column text comes from :mod:`salesdeck.workbook.contract`.
"""

from __future__ import annotations

from salesdeck.workbook import contract

#: What each setting means, shown in the Settings table's note column.
SETTING_NOTES: dict[str, tuple[str, str]] = {
    "company": ("公司名称,显示在报告封面", "Company name, shown on the cover"),
    "month": ("报告月份(填该月任意日期)", "Month reported on (any date in it)"),
    "presenter": ("汇报人,显示在封面", "Presenter, shown on the cover"),
    "currency": ("币种,如 CNY", "Currency code, e.g. CNY"),
    "language": ("报告语言:中文 或 English", "Report language: 中文 or English"),
    "rag_red": ("达成率低于此值为红灯", "Attainment below this is red"),
    "rag_green": ("达成率达到此值为绿灯,之间为黄灯", "Attainment from this is green; in between amber"),
    "challenge": ("挑战目标 = 目标 × 挑战系数", "Stretch target = target x coefficient"),
    "ratio_proposal_order": ("几个方案成交一单", "Proposals needed per order"),
    "ratio_visit_proposal": ("几次拜访产生一个方案", "Visits needed per proposal"),
    "ratio_call_visit": ("几个电话约到一次拜访", "Calls needed per visit"),
    "commit_min": ("概率不低于此值计入承诺预测", "Deals at or above this probability are commit"),
    "best_case_min": ("概率不低于此值计入最佳情况", "Deals at or above this probability are best case"),
    "split_unit": ("拆分目标时取整到此单位", "Split targets are rounded to this unit"),
    "next_month_target": ("下月总目标(元)", "Next month's total target"),
    "commission_mode": ("累进 = 超额累进;全额 = 按达到的档位全额计提", "marginal = per bracket; retroactive = whole amount at the reached rate"),
    "commission_cap": ("单人提成上限(元),留空不封顶", "Maximum commission per rep; blank = no cap"),
    "bonus_base": ("奖金基数(元),按考核指标得分发放", "Target bonus paid by the metric score"),
    "new_avg_order": ("新客户平均单额,用于倒推新客户数", "Average first order of a new customer, to plan new customers"),
    "success_ratio": ("几个潜在客户成交一个新客户", "Prospects needed per new customer"),
    "visits_per_prospect": ("每个潜在客户需要的拜访次数", "Visits needed per prospect"),
}

TYPE_NAMES: dict[str, tuple[str, str]] = {
    "text": ("文本", "Text"),
    "int": ("整数", "Whole number"),
    "number": ("数字", "Number"),
    "money": ("金额", "Amount"),
    "rate": ("百分比 0%–100%", "Percentage 0%-100%"),
    "ratio": ("百分比(可超过 100%)", "Percentage (may exceed 100%)"),
    "date": ("日期 yyyy-mm-dd", "Date yyyy-mm-dd"),
    "month": ("月份 yyyy-mm(填该月任意日期)", "Month yyyy-mm (any date in it)"),
    "choice": ("下拉选择", "Pick from the list"),
    "stage": ("商机阶段或概率", "Stage or probability"),
}

_T = {
    "title": ("销售月报工作簿 · 填写说明", "Sales workbook · how to fill it in"),
    "purpose": (
        "本工作簿汇总一个月的销售数据:目标、订单、商机、活动、回款、客户反馈、资源需求和下月计划。"
        "销售代表填写各表,经理点击功能区按钮刷新计算,行政人员用 salesdeck 生成销售月例会 PPT。",
        "This workbook collects one month of sales data: targets, orders, pipeline, activity, receivables, "
        "customer feedback, resource requests and next month's plan. Reps fill in the tables, managers refresh "
        "the calculations from the ribbon, and admin staff turn it into the monthly meeting deck with salesdeck.",
    ),
    "how": ("怎么填", "How to fill it in"),
    "steps": (
        (
            "1. 先在「{settings}」表填写公司名称和报告月份;其他设置可保留默认值。",
            "2. 每张表是一个 Excel 表格:表头不要改,在最后一行下面直接输入,表格会自动扩展。",
            "3. 带下拉箭头的列请从列表选择;把鼠标停在表头上可看到每列的说明。",
            "4. 金额填数字(元),比例填百分比(如 80%),日期用 yyyy-mm-dd。",
            "5. 订单至少保留 13 个月,才能计算环比和同比。",
        ),
        (
            "1. Start on the {settings} sheet: company name and report month; the other settings can keep their defaults.",
            "2. Every sheet holds Excel tables: keep the headers, type below the last row and the table grows.",
            "3. Columns with a drop-down take a value from the list; hover over a header to read what the column means.",
            "4. Amounts are plain numbers, ratios percentages (e.g. 80%), dates yyyy-mm-dd.",
            "5. Keep at least 13 months of orders so month-on-month and year-on-year can be computed.",
        ),
    ),
    "use": ("填好之后", "When it is filled in"),
    "uses": (
        (
            "刷新计算:安装 salesdeck 加载项后,在 Excel 功能区「销售工具」选项卡点击「刷新计算」,"
            "校验本工作簿并把目标拆解、加权商机、提成等结果写入「计算结果」工作表。",
            "检查:salesdeck check 工作簿.xlsx 列出每个问题及其单元格(如 订单!M12)。",
            "生成月例会 PPT:salesdeck build 工作簿.xlsx,按六个部分生成销售月例会演示文稿。",
        ),
        (
            "Refresh: with the salesdeck add-in installed, click 刷新计算 (Refresh) on the 销售工具 (Sales Tools) "
            "ribbon tab; the workbook is checked and target splits, weighted pipeline and commission are written to "
            "the Results sheet.",
            "Check: salesdeck check workbook.xlsx lists every problem with its cell (e.g. Orders!M12).",
            "Deck: salesdeck build workbook.xlsx makes the six-part monthly sales meeting deck.",
        ),
    ),
    "sheet": ("工作表「{name}」:{desc}", "Sheet '{name}': {desc}"),
    "optional_sheet": ("(可选)", " (optional)"),
    "table": ("表格「{name}」:{desc}", "Table '{name}': {desc}"),
    "columns": (("列", "必填", "类型/单位", "允许值", "说明"), ("Column", "Required", "Type / unit", "Allowed values", "Description")),
    "yes": ("必填", "required"),
    "no": ("可选", "optional"),
    "stage_values": ("「{sheet}」表中商机阶段的名称,或 0%–100% 的概率", "A stage name from the stage table on {sheet}, or a probability 0%-100%"),
}


def text(key: str, lang: str):
    """One fixed text of the sheet in ``lang``."""
    zh, en = _T[key]
    return zh if lang == "zh" else en


def setting_note(key: str, lang: str) -> str:
    zh, en = SETTING_NOTES[key]
    return zh if lang == "zh" else en


def type_name(column: contract.Column, lang: str) -> str:
    zh, en = TYPE_NAMES[column.type]
    name = zh if lang == "zh" else en
    if column.unit and lang == "zh":
        name += f"({column.unit})"
    return name


def _percent(value: float) -> str:
    return f"{value * 100:g}%"


def allowed_values(column: contract.Column, lang: str) -> str:
    """The values a column accepts, as a person reads them ("" when anything goes)."""
    sep = "、" if lang == "zh" else ", "
    if column.type == "choice":
        return sep.join(column.choice_labels(lang))
    if column.type == "stage":
        return text("stage_values", lang).format(sheet=contract.sheet("settings").name(lang))
    low, high = column.minimum, column.maximum
    fmt = _percent if column.type in ("rate", "ratio") else (lambda v: f"{v:g}")
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}"
    if low is not None:
        return f"≥ {fmt(low)}"
    if high is not None:
        return f"≤ {fmt(high)}"
    return ""


def column_note(column: contract.Column, lang: str) -> str:
    """The note on a header cell: description, required/optional, type and allowed values."""
    need = text("yes" if column.required else "no", lang)
    parts = [column.description(lang), f"{need} · {type_name(column, lang)}"]
    allowed = allowed_values(column, lang)
    if allowed:
        parts.append(allowed)
    return "\n".join(parts)


def instruction_lines(lang: str) -> list[tuple[str, list[str]]]:
    """The sheet, line by line: (style, cells) with style title/text/heading/sheet/table/columns/column/blank."""
    settings_name = contract.sheet("settings").name(lang)
    lines: list[tuple[str, list[str]]] = [("title", [text("title", lang)]), ("text", [text("purpose", lang)]),
                                          ("blank", []), ("heading", [text("how", lang)])]
    lines += [("text", [step.format(settings=settings_name)]) for step in text("steps", lang)]
    lines += [("blank", []), ("heading", [text("use", lang)])]
    lines += [("text", [line]) for line in text("uses", lang)]
    for sheet in contract.SHEETS:
        lines.append(("blank", []))
        title = text("sheet", lang).format(name=sheet.name(lang), desc=sheet.description(lang))
        if sheet.optional:
            title += text("optional_sheet", lang)
        lines.append(("sheet", [title]))
        for table in sheet.tables:
            lines.append(("table", [text("table", lang).format(name=table.title(lang), desc=table.description(lang))]))
            lines.append(("columns", list(text("columns", lang))))
            for col in (c for c in table.columns if not c.automatic):
                lines.append(("column", [col.header(lang), text("yes" if col.required else "no", lang),
                                         type_name(col, lang), allowed_values(col, lang), col.description(lang)]))
    return lines
