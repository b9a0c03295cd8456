"""The career ladder, the competency framework and the specialisation paths, as data."""
