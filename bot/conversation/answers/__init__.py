"""Answer builders: pure functions from typed PAS models to SMS-first text, one module per journey.

Nothing here calls the PAS or knows the channel; callers pass the ``Fresh`` envelope's age when
the data is stale so the text can say "as of 2:41 PM". Builders never invent data: a missing
field is left out, not guessed.
"""
