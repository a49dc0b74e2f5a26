"""Financial credit scores over synthetic credit files: a bureau score (300-850, the published
factor weights) and a commercial score (350-950, Sesame-like). Both are system kinds, so they
record, grade, sanction and take appeals as every system does."""
