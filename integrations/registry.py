"""The one registry of adapters, by id. Tests may swap in their own with `registry.replaced()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from integrations.base import Adapter

A = TypeVar("A", bound=type[Adapter])


class UnknownAdapter(LookupError):
    pass


class Registry:
    def __init__(self) -> None:
        self._adapters: dict[str, type[Adapter]] = {}

    def register(self, cls: A) -> A:
        """Class decorator. Ids are stored on connections, so a duplicate is a programming error."""
        if cls.id in self._adapters:
            raise ValueError(f"An adapter with id {cls.id!r} is already registered")
        self._adapters[cls.id] = cls
        return cls

    def get(self, adapter_id: str) -> type[Adapter]:
        try:
            return self._adapters[adapter_id]
        except KeyError:
            raise UnknownAdapter(f"No adapter with id {adapter_id!r}") from None

    def __contains__(self, adapter_id: object) -> bool:
        return adapter_id in self._adapters

    def __iter__(self) -> Iterator[type[Adapter]]:
        return iter(sorted(self._adapters.values(), key=lambda cls: cls.name))

    def batched_ids(self) -> frozenset[str]:
        """The adapters that send many deliveries at once (a file drop), never one at a time."""
        return frozenset(cls.id for cls in self._adapters.values() if cls.batched)

    def choices(self) -> list[tuple[str, str]]:
        return [(cls.id, cls.name) for cls in self]

    @contextmanager
    def replaced(self, *adapters: type[Adapter]) -> Iterator[Registry]:
        """For tests: only `adapters` are registered inside the block."""
        saved = self._adapters
        self._adapters = {}
        try:
            for cls in adapters:
                self.register(cls)
            yield self
        finally:
            self._adapters = saved


registry = Registry()
