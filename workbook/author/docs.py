"""Reference documentation of the workbook, generated from the contract."""

from __future__ import annotations

from salesdeck.workbook import contract

_TYPE_NAMES = {
    "text": "text", "int": "whole number", "number": "number", "money": "amount",
    "rate": "percentage 0-100%", "ratio": "percentage (may exceed 100%)", "date": "date",
    "month": "month (any date in it)", "choice": "one of the listed values", "stage": "stage name or probability",
}


def contract_markdown() -> str:
    """Markdown describing every sheet, table and column (zh and en)."""
    out = [
        "# The workbook contract",
        "",
        "Generated from `workbook/contract.py` by `python -m salesdeck.workbook.author.docs`; do not edit by hand.",
        "",
    ]
    for sheet in contract.SHEETS:
        optional = " (optional)" if sheet.optional else ""
        out += [f"## {sheet.zh} / {sheet.en}{optional}", "", f"{sheet.desc_zh}. {sheet.desc_en}.", ""]
        for table in sheet.tables:
            out += [f"### {table.zh} / {table.en}", "", f"{table.desc_zh}. {table.desc_en}.", ""]
            out += ["| 列 | Column | required | type | allowed values | description |", "|---|---|---|---|---|---|"]
            for col in table.columns:
                allowed = ", ".join(f"{c.zh}/{c.en}" for c in col.choices)
                unit = f" ({col.unit})" if col.unit else ""
                out.append(
                    f"| {col.zh} | {col.en} | {'yes' if col.required else 'automatic' if col.automatic else 'no'} | {_TYPE_NAMES[col.type]}{unit} "
                    f"| {allowed} | {col.desc_zh}; {col.desc_en} |"
                )
            out.append("")
    out += ["## Settings keys", "", "| 设置项 | Setting | default |", "|---|---|---|"]
    for choice in contract.SETTING_KEYS:
        default, _type = contract.SETTING_DEFAULTS[choice.key]
        out.append(f"| {choice.zh} | {choice.en} | {'' if default is None else default} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(contract_markdown(), end="")
