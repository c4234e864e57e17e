"""CRM-shaped exports, generated: deals won, lost and open, owners mapped to regions by a teams file.

Each function writes the files one CRM gives a user, with that CRM's own
headers, stage names and date style, into a folder, and returns their paths.
The deals are random but fixed by the seed. The values are the test's own:
the tests recompute every expected figure from these files with pandas.
docs/import.md's recipes name exactly these files.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

MONTH = dt.date(2026, 10, 1)  # the reported month of every recipe

AGENTS = {  # sales agent -> (manager, regional office)
    "Anna Brooks": ("Dana Holt", "Central"), "Boris Lind": ("Dana Holt", "Central"),
    "Carla Mendes": ("Dana Holt", "Central"), "Dev Patel": ("Ivo Marsh", "East"),
    "Elena Ruiz": ("Ivo Marsh", "East"), "Farid Haddad": ("Ivo Marsh", "East"),
    "Greta Olsen": ("Lena Kraft", "West"), "Hiro Tanaka": ("Lena Kraft", "West"),
    "Ines Costa": ("Lena Kraft", "West"),
}
PRODUCTS = {"GTX Basic": 550, "GTX Pro": 4800, "MG Special": 55, "MG Advanced": 3400, "GTK 500": 26000}
ACCOUNTS = ["Acme Labs", "Betatech", "Bluth Works", "Cancity", "Codehow", "Condax", "Dalttechnology", "Dontechi",
            "Finhigh", "Globex", "Goodsilron", "Hottechi", "Initech", "Kan-code", "Konex", "Lexiqvolax",
            "Massive Dynamic", "Nam-zim", "Newex", "Ontomedia", "Plussunin", "Rantouch", "Scotfind", "Silis",
            "Soylent", "Stanredtax", "Sunnamplex", "Treequote", "Umbrella", "Xx-holding", "Zathunicon", "Zoomit"]
#: The generic export's stages and what share of deals is in each.
STAGES = {"Won": 0.45, "Lost": 0.25, "Engaging": 0.18, "Prospecting": 0.12}
#: The workbook stages the recipes map the open stages to, and those stages' default probabilities.
OPEN_STAGES = {"Prospecting": ("已提供报价", 0.4), "Engaging": ("合同条款谈判", 0.6)}


def _deal_dates(rnd: random.Random, stage: str) -> tuple[dt.date, dt.date]:
    """(engaged, closed or expected to close): closed deals within the year to the reported month's end,
    open deals expected in the five months from the reported month."""
    if stage in ("Won", "Lost"):
        close = dt.date(2025, 11, 1) + dt.timedelta(days=rnd.randrange(365))
    else:
        close = MONTH + dt.timedelta(days=rnd.randrange(150))
    return close - dt.timedelta(days=rnd.randrange(10, 120)), close


def _deals(rnd: random.Random, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        stage = rnd.choices(list(STAGES), weights=list(STAGES.values()))[0]
        product = rnd.choice(list(PRODUCTS))
        engaged, close = _deal_dates(rnd, stage)
        value = round(PRODUCTS[product] * rnd.uniform(0.8, 1.3), 2)
        out.append({"opportunity_id": "".join(rnd.choices("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", k=8)),
                    "sales_agent": rnd.choice(list(AGENTS)), "product": product, "account": rnd.choice(ACCOUNTS),
                    "deal_stage": stage, "engage_date": engaged, "close_date": close,
                    "deal_value": 0 if stage == "Lost" else value})
    return out


def _write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _us(day: dt.date) -> str:
    return f"{day.month}/{day.day}/{day:%y}"  # 6/8/14: month first, two-digit year


def _day_first(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def generic(folder: Path, seed: int = 17, n: int = 240) -> dict[str, Path]:
    """One deals export per office (the US one with m/d/yy dates, the European one day first) and a teams
    file with its own headers: sales_agent, manager, regional_office."""
    rnd = random.Random(seed)
    header = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
              "deal_value"]
    paths = {}
    for name, style in (("deals-us.csv", _us), ("deals-eu.csv", _day_first)):
        deals = _deals(rnd, n)
        assert any(d["close_date"].day > 12 for d in deals)  # so the column says which number is the day
        rows = [[d[k] if k not in ("engage_date", "close_date") else style(d[k]) for k in header] for d in deals]
        paths[name] = _write_csv(folder / name, header, rows)
    paths["teams.csv"] = _write_csv(folder / "teams.csv", ["sales_agent", "manager", "regional_office"],
                                    [[a, m, o] for a, (m, o) in AGENTS.items()])
    return paths


# ---------------------------------------------------------------- the CRMs by name
SALESFORCE_STAGES = {  # stage -> default probability (Salesforce's own)
    "Prospecting": 10, "Qualification": 10, "Needs Analysis": 20, "Value Proposition": 50,
    "Id. Decision Makers": 60, "Perception Analysis": 70, "Proposal/Price Quote": 75, "Negotiation/Review": 90,
    "Closed Won": 100, "Closed Lost": 0}


def _stage(rnd: random.Random, stages: list[str], won: str, lost: str) -> str:
    roll = rnd.random()
    return won if roll < 0.45 else lost if roll < 0.65 else rnd.choice(stages)


def salesforce(folder: Path, seed: int = 3, n: int = 60) -> dict[str, Path]:
    """An "Opportunities with Products" report (US dates) and the users export (Full Name, Username, Role)."""
    rnd = random.Random(seed)
    open_stages = [s for s in SALESFORCE_STAGES if not s.startswith("Closed")]
    header = ["Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Probability (%)",
              "Amount", "Close Date", "Product Name", "Product Family", "Lead Source", "Type"]
    rows = []
    for i in range(n):
        stage = _stage(rnd, open_stages, "Closed Won", "Closed Lost")
        product = rnd.choice(list(PRODUCTS))
        close = _deal_dates(rnd, "Won" if stage.startswith("Closed") else "Open")[1]
        rows.append([f"0065g00000{i:05d}", f"{rnd.choice(ACCOUNTS)} - {product}", rnd.choice(ACCOUNTS),
                     rnd.choice(list(AGENTS)), stage, SALESFORCE_STAGES[stage],
                     f"{PRODUCTS[product] * rnd.randint(1, 4):,}", f"{close.month}/{close.day}/{close.year}",
                     product, product.split()[0], rnd.choice(["Web", "Partner Referral", "Trade Show"]),
                     rnd.choice(["New Customer", "Existing Customer - Upgrade"])])
    users = [[name, name.lower().replace(" ", ".") + "@example.com", f"{office} Sales"]
             for name, (_, office) in AGENTS.items()]
    return {"salesforce-opportunities.csv": _write_csv(folder / "salesforce-opportunities.csv", header, rows),
            "salesforce-users.csv": _write_csv(folder / "salesforce-users.csv", ["Full Name", "Username", "Role"],
                                               users)}


HUBSPOT_STAGES = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled", "Decision Maker Bought-In",
                  "Contract Sent"]


def hubspot(folder: Path, seed: int = 5, n: int = 60) -> dict[str, Path]:
    """A deals export (ISO dates with a time, owners by email) and the users export (First/Last Name, Email, Team)."""
    rnd = random.Random(seed)
    header = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal owner", "Pipeline",
              "Associated Company"]
    rows = []
    for i in range(n):
        stage = _stage(rnd, HUBSPOT_STAGES, "Closed Won", "Closed Lost")
        close = _deal_dates(rnd, "Won" if stage.startswith("Closed") else "Open")[1]
        owner = rnd.choice(list(AGENTS))
        rows.append([9100000 + i, f"Deal {i}", stage, rnd.choice([1200, 2500, 4800, 9900]),
                     f"{close:%Y-%m-%d} {rnd.randint(8, 18):02d}:{rnd.choice([0, 15, 30, 45]):02d}",
                     owner.lower().replace(" ", ".") + "@example.com", "Sales Pipeline", rnd.choice(ACCOUNTS)])
    users = [[*name.split(), name.lower().replace(" ", ".") + "@example.com", office]
             for name, (_, office) in AGENTS.items()]
    return {"hubspot-deals.csv": _write_csv(folder / "hubspot-deals.csv", header, rows),
            "hubspot-users.csv": _write_csv(folder / "hubspot-users.csv", ["First Name", "Last Name", "Email", "Team"],
                                            users)}


ZOHO_STAGES = {"Qualification": 10, "Needs Analysis": 20, "Value Proposition": 40, "Identify Decision Makers": 60,
               "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100, "Closed Lost": 0,
               "Closed Lost to Competition": 0}


def zoho(folder: Path, seed: int = 7, n: int = 60) -> dict[str, Path]:
    """A Deals export with day-first dates (dd/MM/yyyy, as a European or Indian account writes them) and a
    Territory per deal."""
    rnd = random.Random(seed)
    open_stages = [s for s in ZOHO_STAGES if not s.startswith("Closed")]
    header = ["Deal Name", "Account Name", "Deal Owner", "Stage", "Probability (%)", "Amount", "Closing Date",
              "Territory", "Lead Source"]
    rows = []
    for i in range(n):
        stage = _stage(rnd, open_stages, "Closed Won", rnd.choice(["Closed Lost", "Closed Lost to Competition"]))
        close = _deal_dates(rnd, "Won" if stage.startswith("Closed") else "Open")[1]
        owner = rnd.choice(list(AGENTS))
        rows.append([f"Z-{i:03d}", rnd.choice(ACCOUNTS), owner, stage, ZOHO_STAGES[stage],
                     rnd.choice([800, 1500, 3200, 7000]), _day_first(close), AGENTS[owner][1],
                     rnd.choice(["Cold Call", "Web Download", "Partner"])])
    return {"zoho-deals.csv": _write_csv(folder / "zoho-deals.csv", header, rows)}


FXIAOKE_STAGES = {"验证客户": 10, "需求确定": 30, "方案/报价": 60, "谈判审核": 80, "赢单": 100, "输单": 0}
FXIAOKE_REPS = {"张伟": "华东大区", "李娜": "华东大区", "王芳": "华南大区", "刘洋": "华南大区", "陈静": "华北大区"}


def fxiaoke(folder: Path, seed: int = 11, n: int = 60) -> dict[str, Path]:
    """纷享销客's 商机 export: an .xlsx with a title row above the header, owners' departments as regions."""
    import xlsxwriter

    rnd = random.Random(seed)
    path = folder / "纷享销客-商机.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("商机")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["商机列表（导出）"])
    header = ["商机编号", "商机名称", "客户名称", "负责人", "所属部门", "销售阶段", "赢率", "商机金额", "预计成交日期",
              "产品名称", "产品分类"]
    sheet.write_row(1, 0, header)
    products = {"智能终端X3": "智能终端", "扫码枪S3": "配件", "云打印服务": "服务"}
    for i in range(n):
        stage = _stage(rnd, ["验证客户", "需求确定", "方案/报价", "谈判审核"], "赢单", "输单")
        close = _deal_dates(rnd, "Won" if stage in ("赢单", "输单") else "Open")[1]
        rep = rnd.choice(list(FXIAOKE_REPS))
        product = rnd.choice(list(products))
        sheet.write_row(i + 2, 0, [f"SJ{2026_0000 + i}", f"{product}采购", rnd.choice(["上海远航科技", "广州金桥贸易",
                                   "北京鑫瑞", "成都锦城"]), rep, FXIAOKE_REPS[rep], stage, f"{FXIAOKE_STAGES[stage]}%",
                                   rnd.choice([12000, 38000, 86000])])
        sheet.write_datetime(i + 2, 8, dt.datetime.combine(close, dt.time()), dates)
        sheet.write_row(i + 2, 9, [product, products[product]])
    book.close()
    return {path.name: path}


def write_all(folder: Path) -> dict[str, Path]:
    """Every export above, into ``folder``."""
    paths = {}
    for make in (generic, salesforce, hubspot, zoho, fxiaoke):
        paths.update(make(folder))
    return paths
