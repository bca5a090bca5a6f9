"""Who is asking: the user behind a request, as the rules see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated user, with the role stored now (not the one in their token)."""

    id: int
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
