//! Schema migrations, append-only. The database's `user_version` is the number of
//! migrations applied; a database with a higher number than this binary knows is
//! refused rather than guessed at.

use crate::store::sql::Tx;

/// One schema step: SQL, or Rust where data must be transformed in ways SQL does
/// not express well (splitting names into words).
#[derive(Clone, Copy)]
pub enum Migration {
    Sql(&'static str),
    Rust(fn(&Tx<'_>) -> crate::store::sql::Result<()>),
}

impl Migration {
    pub fn apply(&self, tx: &Tx<'_>) -> crate::store::sql::Result<()> {
        match self {
            Migration::Sql(sql) => tx.execute_batch(sql),
            Migration::Rust(step) => step(tx),
        }
    }
}

/// Migration `i` (0-based) takes a database from `user_version = i` to `i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    // 1: the base schema.
    Migration::Sql(
        r#"
CREATE TABLE patients (
    patient_id  INTEGER PRIMARY KEY,
    mrn         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    sex         TEXT NOT NULL CHECK (sex IN ('F', 'M', 'U'))
) STRICT;

CREATE TABLE charts (
    chart_id        INTEGER PRIMARY KEY,
    account         TEXT NOT NULL UNIQUE,
    patient_id      INTEGER NOT NULL REFERENCES patients (patient_id),
    encounter_type  TEXT NOT NULL CHECK (encounter_type IN
                        ('inpatient', 'outpatient_surgery', 'emergency', 'clinic', 'professional')),
    admit_date      TEXT NOT NULL,
    discharge_date  TEXT NOT NULL,
    disposition     TEXT,
    attending       TEXT,
    payer           TEXT,
    status          TEXT NOT NULL CHECK (status IN
                        ('ready', 'in_progress', 'on_hold', 'coded', 'reviewed', 'final')),
    claimed_by      TEXT,
    claimed_at      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX charts_patient_id_idx ON charts (patient_id);
CREATE INDEX charts_discharge_date_chart_id_idx ON charts (discharge_date, chart_id);

CREATE TABLE chart_providers (
    chart_id  INTEGER NOT NULL REFERENCES charts (chart_id),
    seq       INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (chart_id, seq)
) STRICT;

CREATE TABLE documents (
    document_id  INTEGER PRIMARY KEY,
    chart_id     INTEGER NOT NULL REFERENCES charts (chart_id),
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT,
    author       TEXT NOT NULL,
    signed       INTEGER NOT NULL CHECK (signed IN (0, 1)),
    doc_date     TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (chart_id, seq)
) STRICT;

CREATE TABLE diagnoses (
    diagnosis_id  INTEGER PRIMARY KEY,
    chart_id      INTEGER NOT NULL REFERENCES charts (chart_id),
    seq           INTEGER NOT NULL,
    code          TEXT NOT NULL,
    code_system   TEXT NOT NULL CHECK (code_system = 'icd10cm'),
    edition       TEXT NOT NULL,
    poa           TEXT CHECK (poa IN ('Y', 'N', 'U', 'W', '1')),
    UNIQUE (chart_id, seq)
) STRICT;

CREATE TABLE procedures (
    procedure_id  INTEGER PRIMARY KEY,
    chart_id      INTEGER NOT NULL REFERENCES charts (chart_id),
    seq           INTEGER NOT NULL,
    code          TEXT NOT NULL,
    code_system   TEXT NOT NULL CHECK (code_system IN ('icd10pcs', 'cpt', 'hcpcs')),
    proc_date     TEXT,
    provider      TEXT,
    modifiers     TEXT NOT NULL DEFAULT '',
    units         INTEGER NOT NULL DEFAULT 1 CHECK (units >= 1),
    pointers      TEXT NOT NULL DEFAULT '',
    UNIQUE (chart_id, seq)
) STRICT;

CREATE TABLE physician_queries (
    physician_query_id  INTEGER PRIMARY KEY,
    chart_id            INTEGER NOT NULL REFERENCES charts (chart_id),
    status              TEXT NOT NULL CHECK (status IN
                            ('draft', 'open', 'answered', 'closed', 'canceled')),
    physician           TEXT NOT NULL,
    format              TEXT NOT NULL CHECK (format IN
                            ('open_ended', 'multiple_choice', 'yes_no')),
    template            TEXT,
    question            TEXT NOT NULL,
    indicators          TEXT NOT NULL DEFAULT '[]',
    options             TEXT NOT NULL DEFAULT '[]',
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    sent_at             TEXT,
    answer              TEXT,
    answered_at         TEXT,
    outcome             TEXT,
    closed_at           TEXT,
    cancel_reason       TEXT
) STRICT;
CREATE INDEX physician_queries_chart_id_idx ON physician_queries (chart_id);

CREATE TABLE holds (
    hold_id             INTEGER PRIMARY KEY,
    chart_id            INTEGER NOT NULL REFERENCES charts (chart_id),
    reason              TEXT NOT NULL,
    physician_query_id  INTEGER REFERENCES physician_queries (physician_query_id),
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    released_by         TEXT,
    released_at         TEXT
) STRICT;
CREATE INDEX holds_chart_id_idx ON holds (chart_id);

CREATE TABLE audit (
    audit_id  INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    chart_id  INTEGER REFERENCES charts (chart_id),
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_chart_id_idx ON audit (chart_id, audit_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"#,
    ),
    // 2: the queue at scale. Filter indexes that keep keyset pages on an index, and
    // per-(status, type) counts kept by triggers so the queue never counts a million
    // rows to show its total.
    Migration::Sql(
        r#"
CREATE INDEX charts_status_discharge_date_idx
    ON charts (status, discharge_date, chart_id);
CREATE INDEX charts_encounter_type_discharge_date_idx
    ON charts (encounter_type, discharge_date, chart_id);
CREATE INDEX charts_status_encounter_type_discharge_date_idx
    ON charts (status, encounter_type, discharge_date, chart_id);
CREATE INDEX charts_claimed_by_discharge_date_idx
    ON charts (claimed_by, discharge_date, chart_id);

CREATE TABLE queue_counts (
    status          TEXT NOT NULL,
    encounter_type  TEXT NOT NULL,
    charts          INTEGER NOT NULL,
    PRIMARY KEY (status, encounter_type)
) STRICT, WITHOUT ROWID;
INSERT INTO queue_counts (status, encounter_type, charts)
SELECT s.value, t.value,
       (SELECT count(*) FROM charts c WHERE c.status = s.value AND c.encounter_type = t.value)
FROM json_each('["ready","in_progress","on_hold","coded","reviewed","final"]') s,
     json_each('["inpatient","outpatient_surgery","emergency","clinic","professional"]') t;

CREATE TRIGGER charts_counted_on_insert AFTER INSERT ON charts
BEGIN
    UPDATE queue_counts SET charts = charts + 1
    WHERE status = NEW.status AND encounter_type = NEW.encounter_type;
END;
CREATE TRIGGER charts_counted_on_delete AFTER DELETE ON charts
BEGIN
    UPDATE queue_counts SET charts = charts - 1
    WHERE status = OLD.status AND encounter_type = OLD.encounter_type;
END;
CREATE TRIGGER charts_counted_on_update AFTER UPDATE OF status, encounter_type ON charts
WHEN OLD.status IS NOT NEW.status OR OLD.encounter_type IS NOT NEW.encounter_type
BEGIN
    UPDATE queue_counts SET charts = charts - 1
    WHERE status = OLD.status AND encounter_type = OLD.encounter_type;
    UPDATE queue_counts SET charts = charts + 1
    WHERE status = NEW.status AND encounter_type = NEW.encounter_type;
END;
"#,
    ),
    // 3: the words of patients' names, indexed, so typing part of a name in the
    // queue filter seeks an index instead of reading every chart.
    Migration::Rust(name_words),
    // 4: warnings a coder acknowledged (the edits engine): a warning identified
    // by its rule and codes, acknowledged once per chart; who and when, and the
    // message as it was shown. Kept when the codes change (a changed warning is
    // a new one).
    Migration::Sql(
        r#"
CREATE TABLE acknowledgements (
    chart_id      INTEGER NOT NULL REFERENCES charts (chart_id),
    finding_key   TEXT NOT NULL,
    message       TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (chart_id, finding_key)
) STRICT, WITHOUT ROWID;
"#,
    ),
    // 5: physician queries as sent. A sent query (its text, indicators,
    // options, recipient, time and coder) and its answer never change: the
    // triggers refuse it. A change of recipient is recorded beside it.
    Migration::Sql(
        r#"
ALTER TABLE physician_queries ADD COLUMN yes_no_reason TEXT;
ALTER TABLE physician_queries ADD COLUMN text TEXT;
CREATE TABLE query_recipients (
    physician_query_id  INTEGER NOT NULL REFERENCES physician_queries (physician_query_id),
    physician           TEXT NOT NULL,
    reason              TEXT NOT NULL,
    changed_by          TEXT NOT NULL,
    changed_at          TEXT NOT NULL
) STRICT;
CREATE INDEX query_recipients_query_idx ON query_recipients (physician_query_id);
CREATE INDEX physician_queries_sent_at_idx ON physician_queries (sent_at);
CREATE INDEX holds_physician_query_idx ON holds (physician_query_id);
CREATE TRIGGER physician_queries_sent_are_immutable BEFORE UPDATE ON physician_queries
WHEN OLD.status <> 'draft' AND (
       NEW.chart_id IS NOT OLD.chart_id OR NEW.physician IS NOT OLD.physician
    OR NEW.format IS NOT OLD.format OR NEW.yes_no_reason IS NOT OLD.yes_no_reason
    OR NEW.template IS NOT OLD.template OR NEW.question IS NOT OLD.question
    OR NEW.indicators IS NOT OLD.indicators OR NEW.options IS NOT OLD.options
    OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
    OR NEW.sent_at IS NOT OLD.sent_at OR NEW.text IS NOT OLD.text
    OR (OLD.answer IS NOT NULL AND NEW.answer IS NOT OLD.answer)
    OR (OLD.answered_at IS NOT NULL AND NEW.answered_at IS NOT OLD.answered_at))
BEGIN SELECT RAISE(ABORT, 'a sent query is immutable'); END;
CREATE TRIGGER physician_queries_sent_are_kept BEFORE DELETE ON physician_queries
WHEN OLD.status <> 'draft'
BEGIN SELECT RAISE(ABORT, 'a sent query is immutable'); END;
CREATE TRIGGER query_recipients_append_only BEFORE UPDATE ON query_recipients
BEGIN SELECT RAISE(ABORT, 'a change of recipient is kept as recorded'); END;
CREATE TRIGGER query_recipients_kept BEFORE DELETE ON query_recipients
BEGIN SELECT RAISE(ABORT, 'a change of recipient is kept as recorded'); END;
"#,
    ),
    // 6: a record that cannot be rewritten unnoticed. Each audit row carries
    // the operating-system user who wrote it and a hash over its contents and
    // the previous row's hash (a chain `chartcoder audit --verify` checks);
    // sent queries and answers are sealed by a hash in their audit row; the
    // append-only triggers also refuse REPLACE and UPSERT; the file says it is
    // chartcoder's (application_id) and has an id of its own (outbox names).
    Migration::Rust(seal_the_record),
    // 7: the MS-DRG a chart was completed with: DRG, MDC, relative weight
    // (none without an installed Table 5), grouper version and Table 5
    // edition, who completed it and when. One row per chart, written in the
    // completion's transaction.
    Migration::Sql(
        r#"
CREATE TABLE chart_drgs (
    chart_id         INTEGER PRIMARY KEY REFERENCES charts (chart_id),
    drg              INTEGER NOT NULL CHECK (drg BETWEEN 1 AND 999),
    mdc              INTEGER NOT NULL CHECK (mdc BETWEEN 0 AND 99),
    weight           REAL CHECK (weight IS NULL OR weight >= 0),
    grouper_version  TEXT NOT NULL,
    table5_edition   TEXT,
    completed_by     TEXT NOT NULL,
    completed_at     TEXT NOT NULL
) STRICT;
"#,
    ),
    // 8: charts that arrive over HL7 v2. The control ids of the messages
    // applied (a message sent again is acknowledged, not applied twice);
    // visits admitted but not yet discharged (not charts: a chart enters the
    // coding queue at discharge), each as the messages left it; and the
    // sender's number of a document, so that an edit or a replacement
    // finds it.
    Migration::Sql(
        r#"
CREATE TABLE inbound_messages (
    sender        TEXT NOT NULL,
    control_id    TEXT NOT NULL,
    message_type  TEXT NOT NULL,
    chart_id      INTEGER REFERENCES charts (chart_id),
    detail        TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (sender, control_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE inbound_visits (
    account     TEXT PRIMARY KEY,
    mrn         TEXT NOT NULL,
    visit       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
ALTER TABLE documents ADD COLUMN source_ref TEXT;
CREATE UNIQUE INDEX documents_chart_id_source_ref_idx
    ON documents (chart_id, source_ref) WHERE source_ref IS NOT NULL;
"#,
    ),
    // 9: coding quality and flow. Users and their roles; the manager's
    // review rules and targets; each completion with the coder's time on the
    // chart (from the audit trail) and a per-day sum of them kept by a
    // trigger (productivity never reads a million rows); second-level
    // reviews with the coder's version kept as it was, the reviewer's
    // reasons, rebuttals and verdicts; and the final lock (a final chart's
    // codes and DRG refuse any change; only a manager's audited reopen
    // takes a chart out of final).
    Migration::Rust(quality_and_review),
    // 10: the queue's name-word filter at a million charts: one row per word
    // of each chart's patient name, carrying the chart's status and queue
    // order, so the charts whose name has a word are read from one index in
    // queue order (a page is a seek) instead of collected and sorted per
    // keystroke. Derived from `patient_name_words` and `charts` by triggers.
    Migration::Sql(super::queue::words::CHART_NAME_WORDS_SQL),
    // 11: two typed words at a million charts: one row per ordered pair of
    // two different words of each chart's patient name, in queue order, so
    // "zelda y" reads the charts of (zelda, yarrow) from one index range
    // instead of testing every chart of "zelda" for a word beginning "y".
    // Derived from `patient_name_words` and `charts` by triggers.
    Migration::Sql(super::queue::pairs::CHART_NAME_PAIRS_SQL),
    // 12: account and MRN prefixes at a million charts: one row per chart
    // for its account and one for its patient's MRN, carrying the chart's
    // status, queue order and type, keyed by the number (a few matches are
    // one index range, sorted) and indexed in queue order (many matches:
    // the queue walked, each number tested in the index). Derived from
    // `charts` and `patients` by triggers.
    Migration::Sql(super::queue::numbers::CHART_NUMBERS_SQL),
];

/// `PRAGMA application_id` of a chartcoder database ("CHCO").
pub const APPLICATION_ID: i32 = 0x4348_434F;

/// The triggers that keep the audit trail and sent queries append-only, as
/// stored in the schema: `audit --verify` finds one dropped or changed.
pub const GUARD_TRIGGERS: &[(&str, &str)] = &[
    (
        "audit_no_update",
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    ),
    (
        "audit_no_delete",
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    ),
    (
        "audit_no_replace",
        "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE audit_id = NEW.audit_id)
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    ),
    (
        "physician_queries_sent_are_immutable",
        "CREATE TRIGGER physician_queries_sent_are_immutable BEFORE UPDATE ON physician_queries
WHEN OLD.status <> 'draft' AND (
       NEW.chart_id IS NOT OLD.chart_id OR NEW.physician IS NOT OLD.physician
    OR NEW.format IS NOT OLD.format OR NEW.yes_no_reason IS NOT OLD.yes_no_reason
    OR NEW.template IS NOT OLD.template OR NEW.question IS NOT OLD.question
    OR NEW.indicators IS NOT OLD.indicators OR NEW.options IS NOT OLD.options
    OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
    OR NEW.sent_at IS NOT OLD.sent_at OR NEW.text IS NOT OLD.text
    OR NEW.physician_query_id IS NOT OLD.physician_query_id
    OR NEW.status = 'draft'
    OR (OLD.status IN ('closed', 'canceled') AND NEW.status IS NOT OLD.status)
    OR (OLD.answer IS NOT NULL AND NEW.answer IS NOT OLD.answer)
    OR (OLD.answered_at IS NOT NULL AND NEW.answered_at IS NOT OLD.answered_at)
    OR (OLD.outcome IS NOT NULL AND NEW.outcome IS NOT OLD.outcome)
    OR (OLD.closed_at IS NOT NULL AND NEW.closed_at IS NOT OLD.closed_at)
    OR (OLD.cancel_reason IS NOT NULL AND NEW.cancel_reason IS NOT OLD.cancel_reason))
BEGIN SELECT RAISE(ABORT, 'a sent query is immutable'); END",
    ),
    (
        "physician_queries_sent_are_kept",
        "CREATE TRIGGER physician_queries_sent_are_kept BEFORE DELETE ON physician_queries
WHEN OLD.status <> 'draft'
BEGIN SELECT RAISE(ABORT, 'a sent query is immutable'); END",
    ),
    (
        "physician_queries_sent_not_replaced",
        "CREATE TRIGGER physician_queries_sent_not_replaced BEFORE INSERT ON physician_queries
WHEN EXISTS (SELECT 1 FROM physician_queries
             WHERE physician_query_id = NEW.physician_query_id AND status <> 'draft')
BEGIN SELECT RAISE(ABORT, 'a sent query is immutable'); END",
    ),
    (
        "query_recipients_append_only",
        "CREATE TRIGGER query_recipients_append_only BEFORE UPDATE ON query_recipients
BEGIN SELECT RAISE(ABORT, 'a change of recipient is kept as recorded'); END",
    ),
    (
        "query_recipients_kept",
        "CREATE TRIGGER query_recipients_kept BEFORE DELETE ON query_recipients
BEGIN SELECT RAISE(ABORT, 'a change of recipient is kept as recorded'); END",
    ),
    (
        "query_recipients_not_replaced",
        "CREATE TRIGGER query_recipients_not_replaced BEFORE INSERT ON query_recipients
WHEN EXISTS (SELECT 1 FROM query_recipients WHERE rowid = NEW.rowid)
BEGIN SELECT RAISE(ABORT, 'a change of recipient is kept as recorded'); END",
    ),
];

fn seal_the_record(tx: &Tx<'_>) -> crate::store::sql::Result<()> {
    for (name, _) in GUARD_TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}"))?;
    }
    tx.execute_batch(
        "ALTER TABLE audit ADD COLUMN os_user TEXT NOT NULL DEFAULT '';
         ALTER TABLE audit ADD COLUMN seal TEXT;
         ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
         CREATE TABLE site (
             key    TEXT PRIMARY KEY,
             value  TEXT NOT NULL
         ) STRICT, WITHOUT ROWID;
         INSERT INTO site (key, value) VALUES ('database_id', lower(hex(randomblob(6))));",
    )?;
    // The database file's owner is its first manager (not whoever happens to
    // run the upgrade); a database in memory: the process's user.
    let file: Option<String> = tx
        .query_row(
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
            [],
            |r| r.get(0),
        )
        .ok()
        .filter(|f: &String| !f.is_empty());
    let owner = file
        .and_then(|f| crate::identity::owner_of(std::path::Path::new(&f)))
        .unwrap_or_else(|| crate::identity::os_user().to_string());
    tx.execute(
        "INSERT INTO site (key, value) VALUES ('managers', ?1)",
        [owner],
    )?;
    tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
    // The rows written before: chained as they are.
    let rows = tx.query_map(
        "SELECT audit_id, at, actor, os_user, chart_id, action, detail, seal
             FROM audit ORDER BY audit_id",
        [],
        super::audit::Row::from_sql,
    )?;
    let mut prev = super::audit::GENESIS.to_string();
    for row in rows {
        prev = row.hash(&prev);
        tx.execute(
            "UPDATE audit SET hash = ?2 WHERE audit_id = ?1",
            crate::store::sql::params![row.id, prev],
        )?;
    }
    for (_, sql) in GUARD_TRIGGERS {
        tx.execute_batch(sql)?;
    }
    // Queries already sent are sealed now, as they stand.
    let sent = tx.query_map(
        "SELECT physician_query_id, chart_id, text, answer FROM physician_queries
             WHERE status <> 'draft' AND text IS NOT NULL ORDER BY physician_query_id",
        [],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<i64>(1)?,
                r.get::<String>(2)?,
                r.get::<Option<String>>(3)?,
            ))
        },
    )?;
    for (id, chart_id, text, answer) in sent {
        let detail = format!("#{id}");
        let seal = super::audit::seal(&text);
        super::audit::append(
            tx,
            "chartcoder",
            Some(chart_id),
            crate::domain::AuditAction::QuerySealed,
            &detail,
            Some(&seal),
        )?;
        if let Some(answer) = answer {
            let seal = super::audit::seal(&answer);
            super::audit::append(
                tx,
                "chartcoder",
                Some(chart_id),
                crate::domain::AuditAction::AnswerSealed,
                &detail,
                Some(&seal),
            )?;
        }
    }
    Ok(())
}

/// The users and their roles, and the manager's quality settings.
const USERS_AND_SETTINGS_SQL: &str = r#"
CREATE TABLE users (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('coder', 'reviewer', 'manager')),
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE quality_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
"#;

/// Each completion timed, and its per-day sums (kept by a trigger) for the
/// productivity report.
const CODING_TIMES_SQL: &str = r#"
CREATE TABLE chart_coding (
    chart_id        INTEGER NOT NULL REFERENCES charts (chart_id),
    coder           TEXT NOT NULL,
    encounter_type  TEXT NOT NULL,
    completed_at    TEXT NOT NULL,
    day             TEXT NOT NULL,
    seconds         INTEGER NOT NULL CHECK (seconds >= 0)
) STRICT;
CREATE INDEX chart_coding_chart_id_idx ON chart_coding (chart_id);
CREATE INDEX chart_coding_coder_idx ON chart_coding (coder);

CREATE TABLE coding_daily (
    day             TEXT NOT NULL,
    coder           TEXT NOT NULL,
    encounter_type  TEXT NOT NULL,
    charts          INTEGER NOT NULL,
    seconds         INTEGER NOT NULL,
    PRIMARY KEY (day, coder, encounter_type)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER chart_coding_summed AFTER INSERT ON chart_coding
BEGIN
    INSERT OR IGNORE INTO coding_daily (day, coder, encounter_type, charts, seconds)
    VALUES (NEW.day, NEW.coder, NEW.encounter_type, 0, 0);
    UPDATE coding_daily SET charts = charts + 1, seconds = seconds + NEW.seconds
    WHERE day = NEW.day AND coder = NEW.coder AND encounter_type = NEW.encounter_type;
END;
"#;

/// The reviews.
const REVIEWS_SQL: &str = r#"
CREATE TABLE reviews (
    review_id          INTEGER PRIMARY KEY,
    chart_id           INTEGER NOT NULL REFERENCES charts (chart_id),
    coder              TEXT NOT NULL,
    coded_at           TEXT NOT NULL,
    reviewer           TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('in_review', 'returned', 'rebutted', 'closed')),
    selected_because   TEXT NOT NULL DEFAULT '',
    coder_drg          INTEGER,
    started_at         TEXT NOT NULL,
    return_note        TEXT,
    returned_at        TEXT,
    rebuttal_note      TEXT,
    responded_at       TEXT,
    settled_by         TEXT,
    settled_at         TEXT,
    closed_at          TEXT,
    dx_codes           INTEGER,
    dx_errors          INTEGER,
    px_codes           INTEGER,
    px_errors          INTEGER,
    principal_changed  INTEGER,
    drg_changed        INTEGER
) STRICT;
CREATE UNIQUE INDEX reviews_chart_id_open_idx ON reviews (chart_id) WHERE state <> 'closed';
CREATE INDEX reviews_chart_id_idx ON reviews (chart_id);
CREATE INDEX reviews_state_coded_at_idx ON reviews (state, coded_at, coder);
"#;

/// The per-day sums of closed reviews' scores (kept by triggers) for the
/// accuracy report.
const ACCURACY_SUMS_SQL: &str = r#"
CREATE TABLE accuracy_daily (
    day                TEXT NOT NULL,
    coder              TEXT NOT NULL,
    charts             INTEGER NOT NULL,
    dx_codes           INTEGER NOT NULL,
    dx_errors          INTEGER NOT NULL,
    px_codes           INTEGER NOT NULL,
    px_errors          INTEGER NOT NULL,
    principal_charts   INTEGER NOT NULL,
    principal_changed  INTEGER NOT NULL,
    drg_charts         INTEGER NOT NULL,
    drg_changed        INTEGER NOT NULL,
    PRIMARY KEY (day, coder)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER reviews_scored_on_insert AFTER INSERT ON reviews
WHEN NEW.state = 'closed'
BEGIN
    INSERT OR IGNORE INTO accuracy_daily (day, coder, charts, dx_codes, dx_errors, px_codes,
        px_errors, principal_charts, principal_changed, drg_charts, drg_changed)
    VALUES (substr(NEW.coded_at, 1, 10), NEW.coder, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    UPDATE accuracy_daily SET charts = charts + 1,
        dx_codes = dx_codes + coalesce(NEW.dx_codes, 0),
        dx_errors = dx_errors + coalesce(NEW.dx_errors, 0),
        px_codes = px_codes + coalesce(NEW.px_codes, 0),
        px_errors = px_errors + coalesce(NEW.px_errors, 0),
        principal_charts = principal_charts + (NEW.principal_changed IS NOT NULL),
        principal_changed = principal_changed + coalesce(NEW.principal_changed, 0),
        drg_charts = drg_charts + (NEW.drg_changed IS NOT NULL),
        drg_changed = drg_changed + coalesce(NEW.drg_changed, 0)
    WHERE day = substr(NEW.coded_at, 1, 10) AND coder = NEW.coder;
END;
CREATE TRIGGER reviews_scored_on_close AFTER UPDATE OF state ON reviews
WHEN NEW.state = 'closed' AND OLD.state <> 'closed'
BEGIN
    INSERT OR IGNORE INTO accuracy_daily (day, coder, charts, dx_codes, dx_errors, px_codes,
        px_errors, principal_charts, principal_changed, drg_charts, drg_changed)
    VALUES (substr(NEW.coded_at, 1, 10), NEW.coder, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    UPDATE accuracy_daily SET charts = charts + 1,
        dx_codes = dx_codes + coalesce(NEW.dx_codes, 0),
        dx_errors = dx_errors + coalesce(NEW.dx_errors, 0),
        px_codes = px_codes + coalesce(NEW.px_codes, 0),
        px_errors = px_errors + coalesce(NEW.px_errors, 0),
        principal_charts = principal_charts + (NEW.principal_changed IS NOT NULL),
        principal_changed = principal_changed + coalesce(NEW.principal_changed, 0),
        drg_charts = drg_charts + (NEW.drg_changed IS NOT NULL),
        drg_changed = drg_changed + coalesce(NEW.drg_changed, 0)
    WHERE day = substr(NEW.coded_at, 1, 10) AND coder = NEW.coder;
END;
"#;

/// The coder's version kept beside a review, unchangeable.
const CODER_VERSION_SQL: &str = r#"
CREATE TABLE review_diagnoses (
    review_id    INTEGER NOT NULL REFERENCES reviews (review_id),
    seq          INTEGER NOT NULL,
    code         TEXT NOT NULL,
    code_system  TEXT NOT NULL,
    edition      TEXT NOT NULL,
    poa          TEXT,
    PRIMARY KEY (review_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE review_procedures (
    review_id    INTEGER NOT NULL REFERENCES reviews (review_id),
    seq          INTEGER NOT NULL,
    code         TEXT NOT NULL,
    code_system  TEXT NOT NULL,
    proc_date    TEXT,
    provider     TEXT,
    modifiers    TEXT NOT NULL,
    units        INTEGER NOT NULL,
    pointers     TEXT NOT NULL,
    PRIMARY KEY (review_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER review_diagnoses_kept BEFORE UPDATE ON review_diagnoses
BEGIN SELECT RAISE(ABORT, 'the coder''s version is kept as it was'); END;
CREATE TRIGGER review_procedures_kept BEFORE UPDATE ON review_procedures
BEGIN SELECT RAISE(ABORT, 'the coder''s version is kept as it was'); END;
"#;

/// What the reviewer, coder and manager said of each difference.
const REVIEW_CHANGES_SQL: &str = r#"
CREATE TABLE review_changes (
    review_id    INTEGER NOT NULL REFERENCES reviews (review_id),
    change_key   TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('principal_dx_sequencing', 'missed_secondary_dx',
                     'unsupported_dx', 'wrong_code', 'poa', 'pcs_character',
                     'missing_extra_procedure', 'modifier', 'drg_changed')),
    note         TEXT NOT NULL DEFAULT '',
    given_by     TEXT NOT NULL,
    given_at     TEXT NOT NULL,
    rebutted     INTEGER NOT NULL DEFAULT 0 CHECK (rebutted IN (0, 1)),
    verdict      TEXT CHECK (verdict IN ('reviewer', 'coder')),
    PRIMARY KEY (review_id, change_key)
) STRICT, WITHOUT ROWID;
"#;

/// A final chart locked: its codes and DRG unchangeable, its status changed
/// only right after a manager's reopen.
const FINAL_LOCK_SQL: &str = r#"
CREATE TRIGGER diagnoses_final_update BEFORE UPDATE ON diagnoses
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER diagnoses_final_delete BEFORE DELETE ON diagnoses
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER procedures_final_update BEFORE UPDATE ON procedures
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER procedures_final_delete BEFORE DELETE ON procedures
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER chart_drgs_final_update BEFORE UPDATE ON chart_drgs
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER chart_drgs_final_delete BEFORE DELETE ON chart_drgs
WHEN (SELECT status FROM charts WHERE chart_id = OLD.chart_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): a manager reopens it first'); END;
CREATE TRIGGER charts_final_reopened_only BEFORE UPDATE OF status ON charts
WHEN OLD.status = 'final' AND NEW.status <> 'final' AND NOT EXISTS (
    SELECT 1 FROM audit WHERE audit_id = (SELECT max(audit_id) FROM audit)
    AND chart_id = OLD.chart_id AND action = 'reopen')
BEGIN SELECT RAISE(ABORT, 'the chart is final (locked): only a manager''s reopen, with a reason, changes it'); END;
"#;

/// Users and roles, coding times, second-level review and the final lock:
/// the steps above in this order, then the completions recorded before.
fn quality_and_review(tx: &Tx<'_>) -> crate::store::sql::Result<()> {
    for sql in [
        USERS_AND_SETTINGS_SQL,
        CODING_TIMES_SQL,
        REVIEWS_SQL,
        ACCURACY_SUMS_SQL,
        CODER_VERSION_SQL,
        REVIEW_CHANGES_SQL,
        FINAL_LOCK_SQL,
    ] {
        tx.execute_batch(sql)?;
    }
    record_earlier_completions(tx)
}

/// Charts completed before: their completions, timed from the trail.
fn record_earlier_completions(tx: &Tx<'_>) -> crate::store::sql::Result<()> {
    let completions = tx.query_map(
        "SELECT a.audit_id, a.chart_id, a.actor, a.at FROM audit a
             WHERE a.action = 'complete' AND a.chart_id IS NOT NULL ORDER BY a.audit_id",
        [],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<i64>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
            ))
        },
    )?;
    for (audit_id, chart_id, coder, at) in completions {
        super::quality::record_completion(tx, chart_id, &coder, &at, audit_id)?;
    }
    Ok(())
}

fn name_words(tx: &Tx<'_>) -> crate::store::sql::Result<()> {
    tx.execute_batch(
        "CREATE TABLE patient_name_words (
             word        TEXT NOT NULL,
             patient_id  INTEGER NOT NULL REFERENCES patients (patient_id),
             PRIMARY KEY (word, patient_id)
         ) STRICT, WITHOUT ROWID;
         CREATE INDEX patient_name_words_patient_id_word_idx
             ON patient_name_words (patient_id, word);",
    )?;
    let patients_sql = "SELECT patient_id, name FROM patients";
    tx.for_each(patients_sql, [], |row| -> crate::store::sql::Result<()> {
        super::charts::index_name_words(tx, row.get(0)?, &row.get::<String>(1)?)?;
        Ok(())
    })?;
    Ok(())
}

/// The schema version this binary writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;
