"""Helpers for "The Price is Right": estimate an Amazon product's price from its description.

Each module is one stage of the course; notebooks import what they teach with. Nothing runs on
import: no seeding, logins or downloads.
"""

__version__ = "0.1.0"
