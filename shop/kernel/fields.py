"""Field rules that the schemas share: text that shows what it says, and PATCH bodies."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

# Characters that hide or reorder what a text shows: zero-width and invisible
# characters, soft hyphens, the byte-order mark, fillers that look blank, tag
# characters, line and paragraph separators, and the bidi embeddings,
# overrides and isolates ("Kettle \u202egnp.exe" shows as "Kettle exe.png").
# (ZWJ and ZWNJ stay: emoji sequences and several scripts need them.)
_HIDING = frozenset(
    "\u00ad\u115f\u1160\u180e\u200b\u200e\u200f\u2028\u2029\u2060\u2061\u2062\u2063\u2064\u061c\u3164\ufeff\uffa0"
) | frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xE0000, 0xE0080)]))


def _refuse_hiding(text: str, allowed_controls: str) -> str:
    for char in text:
        if char in _HIDING:
            raise ValueError(f"must not contain invisible or reordering characters (U+{ord(char):04X})")
        if (char < " " or "\x7f" <= char <= "\x9f") and char not in allowed_controls:
            raise ValueError(f"must not contain control characters (U+{ord(char):04X})")
    return text


def one_line(text: str) -> str:
    """A name: no control characters, nothing that hides or reorders what it shows."""
    return _refuse_hiding(text, "")


def plain_text(text: str) -> str:
    """Longer text: like a name, but tabs and line breaks are fine."""
    return _refuse_hiding(text, "\t\n\r")


def _present(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null; leave the field out to keep it")
    return value


# On a PATCH field: absent means "keep", so an explicit null is a mistake (422).
NOT_NULL = BeforeValidator(_present)


def document_not_null(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The JSON Schema of a body says what NOT_NULL enforces: no null (a field left
    out, not a null, is what keeps or defaults it). A model's `json_schema_extra`."""
    for name, field in model.model_fields.items():
        if NOT_NULL not in field.metadata:
            continue
        prop = schema["properties"][name]
        prop.pop("default", None)
        choices = [choice for choice in prop.pop("anyOf", []) if choice != {"type": "null"}]
        if len(choices) == 1:
            prop.update({key: value for key, value in choices[0].items() if key not in prop or key != "description"})
        else:
            prop["anyOf"] = choices


def _document_changes(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The JSON Schema of a PATCH body says what `Changes` enforces: at least one
    field, and no null where NOT_NULL refuses it."""
    schema["minProperties"] = 1
    document_not_null(schema, model)


class Changes(BaseModel):
    """A PATCH body: known fields only, and at least one of them."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_document_changes)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set - {"current_password"}:
            fields = [name for name in type(self).model_fields if name != "current_password"]
            raise ValueError(f"Give at least one of {', '.join(fields)}.")
        return self
