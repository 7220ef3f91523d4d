"""Pure NLP steps: text in, arrays and records out. No IO, no Prefect."""

__all__: list[str] = []
