"""Review of a Pulumi preview for people: what scales, what is replaced and why, what is
deleted, what touches data, which secrets rotate, what policy says, and may this merge.

Read the engine's JSON (`pulumi preview --json`, either of its two forms) with `load`, build a
`Review` with `review`, print it with one of the renderers. `python -m preview_review --help`.
"""
