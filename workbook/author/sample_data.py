"""Fixed names and numbers for the sample workbook (a fictitious company), in zh and en.

Every list holds (zh, en) pairs so the two languages describe the same company.
"""

from __future__ import annotations

import datetime as dt

COMPANY = ("华信智能科技有限公司", "Huaxin Smart Technology Co., Ltd.")
PRESENTER = ("销售总监 王磊", "Lei Wang, Sales Director")
REPORT_MONTH = dt.date(2026, 10, 1)
HISTORY_MONTHS = 16  # 2025-07 .. 2026-10

#: Regions: (zh, en, attainment in the report month). East is ahead, Southwest behind.
REGIONS = (
    ("华东", "East", 1.14),
    ("华南", "South", 0.97),
    ("华北", "North", 0.92),
    ("西南", "Southwest", 0.78),
    ("华中", "Central", 1.01),
)
#: Relative size of each region's business (same order as REGIONS).
REGION_SIZE = (1.45, 1.2, 1.05, 0.7, 0.8)

#: Reps: (zh, en, region index).
REPS = (
    ("张伟", "Wei Zhang", 0), ("王芳", "Fang Wang", 0), ("李娜", "Na Li", 0),
    ("刘洋", "Yang Liu", 1), ("陈静", "Jing Chen", 1), ("杨帆", "Fan Yang", 1),
    ("赵磊", "Lei Zhao", 2), ("黄敏", "Min Huang", 2), ("周杰", "Jie Zhou", 2),
    ("吴婷", "Ting Wu", 3), ("徐明", "Ming Xu", 3),
    ("孙丽", "Li Sun", 4), ("马超", "Chao Ma", 4), ("朱琳", "Lin Zhu", 4),
)

#: Product lines: (zh, en).
PRODUCT_LINES = (("智能终端", "Smart devices"), ("企业软件", "Enterprise software"), ("配件", "Accessories"))

#: Products: (zh, en, line index, unit price, lifecycle key, launch date, weight).
PRODUCTS = (
    ("智能终端 X1", "Terminal X1", 0, 6800.0, "decline", dt.date(2021, 3, 15), 0.9),
    ("智能终端 X2", "Terminal X2", 0, 8800.0, "maturity", dt.date(2023, 4, 10), 1.6),
    ("智能终端 X3 Pro", "Terminal X3 Pro", 0, 12800.0, "growth", dt.date(2025, 5, 20), 1.3),
    ("手持终端 H5", "Handheld H5", 0, 3600.0, "maturity", dt.date(2022, 9, 1), 1.0),
    ("边缘网关 G2", "Edge Gateway G2", 0, 5200.0, "introduction", dt.date(2026, 6, 18), 0.5),
    ("销售管理云", "Sales Cloud", 1, 9600.0, "growth", dt.date(2024, 2, 26), 1.4),
    ("仓储管理系统", "Warehouse Suite", 1, 18000.0, "maturity", dt.date(2022, 6, 6), 1.0),
    ("数据分析平台", "Analytics Platform", 1, 24000.0, "introduction", dt.date(2026, 3, 1), 0.6),
    ("运维服务包", "Support Package", 1, 4800.0, "maturity", dt.date(2021, 1, 5), 1.1),
    ("扫码枪 S3", "Scanner S3", 2, 680.0, "maturity", dt.date(2022, 1, 10), 1.2),
    ("电池组 B2", "Battery Pack B2", 2, 320.0, "maturity", dt.date(2021, 8, 1), 1.0),
    ("充电底座 C1", "Charging Dock C1", 2, 450.0, "decline", dt.date(2020, 11, 11), 0.6),
    ("保护套 P5", "Rugged Case P5", 2, 160.0, "growth", dt.date(2025, 9, 9), 0.8),
)

#: Industries: (zh, en).
INDUSTRIES = (
    ("零售", "Retail"), ("物流", "Logistics"), ("制造", "Manufacturing"), ("医疗", "Healthcare"),
    ("餐饮", "Food service"), ("能源", "Energy"), ("教育", "Education"), ("金融", "Finance"),
)

# Customer names are built from a city, a core word and an industry ending.
CITIES = (
    ("上海", "Shanghai"), ("杭州", "Hangzhou"), ("苏州", "Suzhou"), ("南京", "Nanjing"), ("广州", "Guangzhou"),
    ("深圳", "Shenzhen"), ("厦门", "Xiamen"), ("北京", "Beijing"), ("天津", "Tianjin"), ("济南", "Jinan"),
    ("成都", "Chengdu"), ("重庆", "Chongqing"), ("昆明", "Kunming"), ("武汉", "Wuhan"), ("长沙", "Changsha"),
    ("郑州", "Zhengzhou"),
)
#: Cities of each region (indices into CITIES), same order as REGIONS.
REGION_CITIES = ((0, 1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12), (13, 14, 15))
CORES = (
    ("瑞丰", "Ruifeng"), ("恒通", "Hengtong"), ("鼎盛", "Dingsheng"), ("远航", "Yuanhang"), ("嘉禾", "Jiahe"),
    ("新锐", "Xinrui"), ("天成", "Tiancheng"), ("博远", "Boyuan"), ("华润达", "Huarunda"), ("宏图", "Hongtu"),
    ("安泰", "Antai"), ("金桥", "Jinqiao"), ("蓝海", "Blue Ocean"), ("明德", "Mingde"), ("众诚", "Zhongcheng"),
    ("优品", "Youpin"), ("速达", "Suda"), ("智联", "Zhilian"), ("永信", "Yongxin"), ("启明", "Qiming"),
)
#: Company ending per industry (same order as INDUSTRIES).
ENDINGS = (
    ("商贸有限公司", "Trading Co."), ("物流有限公司", "Logistics Co."), ("制造有限公司", "Manufacturing Co."),
    ("医疗器械有限公司", "Medical Co."), ("餐饮管理有限公司", "Catering Co."), ("能源有限公司", "Energy Co."),
    ("教育科技有限公司", "Education Co."), ("金融服务有限公司", "Financial Services"),
)

#: Chinese public holidays and make-up workdays (国务院办公厅通知) of the sample's months.
HOLIDAYS = (
    (dt.date(2025, 9, 28), "workday", "国庆节、中秋节调休", "National Day make-up"),
    *((dt.date(2025, 10, d), "holiday", "国庆节、中秋节", "National Day / Mid-Autumn") for d in range(1, 9)),
    (dt.date(2025, 10, 11), "workday", "国庆节、中秋节调休", "National Day make-up"),
)
HOLIDAYS_2026 = (
    *((dt.date(2026, 1, d), "holiday", "元旦", "New Year") for d in range(1, 4)),
    (dt.date(2026, 1, 4), "workday", "元旦调休", "New Year make-up"),
    (dt.date(2026, 2, 14), "workday", "春节调休", "Spring Festival make-up"),
    *((dt.date(2026, 2, d), "holiday", "春节", "Spring Festival") for d in range(15, 24)),
    (dt.date(2026, 2, 28), "workday", "春节调休", "Spring Festival make-up"),
    *((dt.date(2026, 4, d), "holiday", "清明节", "Qingming") for d in range(4, 7)),
    *((dt.date(2026, 5, d), "holiday", "劳动节", "Labour Day") for d in range(1, 6)),
    (dt.date(2026, 5, 9), "workday", "劳动节调休", "Labour Day make-up"),
    *((dt.date(2026, 6, d), "holiday", "端午节", "Dragon Boat Festival") for d in range(19, 22)),
    (dt.date(2026, 9, 20), "workday", "国庆节调休", "National Day make-up"),
    *((dt.date(2026, 9, d), "holiday", "中秋节", "Mid-Autumn Festival") for d in range(25, 28)),
    *((dt.date(2026, 10, d), "holiday", "国庆节", "National Day") for d in range(1, 8)),
    (dt.date(2026, 10, 10), "workday", "国庆节调休", "National Day make-up"),
)

#: Order volume by calendar month (淡旺季): weak February (Spring Festival), 618 in June,
#: Double 11 in November, a strong year end.
SEASON = {1: 0.95, 2: 0.62, 3: 1.0, 4: 1.0, 5: 1.02, 6: 1.15, 7: 0.9, 8: 0.92, 9: 1.06, 10: 0.97, 11: 1.18, 12: 1.3}
#: Extra e-commerce weight in the shopping-festival months.
ECOMMERCE_PEAK = {6: 1.8, 11: 2.0}

SATISFACTION = (
    ("产品质量", "Product quality", 4.4, 4.3), ("交付及时性", "On-time delivery", 3.6, 3.9),
    ("售后服务", "After-sales service", 3.8, 3.7), ("价格合理性", "Value for money", 3.9, 4.0),
    ("销售专业度", "Sales expertise", 4.2, 4.1), ("响应速度", "Responsiveness", 3.7, 3.8),
)

#: Complaint texts per category key: (zh, en), and relative frequency (unequal: a Pareto).
COMPLAINTS = {
    "delivery": (12, (("到货比承诺晚一周", "Arrived a week later than promised"),
                      ("国庆前订单节后才发货", "Pre-holiday order shipped after the holiday"),
                      ("分批到货,影响门店上线", "Split deliveries delayed store roll-out"))),
    "service": (8, (("报修后48小时无人响应", "No response 48 hours after a repair call"),
                    ("售后电话长期占线", "Support line always busy"))),
    "quality": (5, (("终端屏幕批量出现坏点", "Dead pixels on a batch of terminals"),
                    ("电池续航不达标", "Battery life below specification"))),
    "contract": (3, (("续约条款与口头承诺不一致", "Renewal terms differ from what was promised"),)),
    "price": (2, (("同型号电商价格更低", "Same model cheaper online"),)),
    "other": (1, (("发票抬头开错", "Wrong company name on the invoice"),)),
}

RESOURCES = (
    ("tool", "CRM 移动端审批功能", "Mobile approvals in the CRM", "销售运营部", "Sales operations"),
    ("tool", "报价计算器支持阶梯折扣", "Tiered discounts in the quote calculator", "IT 部", "IT"),
    ("tool", "演示样机 10 台", "Ten demo units", "产品部", "Product team"),
    ("cross_dept", "交付周期压缩到 5 个工作日", "Cut delivery lead time to 5 working days", "供应链部", "Supply chain"),
    ("cross_dept", "售后 24 小时响应机制", "24-hour after-sales response", "客服中心", "Customer service"),
    ("cross_dept", "西南区域备件仓", "Spare-parts stock in the Southwest", "供应链部", "Supply chain"),
    ("training", "大客户谈判技巧培训", "Key-account negotiation training", "人力资源部", "HR"),
    ("training", "企业软件产品认证", "Enterprise software certification", "产品部", "Product team"),
    ("training", "新人电话销售话术", "Telephone scripts for new reps", "销售运营部", "Sales operations"),
)

ACTIONS = (
    ("签订年度框架协议", "Sign the annual framework agreement"),
    ("高层拜访,确认明年预算", "Executive visit to confirm next year's budget"),
    ("安排数据分析平台试用", "Set up an Analytics Platform trial"),
    ("处理交付延迟投诉并回访", "Resolve the delivery complaint and follow up"),
    ("催收逾期货款", "Collect the overdue invoices"),
    ("推进 X3 Pro 批量替换", "Push the X3 Pro fleet replacement"),
    ("提交续约方案", "Submit the renewal proposal"),
    ("联合渠道伙伴做方案演示", "Joint demo with the channel partner"),
)

TIMELINE = (
    ("西南区域拜访量提升 30%", "Raise Southwest visits by 30%"),
    ("交付周期缩短到 5 个工作日", "Cut delivery lead time to 5 working days"),
    ("逾期 90 天以上应收清零", "Clear receivables overdue 90+ days"),
    ("新人销售技能认证", "Certify new reps' sales skills"),
    ("大客户季度业务回顾机制", "Quarterly business reviews with key accounts"),
)

OPPORTUNITY_KINDS = (
    ("门店终端升级", "store terminal upgrade"), ("仓储系统上线", "warehouse system roll-out"),
    ("年度配件采购", "annual accessories order"), ("数据平台试点", "analytics pilot"),
    ("运维服务续签", "support renewal"), ("手持终端扩容", "handheld expansion"),
)
