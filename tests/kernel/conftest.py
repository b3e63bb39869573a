"""Shared fixtures for the kernel tests: real files in tmp_path, real property stores."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from exo_container.properties import PropertyStore
from exo_container.xml.namespaces import KERNEL_1_3

FIXTURES = Path(__file__).parent / "fixtures"


def kernel_document(body: str, namespace: str | None = KERNEL_1_3) -> str:
    """``body`` wrapped in a ``<configuration>`` root of the given namespace (None: no namespace)."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<configuration{xmlns}>\n{textwrap.dedent(body).strip()}\n</configuration>\n'


@pytest.fixture
def properties() -> PropertyStore:
    return PropertyStore()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a configuration file under tmp_path: ``write_config("a.xml", "<component>...")``."""

    def write(name: str, body: str, namespace: str | None = KERNEL_1_3) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(kernel_document(body, namespace), encoding="utf-8")
        return path

    return write
