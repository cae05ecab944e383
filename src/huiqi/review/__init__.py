"""审核: officers' corrections of machine readings, kept as an overlay, and publication."""
