"""Service layer: the support desk's use cases, transactional and audited (no widgets)."""
