"""One way to name a band everywhere: validate, test --coverage, analyze and the try-it page.

A band is named by its outcome and bounds as written — "band 'letting-go' (12 to 24)", "band
'wait' (4 to below 6)" — and a variant's band adds where it is, in the key-path form every
message uses ("in decision.variants[0]"), so no message counts bands from 0 or from 1.
"""

from __future__ import annotations

from assessments.models.ruleset import Band


def _number(value: float) -> str:
    return f"{value:g}"


def band_name(band: Band, variant: int | None = None) -> str:
    """Give "band 'OUTCOME' (MIN to MAX)", with "in decision.variants[i]" for a variant's band."""
    top = _number(band.max) if band.max is not None else f"below {_number(band.below or 0)}"
    where = f" in decision.variants[{variant}]" if variant is not None and variant >= 0 else ""
    return f"band '{band.outcome}' ({_number(band.min)} to {top}){where}"
