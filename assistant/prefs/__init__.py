"""Users' preferences: what they are (keys), where they live (store), how they are said
(statements), and how values are checked against the catalogs (values)."""
