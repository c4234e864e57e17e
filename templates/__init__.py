"""salesdeck.templates"""
