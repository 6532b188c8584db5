"""The catalogues of words, one per language (``<lang>/LC_MESSAGES/ctcflow.po``), and the
tooling that keeps them in step with the code: ``./run words`` (``python -m ctcflow.locale``)."""
