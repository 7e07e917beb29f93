"""Everything that is not plain CRUD. Functions flush; callers commit."""
