"""Reading a spreadsheet file (XLSX, CSV in any of the encodings met in the field, or Excel's
« Texte Unicode » UTF-16 tab-separated export) into
plain sheets of text cells, keeping where each cell came from for error messages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kalan.errors import KalanError

DELIMITERS = (";", ",", "\t")


@dataclass
class Sheet:
    name: str  # sheet name, or "" for a CSV file
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as shown to the user, cells)
    is_csv: bool

    def column_label(self, index: int) -> str:
        """``colonne E`` (XLSX) or ``colonne 5`` (CSV), with the header name."""
        if self.is_csv:
            place = str(index + 1)
        else:
            place, n = "", index + 1
            while n:
                n, rest = divmod(n - 1, 26)
                place = chr(65 + rest) + place
        name = self.header[index] if index < len(self.header) else ""
        return f"colonne {place} ({name})" if name else f"colonne {place}"


@dataclass
class Workbook:
    path: Path
    format: str  # "xlsx", "csv-utf8", "csv-utf8-bom", "csv-cp1252", "txt-utf16"
    sheets: list[Sheet]
    warnings: list[str] = field(default_factory=list)

    def where(self, sheet: Sheet, row: int | None = None, column: int | None = None) -> str:
        """``fichier.xlsx, feuille « pre », ligne 4, colonne E (Q01)`` — for messages."""
        parts = [self.path.name]
        if sheet.name:
            parts.append(f"feuille « {sheet.name} »")
        if row is not None:
            parts.append(f"ligne {row}")
        if column is not None:
            parts.append(sheet.column_label(column))
        return ", ".join(parts)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: Path) -> Workbook:
    if not path.is_file():
        raise KalanError(f"{path} : fichier introuvable")
    data = path.read_bytes()
    if not data.strip():
        raise KalanError(f"{path.name} : le fichier est vide")
    if data[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data)
    return _read_csv(path, data)


def _read_xlsx(path: Path, data: bytes) -> Workbook:
    from openpyxl import load_workbook

    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise KalanError(f"{path.name} : classeur protégé par mot de passe (ou ancien format .xls) — "
                         "enlevez le mot de passe et enregistrez-le en .xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise KalanError(f"{path.name} : fichier XLSX illisible ou abîmé ({type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise KalanError(f"{path.name} : fichier XLSX illisible ou abîmé ({type(exc).__name__})") from None
    sheets = []
    try:
        for ws in book.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            if not rows:
                sheets.append(Sheet(ws.title, [], [], False))
                continue
            header = [_text(v) for v in rows[0]]
            body = [(n, [_text(v) for v in row]) for n, row in enumerate(rows[1:], 2)]
            sheets.append(Sheet(ws.title, header, body, False))
    except Exception as exc:
        raise KalanError(f"{path.name} : fichier XLSX illisible ou abîmé ({type(exc).__name__})") from None
    finally:
        book.close()
    return Workbook(path, "xlsx", sheets)


CP1252_LOST = "\ufffd"  # what a byte cp1252 cannot map becomes


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """The text of a CSV / « Texte Unicode » file, its format name, and any warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's « Texte Unicode (*.txt) »: UTF-16 with BOM
        try:
            return data.decode("utf-16"), "txt-utf16", []
        except UnicodeDecodeError as exc:
            raise KalanError(f"{path.name} : fichier marqué UTF-16 (« Texte Unicode ») mais illisible "
                             f"(octet {exc.start}) — réenregistrez-le depuis Excel ou en .xlsx") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "csv-utf8-bom", []
        except UnicodeDecodeError as exc:
            raise KalanError(f"{path.name} : fichier marqué UTF-8 mais illisible (octet {exc.start + 3}) — "
                             "réenregistrez-le en « CSV UTF-8 » ou en .xlsx") from None
    try:
        return data.decode("utf-8"), "csv-utf8", []
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    # Windows-1252 cannot hold ɛ ɔ ɲ ŋ: Excel wrote « ? » instead. Warn only when the file shows it —
    # a question mark or an unmappable byte inside a word — not for a file of codes and letters.
    lost = CP1252_LOST in text or _QUESTION_IN_WORD.search(text) is not None
    warnings = [f"{path.name} : fichier en Windows-1252 (CSV de l'Excel français) : des lettres bambara "
                "(ɛ ɔ ɲ ŋ) y ont été remplacées par « ? » ; préférez le .xlsx, le « CSV UTF-8 » ou le "
                "« Texte Unicode »"] if lost else []
    return text, "csv-cp1252", warnings


_QUESTION_IN_WORD = re.compile(r"\w\?|\?\w")


def _read_csv(path: Path, data: bytes) -> Workbook:
    text, encoding, warnings = _decode(path, data)
    if "\x00" in text:
        raise KalanError(f"{path.name} : ce n'est pas un fichier texte CSV ni un classeur XLSX")
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(DELIMITERS, key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise KalanError(f"{path.name} : CSV illisible ({exc})") from None
    if not records:
        raise KalanError(f"{path.name} : le fichier est vide")
    header = [c.strip() for c in records[0]]
    body = [(n, [c.strip() for c in row]) for n, row in enumerate(records[1:], 2)]
    return Workbook(path, encoding, [Sheet("", header, body, True)], warnings)
