"""A synthetic Amazon product catalog in the real raw metadata schema: smoke mode's offline data.

Smoke runs read these files instead of McAuley-Lab/Amazon-Reviews-2023's raw metadata. Each
record has the same fields and types as the real JSONL (``main_category``, ``title``,
``features``, ``description``, ``price``, ``details`` with a nested "Best Sellers Rank", ...).
A product's price follows from its type, brand and attributes (size, capacity, pack count,
material, "Pro" tiers), all of which show in its text, times lognormal noise: a text model
can learn it, a constant cannot. The real data's defects appear at low, seeded rates:
missing and out-of-range prices, too little text, odd weight units, a details key whose
value type varies, empty details.

Item ``i`` of a category comes from its own random generator seeded by (seed, category, i),
so the first k records never change when the catalog grows.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import base64
import json
import math
import os
import random
import tempfile
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

from helpers.config import CATEGORIES
from helpers.prompts import PRICE_PREFIX, QUESTION

GENERATOR_VERSION = 1  # bump when records change, so written catalogs are regenerated
SIDECAR = "catalog.json"
SHAPES = ("raw", "converted")

# Defect rates (per record, independent draws).
P_NO_PRICE = 0.05
P_OUT_OF_RANGE = 0.02
OUT_OF_RANGE_PRICES = (0.0, 0.25, 1500.0, 2400.0)
P_LITTLE_TEXT = 0.03
P_ODD_WEIGHT = 0.02
P_NO_DETAILS = 0.02
P_ITEMS_AS_INT = 0.3  # "Number of Items" is the int 2 here, the string "2" otherwise
PRICE_SIGMA = 0.25  # lognormal noise on top of the price the text implies

# --------------------------------------------------------------------------------------
# Attributes that change price: name -> (details key or None, title position, options).
# Each option is (label, price multiplier, weight multiplier). "pre" labels go before the
# product type in the title ("Pro Cordless Drill"), "post" labels after it.
# --------------------------------------------------------------------------------------
Option = tuple[str, float, float]

AXES: dict[str, tuple[str | None, str, tuple[Option, ...]]] = {
    "tier": (None, "pre", (("", 1.0, 1.0), ("Plus", 1.3, 1.1), ("Pro", 1.75, 1.25), ("Ultra", 2.3, 1.35))),
    "pack": ("Number of Items", "post", (("1 Pack", 1.0, 1.0), ("2 Pack", 1.75, 2.0), ("4 Pack", 3.0, 4.0), ("6 Pack", 4.2, 6.0))),
    "count": ("Number of Items", "post", (("12 Count", 1.0, 1.0), ("24 Count", 1.7, 2.0), ("50 Count", 3.0, 4.0), ("100 Count", 5.0, 8.0))),
    "size": ("Size", "post", (("Small", 0.8, 0.7), ("Medium", 1.0, 1.0), ("Large", 1.3, 1.4), ("X-Large", 1.6, 1.8))),
    "material": ("Material", "pre", (("Plastic", 0.75, 0.8), ("Aluminum", 1.0, 1.0), ("Stainless Steel", 1.35, 1.4), ("Carbon Fiber", 2.0, 0.7))),
    "cable_len": ("Cable Length", "post", (("3 ft", 0.8, 0.6), ("6 ft", 1.0, 1.0), ("10 ft", 1.3, 1.5), ("15 ft", 1.6, 2.2), ("25 ft", 2.2, 3.5))),
    "storage": ("Digital Storage Capacity", "post", (("256GB", 0.55, 1.0), ("512GB", 0.8, 1.0), ("1TB", 1.0, 1.0), ("2TB", 1.7, 1.0), ("4TB", 3.0, 1.0))),
    "screen": ("Screen Size", "pre", (("22 Inch", 0.7, 0.7), ("24 Inch", 0.85, 0.85), ("27 Inch", 1.0, 1.0), ("32 Inch", 1.4, 1.4), ("34 Inch Ultrawide", 1.9, 1.6))),
    "tv": ("Screen Size", "pre", (("32 Inch", 0.5, 0.4), ("43 Inch", 0.75, 0.65), ("55 Inch", 1.0, 1.0), ("65 Inch", 1.45, 1.5))),
    "watt": ("Wattage", "post", (("300W", 0.7, 0.8), ("600W", 1.0, 1.0), ("1000W", 1.35, 1.2), ("1500W", 1.8, 1.4))),
    "volt": ("Voltage", "pre", (("12V", 0.75, 0.8), ("20V", 1.0, 1.0), ("40V", 1.55, 1.4))),
    "kit": (None, "post", (("Tool Only", 0.6, 0.7), ("Kit with 2.0Ah Battery and Charger", 1.0, 1.0), ("Kit with 2 Batteries, Charger and Bag", 1.45, 1.3))),
    "cuft": ("Capacity", "pre", (("0.7 Cu Ft", 0.75, 0.75), ("1.1 Cu Ft", 1.0, 1.0), ("1.6 Cu Ft", 1.3, 1.3), ("2.2 Cu Ft", 1.65, 1.6))),
    "fridge": ("Capacity", "pre", (("1.7 Cu Ft", 0.6, 0.5), ("3.1 Cu Ft", 1.0, 1.0), ("4.5 Cu Ft", 1.35, 1.4))),
    "quart": ("Capacity", "pre", (("3 Quart", 0.7, 0.7), ("5 Quart", 1.0, 1.0), ("8 Quart", 1.35, 1.4))),
    "finish": ("Finish Type", "post", (("Chrome", 1.0, 1.0), ("Brushed Nickel", 1.2, 1.0), ("Matte Black", 1.25, 1.0), ("Stainless Steel", 1.3, 1.1))),
    "pieces": ("Number of Pieces", "post", (("150 Pieces", 0.5, 0.5), ("400 Pieces", 1.0, 1.0), ("900 Pieces", 1.8, 1.9), ("2,000 Pieces", 3.2, 3.6))),
    "puzzle": ("Number of Pieces", "post", (("300 Pieces", 0.75, 0.6), ("500 Pieces", 0.9, 0.8), ("1000 Pieces", 1.0, 1.0), ("3000 Pieces", 1.9, 2.4))),
    "tools": ("Number of Pieces", "post", (("24-Piece", 0.6, 0.5), ("56-Piece", 1.0, 1.0), ("120-Piece", 1.7, 1.8), ("230-Piece", 2.6, 2.9))),
    "phone": ("Compatible Phone Models", "post", (("for iPhone 15", 1.0, 1.0), ("for iPhone 14 Pro Max", 1.0, 1.0), ("for Galaxy S24 Ultra", 1.0, 1.0), ("for Pixel 8", 1.0, 1.0))),
    "charger": ("Wattage", "pre", (("20W", 0.75, 0.8), ("35W", 1.0, 1.0), ("65W", 1.5, 1.4), ("100W", 2.1, 1.8))),
    "mah": ("Battery Capacity", "pre", (("5000mAh", 0.6, 0.5), ("10000mAh", 1.0, 1.0), ("20000mAh", 1.5, 1.7), ("26800mAh", 2.0, 2.2))),
    "phone_storage": ("Memory Storage Capacity", "post", (("64GB", 0.65, 1.0), ("128GB", 1.0, 1.0), ("256GB", 1.35, 1.0), ("512GB", 1.9, 1.0))),
    "keys": ("Number of Keys", "pre", (("61-Key", 0.55, 0.5), ("76-Key", 0.8, 0.75), ("88-Key Weighted", 1.25, 1.4))),
    "amp": ("Output Wattage", "pre", (("10 Watt", 0.45, 0.5), ("30 Watt", 0.8, 0.8), ("50 Watt", 1.0, 1.0), ("100 Watt", 1.6, 1.5))),
    "amps": ("Peak Current", "pre", (("1000A", 0.7, 0.7), ("2000A", 1.0, 1.0), ("3000A", 1.35, 1.3), ("4000A", 1.7, 1.6))),
    "tons": ("Maximum Weight Recommendation", "pre", (("2 Ton", 0.7, 0.7), ("3 Ton", 1.0, 1.0), ("4 Ton", 1.45, 1.4))),
    "rows": (None, "post", (("Front Row Only", 0.6, 0.55), ("Front and Rear", 1.0, 1.0), ("3 Row Full Set", 1.4, 1.45))),
    "res": ("Video Capture Resolution", "pre", (("1080p", 0.8, 1.0), ("2K", 1.0, 1.0), ("4K", 1.6, 1.05))),
    "ounces": ("Size", "post", (("8 oz", 0.65, 0.5), ("16 oz", 1.0, 1.0), ("32 oz", 1.6, 2.0), ("1 Gallon", 3.4, 8.0))),
    "outlets": ("Number of Outlets", "pre", (("6 Outlet", 0.7, 0.7), ("8 Outlet", 1.0, 1.0), ("12 Outlet", 1.5, 1.4))),
    "ports": (None, "pre", (("4-in-1", 0.7, 0.8), ("7-in-1", 1.0, 1.0), ("11-in-1", 1.6, 1.3))),
    "reams": ("Number of Items", "post", (("1 Ream", 0.2, 0.2), ("5 Reams", 1.0, 1.0), ("10 Reams", 1.8, 2.0))),
    "sheets": ("Sheet Capacity", "pre", (("8-Sheet", 0.6, 0.6), ("12-Sheet", 1.0, 1.0), ("18-Sheet", 1.6, 1.5), ("24-Sheet", 2.4, 2.1))),
    "board": ("Size", "post", (("24 x 18 Inches", 0.55, 0.45), ("36 x 24 Inches", 1.0, 1.0), ("48 x 36 Inches", 1.6, 1.8), ("72 x 40 Inches", 2.6, 3.0))),
    "calc": (None, "pre", (("Basic", 0.45, 0.9), ("Scientific", 1.0, 1.0), ("Financial", 2.0, 1.0), ("Graphing", 5.0, 1.4))),
    "drawers": ("Number of Drawers", "pre", (("2-Drawer", 0.65, 0.6), ("3-Drawer", 1.0, 1.0), ("4-Drawer", 1.4, 1.4))),
    "gallon": ("Capacity", "pre", (("3 Gallon", 0.6, 0.55), ("6 Gallon", 1.0, 1.0), ("12 Gallon", 1.45, 1.5), ("16 Gallon", 1.8, 1.8))),
    "psi": ("Maximum Pressure", "pre", (("1800 PSI", 0.6, 0.7), ("2300 PSI", 0.85, 0.9), ("3100 PSI", 1.35, 1.6), ("4200 PSI", 2.2, 2.4))),
    "cord": ("Length", "post", (("10 ft", 0.65, 0.5), ("25 ft", 1.0, 1.0), ("50 ft", 1.6, 2.0), ("100 ft", 2.6, 3.8))),
    "ladder": ("Maximum Height", "pre", (("4 ft", 0.55, 0.5), ("6 ft", 0.8, 0.8), ("8 ft", 1.0, 1.0), ("12 ft", 1.5, 1.6))),
    "fan": ("Blade Length", "pre", (("42 Inch", 0.75, 0.8), ("52 Inch", 1.0, 1.0), ("60 Inch", 1.35, 1.3))),
    "ride": ("Voltage", "pre", (("6V", 0.55, 0.6), ("12V", 1.0, 1.0), ("24V", 1.6, 1.5))),
    "tramp": ("Size", "pre", (("8 ft", 0.55, 0.55), ("12 ft", 1.0, 1.0), ("15 ft", 1.4, 1.45))),
    "ice": ("Capacity", "post", (("26 lbs per Day", 0.8, 0.9), ("33 lbs per Day", 1.0, 1.0), ("45 lbs per Day", 1.35, 1.3))),
    "hood": ("Size", "pre", (("24 Inch", 0.8, 0.8), ("30 Inch", 1.0, 1.0), ("36 Inch", 1.35, 1.3))),
    "btu": ("Cooling Power", "pre", (("6,000 BTU", 0.65, 0.7), ("8,000 BTU", 0.85, 0.85), ("10,000 BTU", 1.0, 1.0), ("12,000 BTU", 1.25, 1.2))),
    "bottles": ("Capacity", "pre", (("12 Bottle", 0.5, 0.5), ("24 Bottle", 0.8, 0.8), ("46 Bottle", 1.2, 1.3))),
    "hp": ("Horsepower", "pre", (("1/3 HP", 0.6, 0.7), ("1/2 HP", 0.8, 0.85), ("3/4 HP", 1.0, 1.0), ("1 HP", 1.3, 1.2))),
    "strings": ("Number of Items", "post", (("1 Set", 1.0, 1.0), ("3 Sets", 2.5, 3.0), ("10 Sets", 7.0, 10.0))),
    "uke": ("Size", "pre", (("Soprano", 0.75, 0.8), ("Concert", 1.0, 1.0), ("Tenor", 1.3, 1.2))),
    "io": (None, "pre", (("2-in/2-out", 0.7, 0.8), ("4-in/4-out", 1.0, 1.0), ("8-in/8-out", 2.1, 1.6))),
    "woofer": ("Speaker Size", "pre", (("4 Inch", 0.55, 0.6), ("5 Inch", 0.8, 0.8), ("8 Inch", 1.2, 1.4))),
    "edition": (None, "post", (("Base Game", 1.0, 1.0), ("Deluxe Edition", 1.6, 1.3), ("Collector's Edition", 2.7, 1.7))),
    "speaker": ("Output Wattage", "pre", (("10W", 0.6, 0.6), ("20W", 1.0, 1.0), ("40W", 1.5, 1.6), ("80W", 2.3, 2.5))),
    "wiper": ("Size", "post", (("16 Inch", 0.9, 0.85), ("20 Inch", 1.0, 1.0), ("26 Inch", 1.15, 1.2))),
    "wash": ("Capacity", "pre", (("0.9 Cu Ft", 0.65, 0.6), ("1.6 Cu Ft", 1.0, 1.0), ("2.1 Cu Ft", 1.35, 1.3))),
}

# --------------------------------------------------------------------------------------
# Product types: (name, base price $, base weight lb, dimensions in, breadcrumb, axes,
# what it does, selling points). Rough US street prices for a mid-range brand.
# --------------------------------------------------------------------------------------
ProductType = tuple[str, float, float, tuple[float, float, float], tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]

TYPES: dict[str, tuple[ProductType, ...]] = {
    "Automotive": (
        ("Microfiber Wash Mitt", 8, 0.3, (10, 7, 2), ("Car Care", "Exterior Care", "Car Wash Equipment"), ("pack",), "lifts dirt and road grime away from the paint without leaving swirl marks", ("ultra plush chenille", "scratch free", "machine washable")),
        ("Carnauba Car Wax", 16, 1.0, (6, 6, 3), ("Car Care", "Exterior Care", "Finishing", "Waxes"), ("ounces",), "leaves a deep, wet-look shine and a hydrophobic layer that beads water for months", ("pure carnauba blend", "UV protection", "easy on, easy off")),
        ("Wiper Blades", 22, 0.8, (24, 3, 2), ("Replacement Parts", "Wipers & Washers", "Wiper Blades"), ("wiper",), "clears rain, sleet and snow in a single streak-free pass", ("all season rubber", "beam design", "quick connect adapter")),
        ("Engine Air Filter", 17, 0.7, (11, 9, 2), ("Replacement Parts", "Filters", "Air Filters"), ("pack",), "traps dust, pollen and debris before it reaches the engine", ("multi layer media", "precise fit", "improves airflow")),
        ("LED Headlight Bulbs", 36, 0.6, (7, 5, 3), ("Lights & Lighting Accessories", "Bulbs", "Headlight Bulbs"), ("tier",), "puts out a bright, white beam that lights up the road and the shoulders", ("6500K cool white", "plug and play", "built-in cooling fan")),
        ("Car Floor Mats", 58, 7.0, (30, 20, 4), ("Interior Accessories", "Floor Mats & Cargo Liners", "Floor Mats"), ("rows", "material"), "catches mud, snow, sand and spills before they reach the carpet", ("raised edges", "anti-slip backing", "trim to fit")),
        ("Car Phone Mount", 19, 0.4, (6, 4, 3), ("Interior Accessories", "Consoles & Organizers"), ("tier",), "holds your phone steady on the dash or vent for hands-free navigation", ("one touch release", "360 degree rotation", "strong suction")),
        ("Portable Tire Inflator", 45, 3.0, (9, 6, 4), ("Tools & Equipment", "Garage & Shop", "Air Compressors & Inflators"), ("tier",), "tops up tires to the exact pressure you set and shuts off automatically", ("digital pressure gauge", "auto shut-off", "built-in LED light")),
        ("Jump Starter", 85, 2.6, (8, 4, 2), ("Tools & Equipment", "Jump Starters, Battery Chargers & Portable Power"), ("amps",), "starts a dead battery in seconds without another vehicle", ("spark proof clamps", "USB power bank", "reverse polarity protection")),
        ("Dash Cam", 70, 0.6, (4, 3, 2), ("Electronics", "Vehicle Electronics", "Dash Cams"), ("res", "tier"), "records every drive in sharp detail and saves clips when it senses a collision", ("night vision", "loop recording", "G-sensor")),
        ("Car Battery", 165, 40.0, (12, 7, 8), ("Replacement Parts", "Batteries & Accessories", "Vehicle Batteries"), ("tier",), "delivers reliable cold cranking power in freezing winters and hot summers", ("AGM technology", "spill proof", "maintenance free")),
        ("Ceramic Brake Pads Set", 48, 5.0, (8, 6, 3), ("Replacement Parts", "Brake System", "Brake Pads"), ("tier",), "stops smoothly and quietly with low dust and long life", ("low dust formula", "shims and hardware included", "chamfered and slotted")),
        ("Car Seat Covers", 42, 4.0, (16, 12, 5), ("Interior Accessories", "Seat Covers & Accessories", "Seat Covers"), ("rows", "material"), "protects the original upholstery from wear, stains and pet hair", ("airbag compatible", "universal fit", "breathable")),
        ("Car Cover", 65, 8.0, (18, 14, 6), ("Exterior Accessories", "Covers", "Full Exterior Covers"), ("size",), "shields the finish from sun, rain, snow, bird droppings and dust", ("waterproof layers", "soft inner lining", "windproof straps")),
        ("Hitch Cargo Carrier", 175, 45.0, (60, 20, 6), ("Exterior Accessories", "Towing Products & Winches", "Hitch Cargo Carriers"), ("material",), "adds rear cargo space for coolers, luggage and camping gear", ("500 lb capacity", "folding shank", "rust resistant coating")),
        ("OBD2 Scanner", 55, 0.8, (8, 4, 2), ("Tools & Equipment", "Diagnostic, Test & Measurement Tools", "Code Readers & Scan Tools"), ("tier",), "reads and clears check engine codes and shows live sensor data", ("color display", "live data stream", "free lifetime updates")),
        ("Hydraulic Floor Jack", 150, 60.0, (27, 13, 7), ("Tools & Equipment", "Jacks & Lifting Equipment", "Floor Jacks"), ("tons",), "lifts cars, trucks and SUVs quickly with a few pumps of the handle", ("dual piston pump", "wide lifting range", "safety overload valve")),
    ),
    "Electronics": (
        ("HDMI Cable", 9, 0.3, (8, 6, 1), ("Television & Video", "Accessories", "Cables", "HDMI Cables"), ("cable_len", "pack"), "carries 4K video and high resolution audio between your devices", ("48Gbps bandwidth", "gold plated connectors", "braided jacket")),
        ("USB C Hub", 28, 0.3, (5, 2, 1), ("Computers & Accessories", "Laptop Accessories", "USB Hubs"), ("ports",), "adds HDMI, USB A, SD card and charging ports to a single laptop port", ("100W pass-through charging", "aluminum shell", "plug and play")),
        ("Wireless Earbuds", 45, 0.2, (4, 3, 2), ("Headphones, Earbuds & Accessories", "Earbuds"), ("tier",), "delivers rich sound with deep bass and clear calls without any wires", ("active noise cancelling", "30 hour battery", "IPX5 waterproof")),
        ("Over-Ear Headphones", 85, 0.7, (8, 7, 3), ("Headphones, Earbuds & Accessories", "Headphones", "Over-Ear Headphones"), ("tier",), "wraps your ears in detailed, immersive sound for music, movies and calls", ("memory foam cushions", "40mm drivers", "foldable design")),
        ("Bluetooth Speaker", 45, 1.5, (7, 3, 3), ("Portable Audio & Video", "Portable Speakers & Docks", "Portable Bluetooth Speakers"), ("speaker",), "fills a room or a campsite with loud, balanced sound", ("waterproof", "stereo pairing", "24 hour playtime")),
        ("Computer Monitor", 190, 12.0, (24, 8, 17), ("Computers & Accessories", "Monitors"), ("screen",), "shows crisp, colorful images with thin bezels for work and gaming", ("IPS panel", "165Hz refresh rate", "eye care technology")),
        ("Portable SSD", 85, 0.2, (4, 2, 1), ("Computers & Accessories", "Data Storage", "External Solid State Drives"), ("storage",), "moves large files at up to 1050MB/s and fits in a pocket", ("USB 3.2 Gen 2", "drop resistant", "hardware encryption")),
        ("Webcam", 45, 0.4, (4, 3, 2), ("Computers & Accessories", "Computer Accessories & Peripherals", "Webcams"), ("res",), "streams sharp video with natural color for meetings and classes", ("dual microphones", "auto light correction", "privacy cover")),
        ("Wireless Mouse", 19, 0.2, (5, 3, 2), ("Computers & Accessories", "Computer Accessories & Peripherals", "Keyboards, Mice & Accessories", "Mice"), ("tier",), "glides smoothly on almost any surface with precise tracking", ("silent clicks", "ergonomic shape", "18 month battery")),
        ("Mechanical Keyboard", 70, 2.2, (17, 6, 2), ("Computers & Accessories", "Computer Accessories & Peripherals", "Keyboards, Mice & Accessories", "Keyboards"), ("tier",), "types with crisp, tactile feedback and durable hot-swappable switches", ("RGB backlight", "hot swappable switches", "anti-ghosting")),
        ("Surge Protector Power Strip", 22, 1.6, (12, 4, 2), ("Accessories & Supplies", "Power Protection", "Surge Protectors"), ("outlets",), "protects computers and TVs from power spikes while charging everything at once", ("USB ports", "flat plug", "fire resistant housing")),
        ("TV Wall Mount", 35, 6.0, (20, 12, 3), ("Television & Video", "Accessories", "TV Mounts, Stands & Turntables", "TV Wall & Ceiling Mounts"), ("tier",), "holds a flat screen TV securely and tilts or swivels to cut glare", ("full motion", "VESA compatible", "hardware included")),
        ("Wi-Fi Router", 110, 1.8, (10, 7, 2), ("Computers & Accessories", "Networking Products", "Routers"), ("tier",), "covers the whole home with fast, stable wireless internet", ("Wi-Fi 6", "parental controls", "gigabit ports")),
        ("Soundbar", 170, 8.0, (36, 4, 3), ("Home Audio", "Speakers", "Sound Bars"), ("tier",), "upgrades thin TV sound with clear dialogue and cinematic bass", ("wireless subwoofer", "Dolby Atmos", "HDMI eARC")),
        ("Streaming Media Player", 38, 0.4, (5, 4, 2), ("Television & Video", "Streaming Media Players"), ("tier",), "streams your favorite apps in 4K HDR with a voice remote", ("voice remote", "Dolby Vision", "fast Wi-Fi")),
        ("Security Camera", 55, 0.8, (5, 4, 3), ("Camera & Photo", "Video Surveillance", "Surveillance Cameras"), ("res", "pack"), "watches over your home day and night and sends alerts to your phone", ("color night vision", "two way audio", "weatherproof")),
        ("Smart TV", 420, 28.0, (48, 10, 30), ("Television & Video", "Televisions"), ("tv",), "streams, games and displays movies in brilliant 4K UHD", ("4K UHD", "HDR10", "built-in voice assistant")),
        ("AA Batteries", 11, 1.0, (6, 4, 1), ("Household Batteries, Chargers & Accessories", "Household Batteries", "AA"), ("count",), "powers remotes, toys, flashlights and clocks with long lasting energy", ("10 year shelf life", "leak resistant", "alkaline")),
        ("Projector", 240, 7.0, (12, 9, 4), ("Television & Video", "Projectors", "Video Projectors"), ("res", "tier"), "turns any wall into a big screen for movies, sports and games", ("native 1080p", "keystone correction", "built-in speaker")),
    ),
    "Office_Products": (
        ("Gel Pens", 9, 0.4, (7, 4, 1), ("Office & School Supplies", "Writing & Correction Supplies", "Pens & Refills", "Gel Ink Rollerball Pens"), ("count",), "writes smoothly with bold, quick drying ink that does not smear", ("0.7mm fine point", "comfort grip", "quick dry ink")),
        ("Sticky Notes", 10, 0.9, (6, 6, 3), ("Office & School Supplies", "Paper", "Notebooks & Writing Pads", "Self-Stick Notes"), ("count",), "sticks securely to paper, walls and monitors and removes cleanly", ("super sticky", "3 x 3 inches", "bright colors")),
        ("Copy Paper", 45, 25.0, (17, 11, 10), ("Office & School Supplies", "Paper", "Copy & Multipurpose Paper"), ("reams",), "runs jam free through printers and copiers with crisp, bright results", ("92 bright", "20 lb weight", "acid free")),
        ("Heavy Duty Stapler", 16, 0.9, (8, 3, 3), ("Office & School Supplies", "Staplers & Punches", "Staplers"), ("tier",), "staples stacks of paper with one easy press and no jams", ("jam free design", "20 sheet capacity", "non skid base")),
        ("Desk Organizer", 24, 2.2, (12, 7, 6), ("Office & School Supplies", "Desk Accessories & Workspace Organizers", "Desk Organizers"), ("material",), "keeps pens, notes, files and gadgets tidy and within reach", ("multiple compartments", "sturdy build", "easy assembly")),
        ("Label Maker", 38, 1.2, (8, 4, 2), ("Office Electronics", "Label Makers"), ("tier",), "prints durable labels for folders, cables, shelves and pantry jars", ("QWERTY keyboard", "multiple fonts", "thermal printing")),
        ("Thermal Laminator", 40, 5.0, (15, 5, 4), ("Office Electronics", "Laminators"), ("tier",), "seals documents, photos and badges in a clear protective film", ("4 minute warm up", "jam release lever", "hot and cold settings")),
        ("Paper Shredder", 85, 18.0, (14, 10, 18), ("Office Electronics", "Shredders"), ("sheets",), "cross cuts documents, credit cards and junk mail to protect your privacy", ("cross cut", "overheat protection", "pull out basket")),
        ("Ergonomic Office Chair", 180, 40.0, (26, 26, 14), ("Office Furniture & Lighting", "Chairs & Sofas", "Desk Chairs"), ("tier", "material"), "supports your back, neck and arms through long days at the desk", ("adjustable lumbar support", "breathable mesh", "tilt lock")),
        ("Standing Desk Converter", 160, 35.0, (32, 22, 6), ("Office Furniture & Lighting", "Desks & Workstations", "Sit-Stand Desk Converters"), ("size",), "raises your monitor and keyboard so you can switch between sitting and standing", ("gas spring lift", "keyboard tray", "fully assembled")),
        ("Magnetic Whiteboard", 42, 10.0, (36, 24, 1), ("Office & School Supplies", "Presentation Boards", "Dry-Erase Boards"), ("board",), "wipes clean without ghosting and holds magnets for reminders", ("aluminum frame", "marker tray", "wall mounting kit")),
        ("Calculator", 22, 0.4, (7, 4, 1), ("Office Electronics", "Calculators"), ("calc",), "solves everyday and exam math quickly with a clear, multi-line display", ("solar and battery power", "large display", "protective cover")),
        ("Ink Cartridges", 38, 0.4, (6, 4, 2), ("Office & School Supplies", "Printer Ink & Toner", "Inkjet Printer Ink"), ("pack",), "prints sharp text and vivid photos page after page", ("high yield", "chip included", "easy installation")),
        ("Filing Cabinet", 150, 45.0, (18, 15, 28), ("Office Furniture & Lighting", "Cabinets, Racks & Shelves", "File Cabinets"), ("drawers",), "stores letter and legal files securely with smooth gliding drawers", ("locking drawers", "anti tip design", "full extension glides")),
        ("Three Ring Binders", 15, 3.0, (12, 11, 3), ("Office & School Supplies", "Binders & Binding Systems", "Binders"), ("pack",), "keeps reports and class notes organized and protected", ("clear view cover", "D-ring", "inside pockets")),
        ("Monitor Stand Riser", 27, 4.0, (21, 9, 4), ("Office & School Supplies", "Desk Accessories & Workspace Organizers", "Monitor Stands"), ("material",), "lifts your screen to eye level and frees up space underneath", ("storage drawer", "non slip pads", "holds 44 lbs")),
        ("LED Desk Lamp", 32, 2.4, (16, 6, 6), ("Office Furniture & Lighting", "Lamps & Lighting", "Desk Lamps"), ("tier",), "lights your workspace with flicker free, adjustable light", ("5 color modes", "USB charging port", "touch control")),
    ),
    "Tools_and_Home_Improvement": (
        ("Cordless Drill", 85, 3.5, (10, 8, 3), ("Power & Hand Tools", "Power Tools", "Drills", "Pistol Grip Drills"), ("volt", "kit"), "drills holes and drives screws in wood, metal and drywall", ("2 speed gearbox", "LED work light", "keyless chuck")),
        ("Impact Driver", 100, 3.0, (9, 7, 3), ("Power & Hand Tools", "Power Tools", "Drills", "Impact Drivers"), ("volt", "kit"), "drives long lag screws and bolts with high torque and little effort", ("brushless motor", "1800 in-lbs torque", "quick change chuck")),
        ("Circular Saw", 110, 9.0, (14, 10, 10), ("Power & Hand Tools", "Power Tools", "Saws", "Circular Saws"), ("tier",), "makes fast, straight cuts through lumber and plywood", ("7-1/4 inch blade", "bevel adjustment", "electric brake")),
        ("Screwdriver Set", 22, 1.6, (10, 6, 2), ("Power & Hand Tools", "Hand Tools", "Screwdrivers & Nut Drivers", "Screwdriver Sets"), ("tools",), "handles every screw around the house with magnetic tips", ("magnetic tips", "cushion grip", "storage case")),
        ("Mechanics Socket Set", 60, 9.0, (17, 10, 3), ("Power & Hand Tools", "Hand Tools", "Sockets & Socket Sets"), ("tools",), "covers SAE and metric fasteners for cars, bikes and home repairs", ("72 tooth ratchet", "chrome vanadium steel", "blow molded case")),
        ("Tape Measure", 12, 0.7, (3, 3, 2), ("Measuring & Layout Tools", "Tape Measures"), ("cord",), "measures accurately with a stiff blade that stands out far", ("magnetic hook", "nylon coated blade", "belt clip")),
        ("Stud Finder", 25, 0.4, (6, 3, 1), ("Measuring & Layout Tools", "Stud Finders"), ("tier",), "locates wood and metal studs and live AC wires behind drywall", ("LCD display", "center finding", "AC wire warning")),
        ("LED Shop Light", 30, 3.0, (48, 3, 2), ("Lighting & Ceiling Fans", "Commercial Lighting", "Shop Lights"), ("pack",), "brightens garages, basements and workshops with even, shadow free light", ("5000 lumens", "linkable", "hanging chains included")),
        ("Smart Light Bulbs", 20, 0.4, (5, 3, 3), ("Lighting & Ceiling Fans", "Light Bulbs", "LED Bulbs"), ("pack",), "changes color and brightness from your phone or voice assistant", ("16 million colors", "no hub required", "schedules and timers")),
        ("Ceiling Fan with Light", 150, 18.0, (28, 12, 10), ("Lighting & Ceiling Fans", "Ceiling Fans"), ("fan", "finish"), "cools the room quietly and lights it with a dimmable LED kit", ("reversible motor", "remote control", "dimmable LED")),
        ("Kitchen Faucet", 110, 6.0, (20, 10, 4), ("Kitchen & Bath Fixtures", "Kitchen Fixtures", "Kitchen Sink Faucets"), ("finish",), "pulls down to rinse dishes and switches between stream and spray", ("pull down sprayer", "ceramic cartridge", "single handle")),
        ("Shower Head", 35, 1.5, (10, 6, 4), ("Kitchen & Bath Fixtures", "Bathroom Fixtures", "Showerheads"), ("finish",), "delivers a powerful, relaxing spray even at low water pressure", ("6 spray settings", "anti clog nozzles", "tool free install")),
        ("Smart Door Lock", 140, 4.0, (10, 6, 4), ("Safety & Security", "Door Hardware & Locks", "Keyless Entry"), ("tier",), "unlocks with a code, fingerprint or phone app instead of keys", ("fingerprint reader", "auto lock", "activity log")),
        ("Wet Dry Vacuum", 80, 15.0, (16, 16, 20), ("Power & Hand Tools", "Shop Vacuums"), ("gallon",), "picks up water, sawdust, nails and debris in the garage and workshop", ("blower port", "cartridge filter", "stainless steel tank")),
        ("Electric Pressure Washer", 200, 30.0, (14, 13, 34), ("Outdoor Power Tools", "Pressure Washers"), ("psi",), "blasts grime off decks, driveways, siding and cars", ("5 quick connect nozzles", "soap tank", "total stop system")),
        ("Outdoor Extension Cord", 18, 2.0, (10, 10, 3), ("Electrical", "Cords & Adapters", "Extension Cords"), ("cord",), "powers tools and lights outdoors in any weather", ("12 gauge", "lighted ends", "weather resistant jacket")),
        ("Work Gloves", 12, 0.4, (10, 5, 1), ("Safety & Security", "Personal Protective Equipment", "Gloves"), ("pack",), "protects your hands from cuts and abrasions while keeping a good grip", ("touchscreen fingertips", "nitrile coated palm", "breathable back")),
        ("Tool Box", 45, 10.0, (20, 10, 10), ("Power & Hand Tools", "Tool Organizers", "Tool Boxes"), ("material",), "keeps tools organized and ready to carry to the job", ("removable tray", "metal latches", "padlock eye")),
        ("Step Ladder", 110, 20.0, (50, 20, 5), ("Hardware", "Ladders"), ("ladder", "material"), "gives safe, steady access to ceilings, gutters and high shelves", ("300 lb load capacity", "slip resistant feet", "tool tray")),
    ),
    "Cell_Phones_and_Accessories": (
        ("Phone Case", 15, 0.15, (7, 4, 1), ("Cases, Holsters & Sleeves", "Basic Cases"), ("phone", "material"), "protects your phone from drops, bumps and scratches without the bulk", ("military grade drop protection", "raised bezels", "wireless charging compatible")),
        ("Tempered Glass Screen Protector", 8, 0.1, (7, 4, 1), ("Accessories", "Screen Protectors"), ("phone", "pack"), "guards the screen against scratches and cracks while keeping touch response", ("9H hardness", "bubble free", "installation frame")),
        ("USB C Charging Cable", 10, 0.2, (5, 5, 1), ("Accessories", "Cables"), ("cable_len", "pack"), "charges phones, tablets and laptops fast and syncs data", ("nylon braided", "fast charging", "10,000 plus bend lifespan")),
        ("Fast Wall Charger", 18, 0.2, (3, 2, 2), ("Accessories", "Chargers & Power Adapters", "Wall Chargers"), ("charger",), "charges a phone from empty to half in about 30 minutes", ("GaN technology", "foldable plug", "multi protection")),
        ("Wireless Charger", 24, 0.4, (4, 4, 1), ("Accessories", "Chargers & Power Adapters", "Wireless Chargers"), ("charger",), "charges compatible phones and earbuds by simply setting them down", ("case friendly", "foreign object detection", "LED indicator")),
        ("Portable Power Bank", 30, 0.7, (6, 3, 1), ("Accessories", "Chargers & Power Adapters", "Portable Power Banks"), ("mah",), "recharges phones several times on trips, commutes and camping", ("USB C PD", "LED power display", "dual output")),
        ("Car Charger", 13, 0.1, (3, 2, 1), ("Accessories", "Chargers & Power Adapters", "Car Chargers"), ("charger",), "fast charges two devices at once from the car's 12V socket", ("dual ports", "metal housing", "smart IC")),
        ("Selfie Stick Tripod", 22, 0.8, (10, 3, 2), ("Accessories", "Selfie Sticks"), ("tier",), "steadies your phone for group photos, video calls and live streams", ("Bluetooth remote", "extendable to 60 inches", "360 degree rotation")),
        ("Smartwatch", 150, 0.3, (4, 3, 2), ("Cell Phones", "Smartwatches"), ("tier",), "tracks workouts, sleep and heart rate and shows notifications on your wrist", ("AMOLED display", "built-in GPS", "7 day battery")),
        ("Fitness Tracker", 45, 0.1, (4, 2, 1), ("Accessories", "Wearable Technology", "Activity Trackers"), ("tier",), "counts steps, monitors heart rate and coaches better sleep", ("heart rate monitor", "water resistant", "sleep tracking")),
        ("Unlocked Smartphone", 290, 0.5, (7, 4, 2), ("Cell Phones",), ("phone_storage",), "runs your apps smoothly with a bright display and all-day battery", ("6.5 inch display", "50MP camera", "5G ready")),
        ("Bluetooth Headset", 32, 0.1, (4, 3, 2), ("Accessories", "Bluetooth Headsets"), ("tier",), "keeps calls clear and hands free while driving or working", ("noise cancelling mic", "20 hour talk time", "comfortable earhook")),
        ("Phone Ring Holder", 7, 0.05, (3, 2, 1), ("Accessories", "Phone Grips"), ("pack",), "gives a secure grip and doubles as a kickstand for watching videos", ("360 degree rotation", "strong adhesive", "magnetic mount compatible")),
        ("Replacement Watch Band", 12, 0.1, (9, 2, 1), ("Accessories", "Smartwatch Accessories", "Smartwatch Bands"), ("pack", "material"), "refreshes the look of your smartwatch for the gym or the office", ("quick release pins", "sweat resistant", "adjustable fit")),
        ("Magnetic Card Wallet", 19, 0.1, (4, 3, 1), ("Accessories", "Wallets"), ("material",), "snaps onto the back of your phone and holds your essential cards", ("holds 3 cards", "strong magnets", "RFID blocking")),
    ),
    "Toys_and_Games": (
        ("Building Blocks Set", 35, 2.0, (14, 10, 3), ("Building Toys", "Building Sets"), ("pieces",), "lets kids build, rebuild and imagine for hours", ("compatible with major brands", "illustrated instructions", "storage box")),
        ("Jigsaw Puzzle", 16, 1.5, (14, 10, 2), ("Puzzles", "Jigsaw Puzzles"), ("puzzle",), "challenges the whole family with a beautiful, detailed image", ("precision cut pieces", "poster included", "recycled board")),
        ("Strategy Board Game", 32, 2.6, (12, 12, 3), ("Games & Accessories", "Board Games"), ("edition",), "brings friends and family to the table for an evening of strategy and laughs", ("2 to 5 players", "60 minute play time", "easy to learn")),
        ("Party Card Game", 15, 0.6, (6, 4, 2), ("Games & Accessories", "Card Games"), ("edition",), "gets everyone laughing with quick rounds and simple rules", ("fast paced", "4 to 10 players", "travel friendly")),
        ("Plush Stuffed Animal", 18, 0.6, (12, 8, 6), ("Stuffed Animals & Plush Toys", "Plush Figures"), ("size",), "makes a soft, huggable friend for naps, car rides and bedtime", ("super soft fabric", "embroidered eyes", "surface washable")),
        ("Remote Control Car", 45, 2.5, (14, 9, 7), ("Hobbies", "Remote & App Controlled Vehicles & Parts", "Cars & Trucks"), ("tier",), "races over grass, dirt and gravel at high speed", ("2.4GHz remote", "all terrain tires", "rechargeable battery")),
        ("Camera Drone", 85, 1.0, (10, 8, 4), ("Hobbies", "Remote & App Controlled Vehicles & Parts", "Quadcopters & Multirotors"), ("res", "tier"), "captures aerial photos and video with stable, easy flight", ("altitude hold", "one key takeoff", "foldable arms")),
        ("Wooden Dollhouse", 110, 20.0, (28, 12, 30), ("Dolls & Accessories", "Dollhouses"), ("size",), "opens up a world of pretend play with furniture for every room", ("furniture included", "three stories", "solid wood")),
        ("Action Figure", 20, 0.5, (10, 6, 2), ("Action Figures & Statues", "Action Figures"), ("pack",), "poses for epic battles and display with multiple points of articulation", ("articulated joints", "accessories included", "collector packaging")),
        ("Kids Art Set", 25, 3.0, (16, 12, 3), ("Arts & Crafts", "Drawing & Painting Supplies"), ("tools",), "gives young artists crayons, markers, pencils and paints in one case", ("non toxic", "portable case", "gift ready")),
        ("STEM Robot Kit", 55, 2.2, (14, 10, 4), ("Learning & Education", "Science Kits & Toys"), ("tier",), "teaches coding and engineering while kids build a working robot", ("app programmable", "step by step guide", "rechargeable")),
        ("Play Kitchen Set", 120, 30.0, (36, 12, 36), ("Pretend Play", "Kitchen Toys", "Play Kitchens"), ("size",), "lets kids cook up pretend meals with lights and sounds", ("lights and sounds", "accessories included", "easy assembly")),
        ("Water Blaster", 14, 1.0, (16, 8, 3), ("Sports & Outdoor Play", "Pools & Water Toys", "Water Guns"), ("pack",), "soaks friends from 30 feet away on hot summer days", ("large tank", "30 foot range", "easy fill")),
        ("Kids Ride On Car", 230, 55.0, (42, 24, 20), ("Tricycles, Scooters & Wagons", "Ride-On Toys & Accessories"), ("ride",), "drives like the real thing with a parent remote and working headlights", ("parental remote", "MP3 player", "seat belt")),
        ("Outdoor Trampoline", 260, 90.0, (60, 20, 12), ("Sports & Outdoor Play", "Trampolines & Accessories", "Trampolines"), ("tramp",), "keeps kids bouncing in the backyard with a full safety enclosure", ("safety net enclosure", "galvanized steel frame", "UV resistant mat")),
        ("Model Train Set", 110, 6.0, (20, 14, 5), ("Hobbies", "Trains & Accessories", "Train Sets"), ("tier",), "circles the tree or table with realistic sounds and smoke", ("sound and smoke", "remote control", "expandable track")),
        ("Bubble Machine", 22, 1.5, (8, 7, 7), ("Sports & Outdoor Play", "Bubbles"), ("tier",), "blows thousands of bubbles a minute for parties and playtime", ("high output", "battery or plug in", "bubble solution included")),
    ),
    "Appliances": (
        ("Refrigerator Water Filter", 28, 0.6, (10, 3, 3), ("Parts & Accessories", "Refrigerator Parts & Accessories", "Water Filters"), ("pack",), "reduces chlorine, lead and sediment in your drinking water and ice", ("NSF certified", "twist in installation", "6 month life")),
        ("Countertop Microwave Oven", 130, 30.0, (20, 16, 12), ("Microwave Ovens", "Countertop Microwave Ovens"), ("cuft", "finish"), "reheats, defrosts and cooks quickly with one touch presets", ("1000 watts", "sensor cooking", "child lock")),
        ("Dishwasher Upper Rack", 60, 6.0, (22, 20, 6), ("Parts & Accessories", "Dishwasher Parts & Accessories", "Racks"), ("tier",), "replaces a worn or broken rack so the dishwasher loads properly again", ("OEM fit", "rust resistant coating", "wheels included")),
        ("Dryer Vent Cleaning Kit", 19, 1.6, (20, 6, 3), ("Parts & Accessories", "Dryer Parts & Accessories", "Vent Kits"), ("tier",), "clears lint from dryer vents to cut drying time and fire risk", ("flexible rods", "drill powered", "lint brush")),
        ("Countertop Ice Maker", 120, 22.0, (14, 10, 13), ("Ice Makers",), ("ice",), "makes the first batch of bullet ice in about 6 minutes", ("self cleaning", "2 ice sizes", "scoop and basket")),
        ("Range Hood", 210, 20.0, (30, 20, 8), ("Range Hoods",), ("hood", "finish"), "clears smoke, steam and cooking odors with a quiet, powerful fan", ("3 speed fan", "LED lights", "dishwasher safe filters")),
        ("Air Fryer", 85, 12.0, (14, 12, 13), ("Small Appliances", "Fryers", "Air Fryers"), ("quart",), "crisps fries, wings and vegetables with little or no oil", ("8 presets", "nonstick basket", "shake reminder")),
        ("Stand Mixer", 260, 22.0, (16, 10, 15), ("Small Appliances", "Mixers", "Stand Mixers"), ("quart", "tier"), "mixes, kneads and whips with a powerful motor and planetary action", ("10 speeds", "tilt head", "dough hook and whisk")),
        ("Blender", 65, 8.0, (9, 8, 17), ("Small Appliances", "Blenders", "Countertop Blenders"), ("watt",), "crushes ice and blends smoothies, soups and sauces in seconds", ("72 oz pitcher", "pulse function", "BPA free")),
        ("Drip Coffee Maker", 55, 8.0, (12, 9, 14), ("Small Appliances", "Coffee, Tea & Espresso", "Coffee Makers"), ("tier",), "brews a full pot of hot, flavorful coffee on your schedule", ("programmable timer", "keep warm plate", "brew strength control")),
        ("Espresso Machine", 320, 20.0, (14, 11, 15), ("Small Appliances", "Coffee, Tea & Espresso", "Espresso Machines"), ("tier",), "pulls rich espresso shots and steams milk for lattes at home", ("15 bar pump", "steam wand", "built-in grinder")),
        ("Compact Refrigerator", 200, 45.0, (19, 18, 33), ("Refrigerators", "Compact Refrigerators"), ("fridge",), "keeps drinks and snacks cold in dorms, offices and bedrooms", ("freezer compartment", "adjustable thermostat", "reversible door")),
        ("Portable Washing Machine", 290, 60.0, (20, 20, 34), ("Laundry Appliances", "Washers"), ("wash",), "washes full loads in small apartments, RVs and dorms", ("10 wash programs", "child lock", "drain pump")),
        ("Dryer Heating Element", 24, 1.2, (12, 6, 3), ("Parts & Accessories", "Dryer Parts & Accessories", "Heating Elements"), ("tier",), "restores heat to a dryer that runs but no longer dries", ("exact fit", "high quality coils", "easy to install")),
        ("Refrigerator Door Shelf Bin", 18, 0.6, (15, 5, 4), ("Parts & Accessories", "Refrigerator Parts & Accessories", "Shelves"), ("pack",), "replaces a cracked door bin to hold jars, bottles and condiments", ("clear plastic", "exact fit", "durable")),
        ("Window Air Conditioner", 320, 55.0, (20, 19, 14), ("Heating, Cooling & Air Quality", "Air Conditioners", "Window Air Conditioners"), ("btu",), "cools a bedroom or living room quickly and quietly", ("remote control", "energy saver mode", "washable filter")),
        ("Wine Cooler", 380, 60.0, (22, 18, 33), ("Refrigerators", "Wine Cellars"), ("bottles",), "stores red and white wine at the ideal temperature with low vibration", ("dual zone", "glass door", "digital controls")),
        ("Garbage Disposal", 140, 13.0, (10, 9, 14), ("Parts & Accessories", "Garbage Disposals"), ("hp",), "grinds food waste quickly and quietly under the kitchen sink", ("stainless grind components", "quick mount", "sound insulation")),
    ),
    "Musical_Instruments": (
        ("Acoustic Guitar Strings", 9, 0.1, (6, 6, 1), ("Instrument Accessories", "Guitar & Bass Accessories", "Strings", "Acoustic Guitar Strings"), ("strings",), "gives your acoustic guitar bright, warm tone and long life", ("phosphor bronze", "light gauge", "corrosion resistant")),
        ("Guitar Picks", 7, 0.05, (4, 3, 1), ("Instrument Accessories", "Guitar & Bass Accessories", "Picks & Pick Holders", "Picks"), ("count",), "gives players a grip and attack for strumming and lead lines", ("assorted gauges", "celluloid", "pick holder included")),
        ("Guitar Capo", 12, 0.1, (4, 3, 1), ("Instrument Accessories", "Guitar & Bass Accessories", "Capos"), ("material",), "changes key instantly with even pressure across every string", ("one hand operation", "no buzz", "fits 6 and 12 string")),
        ("Clip-On Tuner", 13, 0.1, (4, 3, 1), ("Instrument Accessories", "Tuners", "Clip-On Tuners"), ("pack",), "tunes guitar, bass, ukulele and violin fast with a bright display", ("color display", "360 degree rotation", "auto off")),
        ("Instrument Cable", 15, 0.6, (8, 8, 2), ("Instrument Accessories", "Cables", "Instrument Cables"), ("cable_len",), "connects guitar to amp with quiet, clear signal", ("gold plated plugs", "oxygen free copper", "woven jacket")),
        ("Guitar Stand", 20, 3.0, (18, 8, 4), ("Instrument Accessories", "Guitar & Bass Accessories", "Stands"), ("material",), "holds acoustic, electric or bass guitars safely on the floor", ("foam padding", "folding design", "neck lock")),
        ("Acoustic Guitar", 200, 8.0, (42, 17, 5), ("Guitars", "Acoustic Guitars"), ("tier",), "projects full, balanced tone for beginners and seasoned players alike", ("solid spruce top", "dreadnought body", "gig bag included")),
        ("Electric Guitar", 320, 9.0, (40, 14, 3), ("Guitars", "Electric Guitars"), ("tier",), "delivers versatile tone from clean jazz to heavy rock", ("humbucker pickups", "maple neck", "tremolo bridge")),
        ("Digital Piano", 260, 25.0, (50, 12, 6), ("Keyboards & MIDI", "Digital Pianos"), ("keys",), "feels and sounds like an acoustic piano with hundreds of voices", ("touch sensitive keys", "sustain pedal", "headphone jack")),
        ("Guitar Amplifier", 140, 15.0, (15, 9, 14), ("Amplifiers & Effects", "Guitar Amplifiers", "Combo Amplifiers"), ("amp",), "shapes your sound with built-in effects and a punchy speaker", ("built-in effects", "headphone output", "aux input")),
        ("Condenser Microphone", 65, 1.0, (8, 4, 4), ("Microphones & Accessories", "Microphones", "Condenser"), ("tier",), "captures vocals, podcasts and instruments with studio clarity", ("cardioid pattern", "shock mount", "pop filter")),
        ("USB Audio Interface", 120, 1.5, (7, 4, 2), ("Studio Recording Equipment", "Computer Recording", "Audio Interfaces"), ("io",), "records vocals and instruments to your computer in high resolution", ("24-bit/192kHz", "phantom power", "zero latency monitoring")),
        ("Ukulele", 55, 2.0, (24, 8, 3), ("Ukuleles, Mandolins & Banjos", "Ukuleles"), ("uke",), "plays sweet, bright tone and stays in tune", ("mahogany body", "Aquila strings", "gig bag included")),
        ("Drum Sticks", 11, 0.3, (17, 2, 2), ("Drums & Percussion", "Drum Set Accessories", "Drumsticks"), ("pack",), "gives a balanced feel and consistent rebound for every style", ("hickory", "wood tips", "matched pairs")),
        ("Electronic Drum Set", 420, 45.0, (36, 24, 14), ("Drums & Percussion", "Electronic Drums", "Electronic Drum Sets"), ("tier",), "lets you practice at any volume with realistic mesh pads", ("mesh heads", "built-in coach", "headphone practice")),
        ("Studio Monitor Speakers", 190, 12.0, (12, 9, 10), ("Studio Recording Equipment", "Studio Monitors"), ("woofer",), "reveals every detail of your mix with flat, accurate response", ("bi-amped", "room tuning controls", "balanced inputs")),
        ("Guitar Effects Pedal", 85, 1.0, (5, 3, 2), ("Amplifiers & Effects", "Guitar Effects"), ("tier",), "adds warm overdrive, delay or reverb to your tone", ("true bypass", "metal housing", "9V power")),
    ),
}

# Brands per category: (name, price multiplier). Premium brands first, budget brands last.
BRANDS: dict[str, tuple[tuple[str, float], ...]] = {
    "Automotive": (("Vantorra", 1.85), ("Kestrel Motorworks", 1.55), ("Ironridge", 1.3), ("RoadMate", 1.05), ("Autoline", 1.0), ("DriveCraft", 0.95), ("Tuffpro", 0.9), ("Zentoo", 0.75), ("Gokaro", 0.65), ("Pumaxi", 0.55)),
    "Electronics": (("Soniqor", 1.9), ("Halvard", 1.6), ("Lumetra", 1.35), ("Digiwave", 1.05), ("Corelink", 1.0), ("Nexigo", 0.95), ("Voltana", 0.9), ("Bovtek", 0.75), ("Jukiso", 0.65), ("Yzoni", 0.55)),
    "Office_Products": (("Ardenne", 1.8), ("Steelmark", 1.5), ("Penwright", 1.3), ("Officio", 1.05), ("Deskly", 1.0), ("Paperline", 0.95), ("Scriba", 0.9), ("Mozeli", 0.75), ("Tavaro", 0.65), ("Qiyuno", 0.55)),
    "Tools_and_Home_Improvement": (("Torvald", 1.9), ("Hartmann Pro", 1.6), ("Granitek", 1.35), ("BuildRite", 1.05), ("Workhorse", 1.0), ("Homeforge", 0.95), ("Fixall", 0.9), ("Dekopa", 0.75), ("Hykolo", 0.65), ("Sunvex", 0.55)),
    "Cell_Phones_and_Accessories": (("Aurelio", 1.85), ("Pellucid", 1.55), ("Chargewell", 1.3), ("Mobiq", 1.05), ("Linkcell", 1.0), ("Snapgear", 0.95), ("Caseology Lab", 0.9), ("Uozzi", 0.75), ("Tizomi", 0.65), ("Xelano", 0.55)),
    "Toys_and_Games": (("Bramblewood", 1.8), ("Wondercraft", 1.5), ("Tinkerly", 1.3), ("Playnest", 1.05), ("Kidzone", 1.0), ("Funbridge", 0.95), ("Joyville", 0.9), ("Hapikid", 0.75), ("Toyzeo", 0.65), ("Lalufun", 0.55)),
    "Appliances": (("Kuchenhaus", 1.9), ("Frostline", 1.55), ("Everhome", 1.3), ("Chefora", 1.05), ("Homewise", 1.0), ("Brightwell", 0.95), ("Aquaflow", 0.9), ("Kitchaid Plus", 0.75), ("Vivomax", 0.65), ("Ecopure", 0.55)),
    "Musical_Instruments": (("Ellsworth", 1.9), ("Marceau", 1.6), ("Harborline", 1.35), ("Tonewood", 1.05), ("Stagemate", 1.0), ("Melodica Works", 0.95), ("Strumwell", 0.9), ("Bravio", 0.75), ("Donnerly", 0.65), ("Kmise", 0.55)),
}
# Cheap brands sell more listings, as on Amazon.
BRAND_WEIGHTS = (0.5, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.3, 1.3, 1.3)

DISPLAY_NAMES = {
    "Automotive": "Automotive",
    "Electronics": "Electronics",
    "Office_Products": "Office Products",
    "Tools_and_Home_Improvement": "Tools & Home Improvement",
    "Cell_Phones_and_Accessories": "Cell Phones & Accessories",
    "Toys_and_Games": "Toys & Games",
    "Appliances": "Appliances",
    "Musical_Instruments": "Musical Instruments",
}
# main_category as the real files spell it (it is not always the file's category).
MAIN_CATEGORIES = {
    "Automotive": ("Automotive", "AMAZON FASHION", "Tools & Home Improvement"),
    "Electronics": ("All Electronics", "Computers", "Home Audio & Theater"),
    "Office_Products": ("Office Products", "Amazon Home", "Industrial & Scientific"),
    "Tools_and_Home_Improvement": ("Tools & Home Improvement", "Amazon Home", "Industrial & Scientific"),
    "Cell_Phones_and_Accessories": ("Cell Phones & Accessories", "All Electronics", "AMAZON FASHION"),
    "Toys_and_Games": ("Toys & Games", "Arts, Crafts & Sewing", "Sports & Outdoors"),
    "Appliances": ("Tools & Home Improvement", "Appliances", "Amazon Home"),
    "Musical_Instruments": ("Musical Instruments", "All Electronics", "Home Audio & Theater"),
}
AUDIENCES = {
    "Automotive": ("cars, trucks, SUVs and vans", "daily commuters and weekend road trips", "DIY mechanics and detailing fans"),
    "Electronics": ("home offices, dorms and living rooms", "gamers, students and remote workers", "laptops, desktops, TVs and consoles"),
    "Office_Products": ("home offices, classrooms and busy workplaces", "teachers, students and small businesses", "anyone who spends the day at a desk"),
    "Tools_and_Home_Improvement": ("homeowners, contractors and weekend DIYers", "garages, workshops and job sites", "remodels, repairs and everyday fixes"),
    "Cell_Phones_and_Accessories": ("iPhone, Samsung Galaxy and Google Pixel users", "commuters, travelers and students", "everyday carry at home, work and on the go"),
    "Toys_and_Games": ("kids ages 3 and up, teens and adults", "birthdays, holidays and family game night", "boys and girls who love to create and play"),
    "Appliances": ("kitchens, apartments, RVs and dorms", "busy families and home cooks", "homeowners replacing a worn part"),
    "Musical_Instruments": ("beginners, students and working musicians", "home studios, rehearsals and live gigs", "guitarists, keyboardists and drummers"),
}
COLORS = ("Black", "White", "Gray", "Silver", "Blue", "Red", "Navy", "Green", "Beige", "Space Gray", "Rose Gold", "Clear")
GENERIC_LEADS = ("EASY TO USE", "BUILT TO LAST", "WHAT YOU GET", "WORRY FREE WARRANTY", "PERFECT GIFT", "SAFE AND RELIABLE", "UPGRADED DESIGN", "WIDE COMPATIBILITY")
BULLETS = (
    "The {type} {blurb}, so you spend less time fussing and more time getting things done.",
    "Made for {audience}, it is a simple upgrade that pays off every single day.",
    "With {trait}, this {brand} {type} stands apart from cheaper look-alikes that wear out after a few weeks.",
    "We tested every unit for {trait} and {trait2} before it left the factory.",
    "Setup takes minutes with no special tools, and the included guide walks you through each step.",
    "Thoughtful details like {trait} and {trait2} make it easy to live with for years.",
    "Package includes the {type}, {extras} and a printed user manual.",
    "Backed by a {warranty} warranty and responsive customer service: if anything is wrong, we will make it right.",
    "Measures {dims} and weighs {weight}, so it fits where you need it.",
    "Choose the {attrs} version that suits you; every option shares the same {trait} design.",
    "Whether you are a first timer or a seasoned pro, the {type} is ready for {audience}.",
    "Compact, sturdy and finished in {color}, it looks as good as it works.",
)
SENTENCES = (
    "The {brand} {type} {blurb}.",
    "Designed for {audience}, it combines {trait} with {trait2} in one well made package.",
    "Every detail, from the {trait} to the {trait2}, was chosen to make daily use simple.",
    "This {attrs} model is our answer to customers who asked for more without the clutter.",
    "It measures {dims} and weighs about {weight}.",
    "{brand} has built {category_lower} gear for more than {years} years, and this {type} reflects everything we learned.",
    "Unlike generic alternatives, it is covered by a {warranty} warranty.",
    "Thousands of customers use it for {audience}.",
    "Please check the size and compatibility information before ordering.",
    "Finished in {color}, it blends in with any setup.",
    "Great as a gift, or as a dependable upgrade for yourself.",
    "If you have any question, contact our support team and we will reply within 24 hours.",
)
EXTRAS = ("a storage pouch", "mounting hardware", "a cleaning cloth", "a spare set of parts", "a carrying case", "an adapter", "a quick start card")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_ASIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _type_weights(types: tuple[ProductType, ...]) -> list[float]:
    """Cheap product types get more listings than dear ones, as on Amazon."""
    return [t[1] ** -0.35 for t in types]


_TYPE_CUM = {category: list(accumulate(_type_weights(types))) for category, types in TYPES.items()}
_BRAND_CUM = list(accumulate(BRAND_WEIGHTS))
_BULLETS_CUM = list(accumulate((1, 2, 4, 5, 4, 2, 1)))  # for 2..8 feature bullets
_PARAGRAPHS_CUM = list(accumulate((1, 5, 4, 2)))  # for 0..3 description paragraphs


def _check_category(category: str) -> None:
    if category not in TYPES:
        raise ValueError(f"Unknown category {category!r}. Choose one of: {', '.join(CATEGORIES)}")


def _charm(price: float, rng: random.Random) -> float:
    """Round to a shelf price: 19.99, 24.95, 32.49, 45.00 ..."""
    if price < 1:
        return round(max(price, 0.01), 2)
    dollars = math.floor(price)
    cents = rng.choices((0.99, 0.95, 0.49, 0.0, 0.97, rng.randrange(100) / 100), (5, 2, 1, 1, 1, 2))[0]
    return round(dollars + cents, 2)


def _number(x: float) -> str:
    """A measurement without trailing zeros: 2.0 -> "2", 2.50 -> "2.5"."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _weight_text(pounds: float, rng: random.Random, odd: bool) -> str:
    if odd:  # the units and spellings that trip up naive parsers
        kind = rng.randrange(3)
        grams = round(pounds * 453.6)
        if kind == 2 and grams >= 1000:
            return f"{grams:,} grams"
        if kind == 1:
            return f"{round(pounds * 100)} hundredths pounds"
        return f"{_number(pounds * 0.4536)} Kilograms"
    if pounds < 1:
        if rng.random() < 0.15:
            return f"{round(pounds * 453.6)} grams"
        return f"{_number(pounds * 16)} {rng.choice(('ounces', 'Ounces'))}"
    return f"{_number(pounds)} {rng.choice(('pounds', 'Pounds', 'Pounds'))}"


def _base36(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        chars.append(_ASIN_CHARS[digit])
    return "".join(chars)


def _asin(rng: random.Random) -> str:
    return "B0" + _base36(rng.getrandbits(42), 8)


def _images(rng: random.Random) -> list[dict[str, Any]]:
    images = []
    for k in range(rng.choices((1, 2, 3, 4, 5, 6, 7), (1, 1, 2, 2, 2, 2, 1))[0]):
        key = base64.b64encode(rng.getrandbits(72).to_bytes(9, "big"), b"+-").decode()[:11]
        base = f"https://m.media-amazon.com/images/I/{key}L"
        images.append(
            {
                "thumb": f"{base}._AC_US75_.jpg",
                "large": f"{base}._AC_.jpg",
                "variant": "MAIN" if k == 0 else f"PT{k:02d}",
                "hi_res": f"{base}._AC_SL1500_.jpg" if rng.random() < 0.8 else None,
            }
        )
    return images


def _videos(rng: random.Random, title: str) -> list[dict[str, str]]:
    if rng.random() > 0.12:
        return []
    return [
        {
            "title": rng.choice(("Product overview", "How to install", "Unboxing and first look", title[:40])),
            "url": f"https://www.amazon.com/vdp/{rng.getrandbits(128):032x}?ref=dp_vse_rvc_{k}",
            "user_id": rng.choice(("", "", f"AE{rng.getrandbits(60):015X}")),
        }
        for k in range(rng.choice((1, 1, 2)))
    ]


def _record(category: str, i: int, seed: int) -> dict[str, Any]:
    """Record ``i`` of a category, in the raw shape, from its own random generator."""
    rng = random.Random(f"{seed}-{category}-{i}")
    types = TYPES[category]
    name, base, base_weight, dims, crumbs, axis_names, blurb, traits = rng.choices(
        types, cum_weights=_TYPE_CUM[category]
    )[0]
    brand_index = rng.choices(range(10), cum_weights=_BRAND_CUM)[0]
    brand, brand_mult = BRANDS[category][brand_index]

    price_mult, weight_mult = 1.0, 1.0
    pre, post, attr_labels, attr_details = [], [], [], {}
    for axis in axis_names:
        key, where, options = AXES[axis]
        label, p, w = rng.choice(options)
        price_mult *= p
        weight_mult *= w
        if label:
            (pre if where == "pre" else post).append(label)
            attr_labels.append(label)
            if key:
                attr_details[key] = label
    color = rng.choice(COLORS)
    price = base * brand_mult * price_mult * math.exp(rng.gauss(0.0, PRICE_SIGMA))
    price = _charm(price, rng)
    pounds = base_weight * weight_mult * math.exp(rng.gauss(0.0, 0.2))
    scale = weight_mult ** (1 / 3)
    dims_text = " x ".join(_number(d * scale * rng.uniform(0.9, 1.1)) for d in dims) + " inches"

    type_lower = name.lower()
    attrs = ", ".join(attr_labels) if attr_labels else "standard"
    warranty = ("1 year", "2 year", "3 year", "5 year", "lifetime")[min(4, max(0, 3 - brand_index // 2 + rng.randrange(-1, 2)))]
    trait, trait2 = rng.sample(traits, 2)
    slots = {
        "type": type_lower,
        "brand": brand,
        "blurb": blurb,
        "trait": trait,
        "Trait": trait[0].upper() + trait[1:],
        "trait2": trait2,
        "audience": rng.choice(AUDIENCES[category]),
        "attrs": attrs,
        "warranty": warranty,
        "color": color.lower(),
        "extras": rng.choice(EXTRAS),
        "dims": dims_text,
        "weight": _weight_text(pounds, rng, False),
        "category_lower": DISPLAY_NAMES[category].lower(),
        "years": rng.randrange(5, 40),
    }

    # Title: brand, tier/size words, type, attributes, a selling point or two, colour.
    title_parts = [brand, *pre, name]
    title = " ".join(title_parts)
    if post:
        title += " " + ", ".join(post)
    extra_traits = rng.sample(traits, rng.choice((1, 2, 2, 3)))
    title += ", " + ", ".join(t[0].upper() + t[1:] for t in extra_traits)
    if rng.random() < 0.6:
        title += f", {color}"

    # Features: 3-8 bullets with an upper-case lead-in; description: 1-3 paragraphs.
    n_bullets = rng.choices((2, 3, 4, 5, 6, 7, 8), cum_weights=_BULLETS_CUM)[0]
    leads = rng.sample([t.upper() for t in traits] + list(GENERIC_LEADS), n_bullets)
    templates = list(BULLETS)  # each sentence at most once per record
    rng.shuffle(templates)
    features = []
    for k, lead in enumerate(leads):
        bullet = f"{lead}: " + templates.pop().format(**slots)
        if len(templates) > n_bullets - k - 1 and rng.random() < 0.35:
            bullet += " " + templates.pop().format(**slots)
        features.append(bullet)
    n_paragraphs = rng.choices((0, 1, 2, 3), cum_weights=_PARAGRAPHS_CUM)[0]
    sentences = list(SENTENCES[1:])
    rng.shuffle(sentences)
    if rng.random() < 0.5:  # half the descriptions open by saying what the product is
        sentences.append(SENTENCES[0])
    else:
        sentences.insert(rng.randrange(len(sentences)), SENTENCES[0])
    description = []
    for _ in range(n_paragraphs):
        chosen = [sentences.pop() for _ in range(min(rng.randint(2, 5), len(sentences)))]
        if chosen:
            text = " ".join(s.format(**slots) for s in chosen)
            description.append(text[0].upper() + text[1:])

    # Details: a dict of strings, except Best Sellers Rank (nested) and a mixed-type count.
    rank = max(1, int(math.exp(rng.gauss(10.5, 1.6))))
    details: dict[str, Any] = {"Brand": brand}
    if rng.random() < 0.7:
        details["Color"] = color
    details.update(attr_details)
    if "Number of Items" in details or rng.random() < 0.25:
        label = details.get("Number of Items", "1")
        count = int("".join(c for c in label.split()[0] if c.isdigit()) or 1)
        details["Number of Items"] = count if rng.random() < P_ITEMS_AS_INT else str(count)
    details["Item Weight"] = _weight_text(pounds, rng, rng.random() < P_ODD_WEIGHT)
    dims_key = "Product Dimensions" if rng.random() < 0.8 else "Package Dimensions"
    details[dims_key] = dims_text
    details["Manufacturer"] = brand if rng.random() < 0.8 else f"{brand} Inc."
    details["Item model number"] = f"{brand[:2].upper()}-{rng.randrange(100, 9999)}{rng.choice('ABCDEFGHJKLMNPRSTX')}"
    details["Is Discontinued By Manufacturer"] = "No" if rng.random() < 0.95 else "Yes"
    if rng.random() < 0.5:
        details["Batteries Included?"] = rng.choice(("No", "Yes"))
    if rng.random() < 0.75:
        details["Best Sellers Rank"] = {
            DISPLAY_NAMES[category]: rank,
            crumbs[-1]: max(1, rank // rng.randint(40, 400)),
        }
    year = rng.randint(2008, 2023)
    details["Date First Available"] = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}"

    rating_number = int(math.exp(rng.gauss(4.0, 1.8)))
    average_rating = round(min(5.0, max(1.0, rng.gauss(4.3, 0.45))), 1) if rating_number else 0.0

    # Defects, each at its own seeded rate.
    if rng.random() < P_LITTLE_TEXT:
        title = rng.choice((name, f"{brand} {name}", name.split()[-1]))
        features, description = [], []
        details = {k: details[k] for k in ("Brand", "Item Weight", "Date First Available") if k in details}
    if rng.random() < P_NO_DETAILS:
        details = {}
    final_price: float | None = price
    if rng.random() < P_OUT_OF_RANGE:
        final_price = rng.choice(OUT_OF_RANGE_PRICES)
    if rng.random() < P_NO_PRICE:
        final_price = None

    return {
        "main_category": rng.choices(MAIN_CATEGORIES[category], (8, 1, 1))[0],
        "title": title,
        "average_rating": average_rating,
        "rating_number": rating_number,
        "features": features,
        "description": description,
        "price": final_price,
        "images": _images(rng),
        "videos": _videos(rng, title),
        "store": brand if rng.random() < 0.85 else f"{brand} Store",
        "categories": [] if rng.random() < 0.15 else [DISPLAY_NAMES[category], *crumbs],
        "details": details,
        "parent_asin": _asin(rng),
        "bought_together": None,
    }


def _converted(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The older converted shape: price as text ("None", "19.99", "$1,299.00"), details as JSON."""
    price = record["price"]
    if price is None:
        text = "None"
    elif price >= 1000 or rng.random() < 0.15:
        text = f"${price:,.2f}"
    else:
        text = f"{price:.2f}"
    return {**record, "price": text, "details": json.dumps(record["details"], ensure_ascii=False)}


def generate_records(category: str, n: int, seed: int = 42, shape: str = "raw") -> list[dict]:
    """``n`` synthetic product records of one category in the real raw metadata schema.

    Deterministic for (category, n, seed, shape); the first k records equal
    ``generate_records(category, k, seed, shape)``. ``shape="converted"`` gives the older
    converted form (price as text, details as JSON text).
    Introduced in notebooks/01_explore_data.ipynb.
    """
    _check_category(category)
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    records = [_record(category, i, seed) for i in range(n)]
    if shape == "converted":
        records = [
            _converted(r, random.Random(f"{seed}-{category}-{i}-converted"))
            for i, r in enumerate(records)
        ]
    return records


def _read_sidecar(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / SIDECAR).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_atomically(path: Path, lines: Iterable[str]) -> None:
    """Write to a temporary file next to ``path``, then rename it into place."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.writelines(lines)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def write_catalog(
    directory: str | os.PathLike,
    categories: Iterable[str] = CATEGORIES,
    n: int = 700,
    seed: int = 42,
) -> dict[str, Path]:
    """Write ``meta_{Category}.jsonl`` files (raw shape) and return their paths by category.

    Each file appears atomically. A file already written with the same n, seed and generator
    version (recorded in ``catalog.json``) is kept as it is. Introduced in
    notebooks/01_explore_data.ipynb.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {"n": n, "seed": seed, "generator": GENERATOR_VERSION}
    paths: dict[str, Path] = {}
    for category in categories:
        _check_category(category)
        path = folder / f"meta_{category}.jsonl"
        paths[category] = path
        if path.exists() and _read_sidecar(folder).get("files", {}).get(path.name) == wanted:
            continue
        records = generate_records(category, n, seed)
        _write_atomically(path, (json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        sidecar = _read_sidecar(folder)  # re-read: another process may have added files
        files = sidecar.get("files") if isinstance(sidecar.get("files"), dict) else {}
        files[path.name] = wanted
        _write_atomically(folder / SIDECAR, [json.dumps({"files": files}, indent=1, sort_keys=True)])
    return paths


def ensure_catalog(
    directory: str | os.PathLike,
    n: int = 700,
    seed: int = 42,
    categories: Iterable[str] = CATEGORIES,
) -> dict[str, Path]:
    """The catalog files in ``directory``, written only where missing or stale.

    Same as `write_catalog`. Introduced in notebooks/01_explore_data.ipynb.
    """
    return write_catalog(directory, categories=categories, n=n, seed=seed)


def record_text(record: dict[str, Any]) -> str:
    """A record's plain text: title, description, features and detail values, one per line.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    details = record.get("details") or {}
    if isinstance(details, str):
        details = json.loads(details)
    values = [f"{k}: {v}" for k, v in details.items() if not isinstance(v, dict)]
    parts = [record["title"], *record["description"], *record["features"], "; ".join(values)]
    return "\n".join(p for p in parts if p)


def iter_texts(n_per_category: int = 300, seed: int = 0) -> Iterator[str]:
    """Plain product texts from every category, for training the tiny smoke tokenizer.

    Each text is a training-prompt-like block: the question, the product text and its price
    (so digits, prices and "Price is $" appear). Introduced in notebooks/01_explore_data.ipynb.
    """
    for category in CATEGORIES:
        for record in generate_records(category, n_per_category, seed):
            price = record["price"]
            ending = f"{PRICE_PREFIX}{price:,.2f}" if price is not None else ""
            yield f"{QUESTION}\n\n{record_text(record)}\n\n{ending}".rstrip()
