"""Storage: SQLAlchemy models, queries, CSV import and export."""
