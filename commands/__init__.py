"""Command groups of the dangan command line, one module per group; registered in cli.py."""
