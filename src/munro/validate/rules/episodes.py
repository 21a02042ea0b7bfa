"""Rules of the CINdetails table (episodes)."""
