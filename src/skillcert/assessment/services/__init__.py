"""Writes on batches, one function per state change.

- ``plans``: drafting a batch plan, candidates, plan filing (计划报备)
- ``implementation``: spot checks and attendance (认定实施)
- ``results``: scores, result publicity, result filing (结果报备)
- ``objections``: objections to a publicity, a batch's results or a filing case (公示期异议),
  lodged and resolved by one service for both
"""
