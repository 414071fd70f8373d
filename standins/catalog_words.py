"""The words the synthetic catalog's listings are written with.

Category names as the real files spell them, who each category is for, colours, feature-bullet
lead-ins and the sentence templates that bullets and descriptions are filled from (their
``{slots}`` are filled in `standins.catalog_record`). Changing any of them changes the records:
bump ``WORLD_VERSION`` (`standins.world`), so the Hub stand-in's cached repositories are built
again.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

# fmt: off
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
# fmt: on
