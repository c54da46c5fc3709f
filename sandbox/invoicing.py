"""Invoices (extension): minted when a supplier confirms a procurement, never before.

Lines are exactly the procurement's source items (sellable, part, quantity, unit price). Totals:
`subtotal` = sum of line totals, `shipping_total` (an extra field) = the procurement's shipping,
`tax_total` = 15% NZ GST on subtotal + shipping (rounded half up to the cent),
`total` = subtotal + shipping_total + tax_total. The currency is the procurement's `currency_code`.
"""

from __future__ import annotations

from datetime import datetime

from .money import GST_RATE, fmt, money
from .world import Invoice, Procurement, World


def invoice_for(world: World, procurement: Procurement, invoice_id: str, issued_at: datetime) -> Invoice:
    world.invoice_counter += 1
    lines = []
    subtotal = money(0)
    for item in procurement.items:
        line_total = money(item.unit_price * item.quantity)
        subtotal += line_total
        lines.append(
            {
                "job_part_id": item.job_part_id,
                "sellable_id": item.sellable_id,
                "description": item.description,
                "quantity": item.quantity,
                "unit_price": fmt(item.unit_price),
                "line_total": fmt(line_total),
            }
        )
    shipping = money(procurement.shipping_price)
    tax = money((subtotal + shipping) * GST_RATE)
    return Invoice(
        id=invoice_id,
        procurement_id=procurement.id,
        number=f"INV-{world.invoice_counter}",
        kind="invoice",
        currency_code=procurement.currency_code,
        issued_at=issued_at,
        lines=lines,
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax,
        total=subtotal + shipping + tax,
    )
