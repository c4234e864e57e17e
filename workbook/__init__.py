"""salesdeck.workbook"""
