"""Text extraction (pypdf, python-docx, OCR) and the Whoosh index with Chinese analysis."""
