"""Rules of the ChildProtectionPlans and Reviews tables."""
