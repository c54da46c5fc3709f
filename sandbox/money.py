"""Money as exact decimals, sent as strings with two fraction digits (MoneyAmountV1, e.g. "452.17")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
GST_RATE = Decimal("0.15")  # New Zealand GST
CURRENCY = "NZD"


def money(value: Decimal | str | int) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    return f"{money(value):.2f}"
