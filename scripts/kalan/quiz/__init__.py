"""Pre/post tests: the bilingual item bank, test forms with derived keys, printed papers,
and the capture forms (Excel workbook, XLSForm) generated from the same data."""
