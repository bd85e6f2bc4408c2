"""Argo's expression languages, evaluated safely (never Python eval): `{{...}}` tags, expr-lang, govaluate, Go dates."""
