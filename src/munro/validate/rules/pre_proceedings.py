"""Rules of the PreProceedingsandFGDM module (2026-27 draft)."""
