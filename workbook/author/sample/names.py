"""Fixed names, texts and shapes of the sample company (a fictitious one), in zh and en.

Every list holds (zh, en) pairs so the two languages describe the same company
with the same numbers.
"""

from __future__ import annotations

import datetime as dt

COMPANY = ("华信智能科技有限公司", "Huaxin Smart Technology Co., Ltd.")
PRESENTER = ("销售总监 王磊", "Lei Wang, Sales Director")
REPORT_MONTH = dt.date(2026, 10, 1)
HISTORY_MONTHS = 16  # 2025-07 .. 2026-10

#: Regions: (zh, en, attainment in the report month): two green, two amber, the Southwest red.
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
    ("鑫源", "Xinyuan"), ("泰和", "Taihe"), ("同德", "Tongde"), ("佳信", "Jiaxin"), ("盛源", "Shengyuan"),
    ("广联", "Guanglian"), ("诚达", "Chengda"), ("正和", "Zhenghe"), ("德润", "Derun"), ("卓越", "Zhuoyue"),
    ("汇通", "Huitong"), ("荣昌", "Rongchang"), ("凯瑞", "Kairui"), ("云帆", "Yunfan"), ("华耀", "Huayao"),
    ("东升", "Dongsheng"), ("长青", "Changqing"), ("聚丰", "Jufeng"), ("鸿业", "Hongye"), ("利民", "Limin"),
)
#: Company ending per industry (same order as INDUSTRIES).
ENDINGS = (
    ("商贸有限公司", "Trading Co."), ("物流有限公司", "Logistics Co."), ("制造有限公司", "Manufacturing Co."),
    ("医疗器械有限公司", "Medical Co."), ("餐饮管理有限公司", "Catering Co."), ("能源有限公司", "Energy Co."),
    ("教育科技有限公司", "Education Co."), ("金融服务有限公司", "Financial Services"),
)

#: Orders per working day by calendar month (淡旺季), before growth: a slow summer, a strong
#: year end (budgets), a quiet Spring Festival month; holidays count through the working days.
DEMAND = {1: 1.04, 2: 0.9, 3: 0.98, 4: 0.98, 5: 1.0, 6: 1.08, 7: 0.92, 8: 0.92, 9: 1.03, 10: 1.05, 11: 1.1,
          12: 1.22}
#: Extra online weight in the shopping-festival months (618, Double 11).
ECOMMERCE_PEAK = {6: 1.8, 11: 2.0}
#: Growth of the order volume per month (about +10% a year).
MONTHLY_GROWTH = 0.008

SATISFACTION = (
    ("产品质量", "Product quality", 4.4, 4.3), ("交付及时性", "On-time delivery", 3.6, 3.9),
    ("售后服务", "After-sales service", 3.8, 3.7), ("价格合理性", "Value for money", 3.9, 4.0),
    ("销售专业度", "Sales expertise", 4.2, 4.1), ("响应速度", "Responsiveness", 3.7, 3.8),
)

#: Complaint categories: key, share of a month's complaints, texts (zh, en). The holiday week
#: makes late deliveries the top complaint in October.
COMPLAINTS = (
    ("delivery", 0.34, (("到货比承诺晚一周", "Arrived a week later than promised"),
                        ("国庆前下的订单节后才发货", "Ordered before the holiday, shipped after it"),
                        ("分批到货,影响门店上线", "Split deliveries delayed the store roll-out"),
                        ("物流信息长时间不更新", "Tracking not updated for days"))),
    ("service", 0.23, (("报修后48小时无人响应", "No response 48 hours after a repair call"),
                       ("售后电话长期占线", "Support line always busy"),
                       ("维修返厂周期太长", "Repairs take too long to come back"))),
    ("quality", 0.18, (("终端屏幕批量出现坏点", "Dead pixels on a batch of terminals"),
                       ("电池续航不达标", "Battery life below specification"),
                       ("扫码枪识别率低", "Scanner misreads barcodes"))),
    ("contract", 0.1, (("续约条款与口头承诺不一致", "Renewal terms differ from what was promised"),
                       ("验收标准有分歧", "Disagreement on acceptance criteria"))),
    ("price", 0.09, (("同型号电商价格更低", "Same model cheaper online"),
                     ("续费涨价未提前通知", "Renewal price rise not announced"))),
    ("other", 0.06, (("发票抬头开错", "Wrong company name on the invoice"),
                     ("培训安排不及时", "Training scheduled too late"))),
)

#: Resource requests: type, request (zh, en), owner (zh, en), priority, status, due day
#: counted from the report month's first day (negative: before it).
RESOURCES = (
    ("tool", "CRM 移动端审批功能", "Mobile approvals in the CRM", "销售运营部", "Sales operations", "high", "done", 15),
    ("tool", "报价计算器支持阶梯折扣", "Tiered discounts in the quote calculator", "IT 部", "IT", "medium",
     "in_progress", 50),
    ("tool", "演示样机 10 台", "Ten demo units", "产品部", "Product team", "low", "done", 27),
    ("cross_dept", "交付周期压缩到 5 个工作日", "Cut delivery lead time to 5 working days", "供应链部", "Supply chain",
     "high", "in_progress", 91),
    ("cross_dept", "售后 24 小时响应机制", "24-hour after-sales response", "客服中心", "Customer service", "high",
     "delayed", 19),
    ("cross_dept", "西南区域备件仓", "Spare-parts stock in the Southwest", "供应链部", "Supply chain", "medium",
     "not_started", 75),
    ("training", "大客户谈判技巧培训", "Key-account negotiation training", "人力资源部", "HR", "medium", "not_started", 48),
    ("training", "企业软件产品认证", "Enterprise software certification", "产品部", "Product team", "low",
     "in_progress", 58),
    ("training", "新人电话销售话术", "Telephone scripts for new reps", "销售运营部", "Sales operations", "low",
     "delayed", 26),
)

#: Next month's key-account actions by the account's story: (who, action zh, action en, started).
ACTIONS = (
    ("overdue_big", "催收逾期货款,约定还款计划", "Collect the overdue invoices; agree a payment plan", True),
    ("falling", "高层拜访,了解订单下滑原因", "Executive visit: why are orders falling", True),
    ("stopped", "回访停购客户,提交恢复供货方案", "Visit the lapsed customer with a plan to resume supply", False),
    ("falling", "处理交付延迟投诉并回访", "Resolve the delivery complaint and follow up", False),
    ("top", "签订年度框架协议", "Sign the annual framework agreement", True),
    ("top", "提交续约方案", "Submit the renewal proposal", False),
    ("top", "安排数据分析平台试用", "Set up an Analytics Platform trial", False),
    ("top", "推进 X3 Pro 批量替换", "Push the X3 Pro fleet replacement", True),
)

#: Improvement timeline: item (zh, en), owner (a rep's index, or a department (zh, en)), start day
#: counted from the report month's first day, months to finish after the report month, status.
TIMELINE = (
    (("西南区域拜访量提升 30%", "Raise Southwest visits by 30%"), 9, 14, 1, "in_progress"),
    (("交付周期缩短到 5 个工作日", "Cut delivery lead time to 5 working days"), ("供应链部", "Supply chain"), 31, 2,
     "not_started"),
    (("逾期 90 天以上应收清零", "Clear receivables overdue 90+ days"), ("财务部", "Finance"), 20, 2, "in_progress"),
    (("新人销售技能认证", "Certify new reps' sales skills"), 4, 31, 1, "not_started"),
    (("大客户季度业务回顾机制", "Quarterly business reviews with key accounts"), 7, 31, 3, "not_started"),
)

#: Opportunity names: a customer's short name and one of these.
OPPORTUNITY_KINDS = (
    ("门店终端升级", "store terminal upgrade"), ("仓储系统上线", "warehouse system roll-out"),
    ("年度配件采购", "annual accessories order"), ("数据平台试点", "analytics pilot"),
    ("运维服务续签", "support renewal"), ("手持终端扩容", "handheld expansion"),
)
