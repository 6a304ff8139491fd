"""Shipped .docx form templates and their field manifest (package data)."""
