"""Readers and writers for outside file formats (TNTP, CSV tables) and safe file output."""
