"""Rules of the Header table (rule 100)."""
