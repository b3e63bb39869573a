"""The configuration model (plain dataclasses) and its lxml parser."""
