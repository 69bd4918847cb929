"""Writes on batches, one function per state change.

- ``plans``: drafting a batch plan, candidates, plan filing (计划报备)
- ``implementation``: spot checks and attendance (认定实施)
- ``results``: scores, result publicity and objections, result filing (结果报备)
"""
