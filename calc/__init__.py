"""salesdeck.calc"""
