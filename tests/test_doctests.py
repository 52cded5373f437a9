"""The examples in the helpers' docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import helpers

MODULES = sorted(
    f"helpers.{m.name}"
    for m in pkgutil.iter_modules(helpers.__path__)
    if not m.name.startswith("_")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    results = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert results.failed == 0, f"{results.failed} docstring example(s) in {name} failed"
