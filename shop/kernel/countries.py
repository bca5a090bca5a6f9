"""Countries: ISO 3166-1 alpha-2 codes that are assigned (pycountry's list), in upper case."""

from __future__ import annotations

from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field

# Read once: pycountry loads its data on first use.
ASSIGNED: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


def assigned(code: str) -> str:
    """The code as given, when it is an assigned ISO 3166-1 alpha-2 code in upper case."""
    if code not in ASSIGNED:
        if code.upper() in ASSIGNED:
            raise ValueError(f"must be in upper case: {code.upper()!r}")
        raise ValueError("must be an assigned ISO 3166-1 alpha-2 country code, such as DE or US")
    return code


# The pattern is the schema's only: the validator says more than a pattern would ("must be in upper case").
Country = Annotated[
    str,
    AfterValidator(assigned),
    Field(
        examples=["DE"],
        description="An assigned ISO 3166-1 alpha-2 code, in upper case.",
        json_schema_extra={"pattern": "^[A-Z]{2}$", "minLength": 2, "maxLength": 2},
    ),
]
