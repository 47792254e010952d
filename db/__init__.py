"""Storage: models, engine factories and small named query functions that never commit."""
