"""What notebooks show: SC fonts, charts (matplotlib Figures) and labelled tables."""
