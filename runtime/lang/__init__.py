"""The shared core: grammar, reader, syntax tree, catalogue, model table, configuration.

Read by both the analyser (``recipe.server``) and the evaluator (``recipe.runtime.engine``).
Imports nothing from either, and nothing from lsprotocol or openai.
"""
