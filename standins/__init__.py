"""Local stand-ins for everything a smoke run would otherwise reach over the network.

The Hugging Face Hub, the OpenAI-compatible APIs, the raw Amazon catalog and Meta's model are
replaced here, at the network edge, so the course's own code (``helpers``) runs unchanged in
CI and offline. Lessons never import this package: smoke mode only points endpoints at it.
"""
