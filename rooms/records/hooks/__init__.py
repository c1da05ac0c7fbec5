"""Python shutdown hooks: functions registered by name, run by Celery when a session ends.

A hook is ``fn(*, session, report) -> dict | None``; what it returns is kept on its ``HookDelivery``.
Raising makes the attempt fail (and retry, up to the hook's ``max_attempts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rooms.models import Session

HookFunction = Callable[..., dict[str, Any] | None]


class HookRegistry:
    def __init__(self) -> None:
        self._hooks: dict[str, HookFunction] = {}

    def register(self, name: str) -> Callable[[HookFunction], HookFunction]:
        def decorate(fn: HookFunction) -> HookFunction:
            if name in self._hooks and self._hooks[name] is not fn:
                raise ValueError(f"A shutdown hook named {name!r} is already registered.")
            self._hooks[name] = fn
            return fn

        return decorate

    def get(self, name: str) -> HookFunction:
        try:
            return self._hooks[name]
        except KeyError:
            raise LookupError(f"No shutdown hook named {name!r}.") from None

    def names(self) -> list[str]:
        return sorted(self._hooks)

    def run(self, name: str, *, session: Session, report: dict[str, Any]) -> dict[str, Any] | None:
        return self.get(name)(session=session, report=report)


registry = HookRegistry()

from rooms.records.hooks import builtin as _builtin  # noqa: E402,F401  (registers the shipped hooks)
