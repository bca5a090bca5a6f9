"""The rules of options and variant values, pure: what a variant must name, what
makes two variants the same, and how a product's options may change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from shop.kernel import codec
from shop.kernel.errors import Conflict, Invalid
from shop.kernel.names import name_key
from shop.products.schemas import Option


class OptionSet(NamedTuple):
    """A product's options as stored: [(name, [values])], in order."""

    options: list[tuple[str, list[str]]]

    @classmethod
    def stored(cls, text: str) -> OptionSet:
        return cls([(option["name"], list(option["values"])) for option in codec.loads(text)])

    @classmethod
    def given(cls, options: Sequence[Option]) -> OptionSet:
        return cls([(option.name, list(option.values)) for option in options])

    def json(self) -> str:
        return codec.dumps([{"name": name, "values": values} for name, values in self.options]).decode()

    def values_of(self, given: dict[str, str], loc: list[str | int]) -> tuple[dict[str, str], str]:
        """A variant's values as the product spells them, and their key (what makes
        two variants the same); 422 at `loc` unless they name exactly one value of
        each option."""
        by_key = {name_key(name): value for name, value in given.items()}
        if len(by_key) < len(given):
            raise Invalid.at(loc, "An option is named twice (ignoring case): name each option once.")
        errors: list[dict[str, Any]] = []
        values: dict[str, str] = {}
        for name, allowed in self.options:
            value = by_key.pop(name_key(name), None)
            if value is None:
                errors.append({"loc": [*loc, name], "msg": f"Give a value of the option {name!r}."})
                continue
            spelled = {name_key(each): each for each in allowed}.get(name_key(value))
            if spelled is None:
                errors.append({"loc": [*loc, name], "msg": f"{value!r} is not a value of {name!r}: {allowed}."})
            else:
                values[name] = spelled
        unknown = [name for name in given if name_key(name) in by_key]
        errors += [{"loc": [*loc, name], "msg": "The product has no such option."} for name in unknown]
        if errors:
            raise Invalid("A variant names exactly one value of each of its product's options.", errors=errors)
        return values, key_of(values, self)

    def changed_to(self, new: OptionSet, used: Sequence[dict[str, str]]) -> dict[str, str]:
        """Check that `new` only renames options or adds (or drops unused) values,
        else 409; the renames, old name to new."""
        if len(new.options) != len(self.options):
            raise Conflict("Options can be renamed or given more values, not added or removed: make a new product.")
        old_names = [name_key(name) for name, _ in self.options]
        for index, (name, _) in enumerate(new.options):
            if name_key(name) in old_names and old_names.index(name_key(name)) != index:
                raise Conflict("Options keep their order: one moved would change every variant's values.")
        renames = {}
        for (old_name, _), (new_name, new_values) in zip(self.options, new.options, strict=True):
            if old_name != new_name:
                renames[old_name] = new_name
            kept = {name_key(value) for value in new_values}
            for values in used:
                value = values.get(old_name)
                if value is not None and name_key(value) not in kept:
                    raise Conflict(f"The value {value!r} of {old_name!r} is used by an active variant: keep it.")
        return renames


def key_of(values: dict[str, str], options: OptionSet) -> str:
    """What makes two variants of a product the same: their values, case folded, in the options' order."""
    return codec.dumps([name_key(values[name]) for name, _ in options.options]).decode()


def renamed(values: dict[str, str], renames: dict[str, str]) -> dict[str, str]:
    return {renames.get(name, name): value for name, value in values.items()}
