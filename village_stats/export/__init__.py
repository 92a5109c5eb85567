"""Output formats of a report run (the export registry): one module per format."""
