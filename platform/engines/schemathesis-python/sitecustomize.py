"""Loaded by the schemathesis process of the fuzzing tier (PYTHONPATH, set by platform/engines/schemathesis.ts).

Hypothesis describes each filter lambda for a strategy's repr by parsing its source with `ast.parse`. On
CPython 3.11.7 (this machine's Python) that parse can raise `SystemError: AST constructor recursion depth
mismatch` when it runs deep in schemathesis' coverage generators (a CPython bug in the ast module's
recursion bookkeeping), which ends the whole run with a "Runtime Error". The description is only a repr:
fall back to a placeholder instead, so the tool crash cannot fail or shorten the fuzzing of our API.
"""

try:
    from hypothesis.internal import lambda_sources as _lambda_sources
except ImportError:  # not the schemathesis venv, or a hypothesis without this module
    _lambda_sources = None

if _lambda_sources is not None and hasattr(_lambda_sources, "lambda_description"):
    _describe = _lambda_sources.lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except SystemError:
            return "lambda: <source not shown>"

    _lambda_sources.lambda_description = _lambda_description
