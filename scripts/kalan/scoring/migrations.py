"""Ordered, named schema migrations; each runs in one transaction with its record."""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_schema_initial", """
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('participants', 'resultats')),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL,
    changes INTEGER NOT NULL
) STRICT;
CREATE INDEX imports_by_hash ON imports (kind, sha256);

CREATE TABLE import_warnings (
    import_id INTEGER NOT NULL REFERENCES imports (id),
    message TEXT NOT NULL
) STRICT;

CREATE TABLE cohorts (
    code TEXT PRIMARY KEY
) STRICT;

CREATE TABLE participants (
    code TEXT PRIMARY KEY,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    category TEXT NOT NULL,
    cercle TEXT NOT NULL,
    commune TEXT NOT NULL,
    organisation TEXT NOT NULL,
    cohort TEXT NOT NULL REFERENCES cohorts (code),
    name TEXT,
    import_id INTEGER NOT NULL REFERENCES imports (id)
) STRICT;

CREATE TABLE variants (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
    items INTEGER NOT NULL,
    pass_mark INTEGER NOT NULL
) STRICT;

CREATE TABLE variant_keys (
    variant_id TEXT NOT NULL REFERENCES variants (id),
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    objective TEXT NOT NULL,
    PRIMARY KEY (variant_id, item_id)
) STRICT;

-- One row per answer sheet. `marks` holds the marks as written on the paper (or typed by the
-- transcriber), as a JSON object {"Q01": "A", "Q02": "vide", …}: one row per sheet keeps a
-- 100 000-person import fast, and the item_results view below still gives one row per answer.
CREATE TABLE sittings (
    id INTEGER PRIMARY KEY,
    participant TEXT NOT NULL REFERENCES participants (code),
    form_id TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
    variant_id TEXT NOT NULL REFERENCES variants (id),
    language TEXT NOT NULL,
    mode TEXT NOT NULL,
    taken_on TEXT,
    marks TEXT NOT NULL CHECK (json_valid(marks) AND json_type(marks) = 'object'),
    import_id INTEGER NOT NULL REFERENCES imports (id),
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    UNIQUE (participant, form_id, phase)
) STRICT;

-- Scores are derived: 1 when the mark is the key of the sitting's variant.
CREATE VIEW item_results AS
SELECT s.participant, s.form_id, s.phase, j.key AS item_id, k.position, k.objective, j.value AS mark,
       CASE WHEN j.value = k.key THEN 1 ELSE 0 END AS correct
FROM sittings s, json_each(s.marks) j
JOIN variant_keys k ON k.variant_id = s.variant_id AND k.item_id = j.key;

CREATE VIEW sitting_scores AS
SELECT s.participant, s.form_id, s.phase, s.variant_id, s.language, s.mode, s.taken_on,
       (SELECT COUNT(*) FROM json_each(s.marks) j JOIN variant_keys k ON k.variant_id = s.variant_id
          AND k.item_id = j.key WHERE j.value = k.key) AS score,
       v.items, v.pass_mark
FROM sittings s
JOIN variants v ON v.id = s.variant_id;
"""),
    ("0002_suivi_presence_competences", """
-- Issue 13: a third phase (« suivi », the retention test), attendance per half-day, observed skills.
-- SQLite cannot change a CHECK constraint in place: the tables are rebuilt with the same rows and ids,
-- views first dropped and recreated. The runner switches foreign keys off for this migration (as SQLite's
-- documented procedure requires) and checks them all before committing.
-- kalan:sans-cles-etrangeres
DROP VIEW item_results;
DROP VIEW sitting_scores;

CREATE TABLE imports_v2 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('participants', 'resultats', 'presence', 'competences', 'fusion')),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL,
    changes INTEGER NOT NULL
) STRICT;
INSERT INTO imports_v2 SELECT id, kind, file, sha256, format, imported_at, rows, changes FROM imports;
DROP TABLE imports;
ALTER TABLE imports_v2 RENAME TO imports;
CREATE INDEX imports_by_hash ON imports (kind, sha256);

CREATE TABLE variants_v2 (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('pre', 'post', 'suivi')),
    items INTEGER NOT NULL,
    pass_mark INTEGER NOT NULL
) STRICT;
INSERT INTO variants_v2 SELECT id, form_id, version, phase, items, pass_mark FROM variants;
DROP TABLE variants;
ALTER TABLE variants_v2 RENAME TO variants;

CREATE TABLE sittings_v2 (
    id INTEGER PRIMARY KEY,
    participant TEXT NOT NULL REFERENCES participants (code),
    form_id TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('pre', 'post', 'suivi')),
    variant_id TEXT NOT NULL REFERENCES variants (id),
    language TEXT NOT NULL,
    mode TEXT NOT NULL,
    taken_on TEXT,
    marks TEXT NOT NULL CHECK (json_valid(marks) AND json_type(marks) = 'object'),
    import_id INTEGER NOT NULL REFERENCES imports (id),
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    UNIQUE (participant, form_id, phase)
) STRICT;
INSERT INTO sittings_v2 SELECT id, participant, form_id, phase, variant_id, language, mode, taken_on, marks,
       import_id, source_sheet, source_row FROM sittings;
DROP TABLE sittings;
ALTER TABLE sittings_v2 RENAME TO sittings;

-- One row per person and half-day of the agenda (day 1..n, « matin » or « apres-midi »).
CREATE TABLE attendance (
    participant TEXT NOT NULL REFERENCES participants (code),
    day INTEGER NOT NULL CHECK (day >= 1),
    half TEXT NOT NULL CHECK (half IN ('matin', 'apres-midi')),
    present INTEGER NOT NULL CHECK (present IN (0, 1)),
    import_id INTEGER NOT NULL REFERENCES imports (id),
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    PRIMARY KEY (participant, day, half)
) STRICT;

-- One row per observation sheet of the PFA competency checklist: scores as a JSON object
-- {"se-presente": 2, "ne-force-pas": 1, …} (a behaviour not scored is absent or null).
CREATE TABLE skill_observations (
    id INTEGER PRIMARY KEY,
    participant TEXT NOT NULL REFERENCES participants (code),
    checklist_id TEXT NOT NULL,
    checklist_version INTEGER NOT NULL,
    scenario TEXT NOT NULL,
    observer TEXT NOT NULL,
    observed_on TEXT,
    scores TEXT NOT NULL CHECK (json_valid(scores) AND json_type(scores) = 'object'),
    import_id INTEGER NOT NULL REFERENCES imports (id),
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    UNIQUE (participant, checklist_id, observer)
) STRICT;

CREATE VIEW item_results AS
SELECT s.participant, s.form_id, s.phase, j.key AS item_id, k.position, k.objective, j.value AS mark,
       CASE WHEN j.value = k.key THEN 1 ELSE 0 END AS correct
FROM sittings s, json_each(s.marks) j
JOIN variant_keys k ON k.variant_id = s.variant_id AND k.item_id = j.key;

CREATE VIEW sitting_scores AS
SELECT s.participant, s.form_id, s.phase, s.variant_id, s.language, s.mode, s.taken_on,
       (SELECT COUNT(*) FROM json_each(s.marks) j JOIN variant_keys k ON k.variant_id = s.variant_id
          AND k.item_id = j.key WHERE j.value = k.key) AS score,
       v.items, v.pass_mark
FROM sittings s
JOIN variants v ON v.id = s.variant_id;
"""),
    ("0003_feuilles_photographiees", """
-- Issue 14: answer sheets read from phone photos. One row per page read (a photo, or a page of a
-- scanner PDF): the photo's name and SHA-256, what was read, and whether it went straight into
-- `sittings` (importee), waits for a person (a-verifier), was corrected (corrigee) or set aside (ecartee).
-- Photos are imported as results (imports.kind 'resultats', format 'photos' or 'correction-photos').
CREATE TABLE omr_pages (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    page INTEGER NOT NULL CHECK (page >= 1),
    form_id TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    reading TEXT NOT NULL CHECK (json_valid(reading) AND json_type(reading) = 'object'),
    status TEXT NOT NULL CHECK (status IN ('a-verifier', 'importee', 'corrigee', 'ecartee')),
    read_at TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    sitting_id INTEGER REFERENCES sittings (id),
    thumbnail BLOB,
    UNIQUE (sha256, page)
) STRICT;
CREATE INDEX omr_pages_by_status ON omr_pages (status);

-- What a person must decide on a page waiting for review: one row per doubtful field (the code,
-- the language, the mode, the phase or a question), with the crop of the straightened photo.
CREATE TABLE omr_doubts (
    page_id INTEGER NOT NULL REFERENCES omr_pages (id),
    field TEXT NOT NULL,
    proposed TEXT NOT NULL,
    reason TEXT NOT NULL,
    fills TEXT NOT NULL CHECK (json_valid(fills)),
    crop BLOB NOT NULL,
    correction TEXT,
    corrected_by INTEGER REFERENCES imports (id),
    PRIMARY KEY (page_id, field)
) STRICT;
"""),
]
