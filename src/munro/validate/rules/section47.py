"""Rules of the Section47 table."""
