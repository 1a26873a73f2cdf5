"""Storage layer: peewee records, database opening and schema migrations."""
