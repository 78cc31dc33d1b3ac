"""Payments: pay links issued in conversations (the Stripe pay page comes later)."""
