"""Rules of the ChildIdentifiers, ChildCharacteristics and Disabilities tables."""
