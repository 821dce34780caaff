"""dfopt: a Dockerfile linter that fixes."""

__version__ = "0.1.0"
