"""Rules of the CINplanDates table."""
