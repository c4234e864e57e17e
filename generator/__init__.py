"""salesdeck.generator"""
