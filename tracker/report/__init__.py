"""Renderers: terminal tables, JSON/CSV emitters and Excel workbooks."""
