"""Repository checks (notebook hygiene, navigation links). Not installed with the course."""
