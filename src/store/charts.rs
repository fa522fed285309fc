//! Charts with their patient, documents and code assignments.

use super::{Result, StoreError, audit, now_utc};
use crate::domain::{
    Chart, ChartStatus, CodeSystem, DiagnosisAssignment, Document, Encounter, Patient,
    ProcedureAssignment, pointer_from_letter, pointer_letter,
};
use crate::store::sql::{Db, Row, Tx, params};
use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

/// One thing wrong with one chart of an import, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// Where in the input, e.g. `charts[3] (line 120)`.
    pub position: String,
    /// The field, e.g. `encounter.admit_date`, when the problem is in one field.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} {}: {}", self.position, field, self.message),
            None => write!(f, "{}: {}", self.position, self.message),
        }
    }
}

/// How many synthetic charts (accounts `G…`, from `chartcoder demo
/// --generate`) the database holds.
pub fn generated_count(conn: &Db) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM charts WHERE account LIKE 'G%'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Stores every chart, or none of them: an account already on file, or an MRN on
/// file for a patient with another name, birth date or sex, rejects the whole batch
/// and names each offending chart by its position. Messages never echo the
/// identifiers themselves (they are PHI).
pub fn import_charts(tx: &Tx<'_>, charts: &[(String, Chart)], actor: &str) -> Result<Vec<i64>> {
    let mut problems = Vec::new();
    for (position, chart) in charts {
        if chart_id_for_account(tx, &chart.account)?.is_some() {
            problems.push(ImportProblem {
                position: position.clone(),
                field: Some("account".into()),
                message: "this account is already in the database (not merged; remove it from the file or use another database)"
                    .into(),
            });
        }
        if let Some(existing) = patient_by_mrn(tx, &chart.mrn)?
            && existing.1 != chart.patient
        {
            problems.push(ImportProblem {
                position: position.clone(),
                field: Some("patient".into()),
                message: "this MRN is already on file for a patient with a different name, birth date or sex".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Rejected(problems));
    }
    let mut ids = Vec::with_capacity(charts.len());
    let now = now_utc();
    for (_, chart) in charts {
        let id = insert_chart(tx, chart, &now)?;
        audit::record(
            tx,
            actor,
            Some(id),
            crate::domain::AuditAction::ChartImported,
            "",
        )?;
        // A chart exported with its final DRG keeps it (recorded as imported).
        if let Some(drg) = &chart.final_drg {
            super::drg::save_final(tx, id, drg, actor, &now)?;
            audit::record(
                tx,
                actor,
                Some(id),
                crate::domain::AuditAction::FinalDrg,
                &format!("{} (imported)", drg.describe()),
            )?;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn patient_by_mrn(conn: &Db, mrn: &str) -> Result<Option<(i64, Patient)>> {
    conn.query_opt(
        "SELECT patient_id, name, birth_date, sex FROM patients WHERE mrn = ?1",
        [mrn],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
            ))
        },
    )?
    .map(|(id, name, birth, sex)| {
        Ok((
            id,
            Patient {
                name,
                birth_date: parse_date(&birth)?,
                sex: parse_enum(&sex)?,
            },
        ))
    })
    .transpose()
}

/// Inserts one chart (and its patient when the MRN is new) without any check
/// beyond the schema's; callers check duplicates first and write the audit row.
pub fn insert_chart(tx: &Tx<'_>, chart: &Chart, now: &str) -> Result<i64> {
    let patient_id = patient_for(tx, chart)?;
    let e = &chart.encounter;
    let chart_id: i64 = tx.insert_id("INSERT INTO charts (account, patient_id, encounter_type, admit_date, discharge_date, disposition,
                             attending, payer, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)", params![
        chart.account,
        patient_id,
        e.encounter_type.as_str(),
        e.admit_date.to_string(),
        e.discharge_date.to_string(),
        e.disposition,
        e.attending,
        e.payer,
        chart.status.as_str(),
        now,
    ], "chart_id")?;
    insert_providers_and_documents(tx, chart_id, chart)?;
    insert_codes(tx, chart_id, chart)?;
    Ok(chart_id)
}

/// The patient with the chart's MRN, added (and their name's words indexed)
/// when the MRN is new.
fn patient_for(tx: &Tx<'_>, chart: &Chart) -> Result<i64> {
    Ok(match patient_by_mrn(tx, &chart.mrn)? {
        Some((id, _)) => id,
        None => {
            let id: i64 = tx.insert_id(
                "INSERT INTO patients (mrn, name, birth_date, sex) VALUES (?1, ?2, ?3, ?4)",
                params![
                    chart.mrn,
                    chart.patient.name,
                    chart.patient.birth_date.to_string(),
                    chart.patient.sex.as_str()
                ],
                "patient_id",
            )?;
            index_name_words(tx, id, &chart.patient.name)?;
            id
        }
    })
}

fn insert_providers_and_documents(tx: &Tx<'_>, chart_id: i64, chart: &Chart) -> Result<()> {
    let e = &chart.encounter;
    {
        let sql = "INSERT INTO chart_providers (chart_id, seq, name) VALUES (?1, ?2, ?3)";
        for (seq, name) in e.other_providers.iter().enumerate() {
            tx.execute(sql, params![chart_id, seq as i64 + 1, name])?;
        }
    }
    {
        let sql =
            "INSERT INTO documents (chart_id, seq, kind, title, author, signed, doc_date, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
        for (seq, d) in chart.documents.iter().enumerate() {
            tx.execute(
                sql,
                params![
                    chart_id,
                    seq as i64 + 1,
                    d.kind.as_str(),
                    d.title,
                    d.author,
                    d.signed,
                    d.date.to_string(),
                    d.text
                ],
            )?;
        }
    }
    Ok(())
}

/// The chart's diagnoses and procedures, in their order.
fn insert_codes(tx: &Tx<'_>, chart_id: i64, chart: &Chart) -> Result<()> {
    {
        let sql = "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
        for (seq, d) in chart.diagnoses.iter().enumerate() {
            tx.execute(
                sql,
                params![
                    chart_id,
                    seq as i64 + 1,
                    d.code,
                    d.system.as_str(),
                    d.edition,
                    d.poa.map(|p| p.as_str())
                ],
            )?;
        }
    }
    {
        let sql = "INSERT INTO procedures (chart_id, seq, code, code_system, proc_date, provider, modifiers, units, pointers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
        for (seq, p) in chart.procedures.iter().enumerate() {
            let pointers: String = p
                .pointers
                .iter()
                .filter_map(|&n| pointer_letter(n))
                .collect();
            tx.execute(
                sql,
                params![
                    chart_id,
                    seq as i64 + 1,
                    p.code,
                    p.system.as_str(),
                    p.date.map(|d| d.to_string()),
                    p.provider,
                    p.modifiers.join(" "),
                    p.units,
                    pointers
                ],
            )?;
        }
    }
    Ok(())
}

/// The words of a name as the queue filter matches them: lower case, split at
/// anything that is not a letter or digit ("Vasquez-Lindqvist" -> vasquez, lindqvist).
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Records the words of a patient's name for the queue's name filter.
pub fn index_name_words(conn: &Db, patient_id: i64, name: &str) -> crate::store::sql::Result<()> {
    let sql =
        "INSERT INTO patient_name_words (word, patient_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
    for word in name_words(name) {
        conn.execute(sql, params![word, patient_id])?;
    }
    Ok(())
}

/// The chart stored under an account number.
pub fn chart_id_for_account(conn: &Db, account: &str) -> Result<Option<i64>> {
    Ok(conn.query_opt(
        "SELECT chart_id FROM charts WHERE account = ?1",
        [account],
        |r| r.get(0),
    )?)
}

/// Every chart id, in the order the charts were stored, optionally of one status.
pub fn chart_ids(conn: &Db, status: Option<ChartStatus>) -> Result<Vec<i64>> {
    let sql = "SELECT chart_id FROM charts WHERE CAST(?1 AS TEXT) IS NULL OR status = ?1 ORDER BY chart_id";
    let ids = conn.query_map(sql, [status.map(|s| s.as_str())], |r| r.get(0))?;
    Ok(ids)
}

pub(super) fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt("a stored date is not YYYY-MM-DD".into()))
}

fn parse_enum<T: FromStr<Err = crate::domain::UnknownValue>>(text: &str) -> Result<T> {
    text.parse()
        .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))
}

fn opt_date(text: Option<String>) -> Result<Option<NaiveDate>> {
    text.as_deref().map(parse_date).transpose()
}

/// Loads a whole chart.
pub fn load_chart(conn: &Db, chart_id: i64) -> Result<Chart> {
    struct Head {
        account: String,
        mrn: String,
        name: String,
        birth: String,
        sex: String,
        etype: String,
        admit: String,
        discharge: String,
        disposition: Option<String>,
        attending: Option<String>,
        payer: Option<String>,
        status: String,
    }
    let head = conn.query_row(
        "SELECT c.account, p.mrn, p.name, p.birth_date, p.sex, c.encounter_type, c.admit_date,
                    c.discharge_date, c.disposition, c.attending, c.payer, c.status
             FROM charts c JOIN patients p ON p.patient_id = c.patient_id WHERE c.chart_id = ?1",
        [chart_id],
        |r| {
            Ok(Head {
                account: r.get(0)?,
                mrn: r.get(1)?,
                name: r.get(2)?,
                birth: r.get(3)?,
                sex: r.get(4)?,
                etype: r.get(5)?,
                admit: r.get(6)?,
                discharge: r.get(7)?,
                disposition: r.get(8)?,
                attending: r.get(9)?,
                payer: r.get(10)?,
                status: r.get(11)?,
            })
        },
    )?;
    let other_providers = conn.query_map(
        "SELECT name FROM chart_providers WHERE chart_id = ?1 ORDER BY seq",
        [chart_id],
        |r| r.get(0),
    )?;
    let documents = load_rows(
        conn,
        "SELECT kind, author, signed, doc_date, title, body FROM documents WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
        |r| {
            Ok(Document {
                kind: parse_enum(&r.get::<String>(0)?)?,
                author: r.get(1)?,
                signed: r.get(2)?,
                date: parse_date(&r.get::<String>(3)?)?,
                title: r.get(4)?,
                text: r.get(5)?,
            })
        },
    )?;
    let (diagnoses, procedures) = load_codes(conn, chart_id)?;
    Ok(Chart {
        account: head.account,
        mrn: head.mrn,
        status: parse_enum(&head.status)?,
        patient: Patient {
            name: head.name,
            birth_date: parse_date(&head.birth)?,
            sex: parse_enum(&head.sex)?,
        },
        encounter: Encounter {
            encounter_type: parse_enum(&head.etype)?,
            admit_date: parse_date(&head.admit)?,
            discharge_date: parse_date(&head.discharge)?,
            disposition: head.disposition,
            attending: head.attending,
            other_providers,
            payer: head.payer,
        },
        documents,
        diagnoses,
        procedures,
        final_drg: super::drg::load_final(conn, chart_id)?,
    })
}

/// A chart's diagnoses and procedures, in their order.
fn load_codes(
    conn: &Db,
    chart_id: i64,
) -> Result<(Vec<DiagnosisAssignment>, Vec<ProcedureAssignment>)> {
    let diagnoses = load_rows(
        conn,
        "SELECT code, code_system, edition, poa FROM diagnoses WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
        |r| {
            Ok(DiagnosisAssignment {
                code: r.get(0)?,
                system: parse_enum(&r.get::<String>(1)?)?,
                edition: r.get(2)?,
                poa: r
                    .get::<Option<String>>(3)?
                    .as_deref()
                    .map(parse_enum)
                    .transpose()?,
            })
        },
    )?;
    let procedures = load_rows(
        conn,
        "SELECT code, code_system, proc_date, provider, modifiers, units, pointers
         FROM procedures WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
        |r| {
            let modifiers: String = r.get(4)?;
            let pointers: String = r.get(6)?;
            Ok(ProcedureAssignment {
                code: r.get(0)?,
                system: parse_enum::<CodeSystem>(&r.get::<String>(1)?)?,
                date: opt_date(r.get(2)?)?,
                provider: r.get(3)?,
                modifiers: modifiers.split_whitespace().map(str::to_string).collect(),
                units: r.get(5)?,
                pointers: pointers
                    .chars()
                    .map(|c| {
                        pointer_from_letter(c)
                            .ok_or_else(|| StoreError::Corrupt("bad diagnosis pointer".into()))
                    })
                    .collect::<Result<_>>()?,
            })
        },
    )?;
    Ok((diagnoses, procedures))
}

fn load_rows<T>(
    conn: &Db,
    sql: &str,
    chart_id: i64,
    convert: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    conn.for_each(sql, [chart_id], |row| -> Result<()> {
        out.push(convert(row)?);
        Ok(())
    })?;
    Ok(out)
}

/// The patient's other encounters, newest discharge first (for the chart's
/// "prior encounters" view).
pub fn prior_encounters(conn: &Db, chart_id: i64) -> Result<Vec<Chart>> {
    let ids: Vec<i64> = conn.query_map(
        "SELECT o.chart_id FROM charts c JOIN charts o ON o.patient_id = c.patient_id
             WHERE c.chart_id = ?1 AND o.chart_id <> ?1
             ORDER BY o.discharge_date DESC, o.chart_id DESC",
        [chart_id],
        |r| r.get(0),
    )?;
    ids.into_iter().map(|id| load_chart(conn, id)).collect()
}
