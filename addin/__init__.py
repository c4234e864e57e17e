"""salesdeck.addin"""
