//! What a message does to the store, inside its one transaction. A visit is
//! not a chart until it is discharged (A03): before that it waits in
//! `inbound_visits` with the documents that arrived for it; at discharge it
//! becomes a chart through the same import path as the JSON import.

use super::map::{Event, InboundDocument, Visit};
use super::parse::{ErrorCode, Hl7Problem, Place};
use crate::domain::{AuditAction, Chart, ChartStatus, Document, DocumentKind, Encounter};
use crate::store::sql::Tx;
use crate::store::{self, StoreError, inbound};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The hold a canceled discharge (A13) puts a chart on.
pub const DISCHARGE_CANCELED: &str = "discharge canceled by the registration system (ADT^A13): not to be coded until discharged again";
/// The hold a canceled admission (A11) puts a chart on.
pub const ADMISSION_CANCELED: &str =
    "admission canceled by the registration system (ADT^A11): not to be coded";
/// The sender's number of the document that lists the source system's codes.
pub const SOURCE_CODES_REF: &str = "SOURCE-CODES";

/// The title of that document.
pub const SOURCE_CODES_TITLE: &str = "Source system codes (documentation, not assigned)";

/// Why a message was not applied.
pub enum Failure {
    Content(Hl7Problem),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Who sent a message and how it is named in the audit trail.
pub struct Context<'a> {
    pub actor: &'a str,
    /// The place of the account (PID-18) for a refusal about it.
    pub account_place: Place,
}

/// A visit waiting for its discharge, as stored.
#[derive(Serialize, Deserialize)]
struct Pending {
    visit: Visit,
    documents: Vec<PendingDocument>,
}

#[derive(Serialize, Deserialize)]
struct PendingDocument {
    reference: String,
    kind: String,
    author: String,
    signed: bool,
    date: NaiveDate,
    title: Option<String>,
    text: String,
}

impl PendingDocument {
    fn from_inbound(d: &InboundDocument) -> PendingDocument {
        let doc = &d.document;
        PendingDocument {
            reference: d.reference.clone(),
            kind: doc.kind.as_str().to_string(),
            author: doc.author.clone(),
            signed: doc.signed,
            date: doc.date,
            title: doc.title.clone(),
            text: doc.text.clone(),
        }
    }

    fn document(&self) -> Document {
        Document {
            kind: self.kind.parse().unwrap_or(DocumentKind::Other),
            author: self.author.clone(),
            signed: self.signed,
            date: self.date,
            title: self.title.clone(),
            text: self.text.clone(),
        }
    }
}

fn corrupt(e: serde_json::Error) -> Failure {
    Failure::Store(StoreError::Corrupt(format!(
        "a stored HL7 visit does not read back: {e}"
    )))
}

fn load_pending(tx: &Tx<'_>, account: &str) -> Result<Option<Pending>, Failure> {
    match inbound::pending_visit(tx, account)? {
        Some(text) => serde_json::from_str(&text).map(Some).map_err(corrupt),
        None => Ok(None),
    }
}

fn save_pending(tx: &Tx<'_>, p: &Pending) -> Result<(), Failure> {
    let text = serde_json::to_string(p).map_err(corrupt)?;
    inbound::save_pending_visit(tx, &p.visit.account, &p.visit.mrn, &text)?;
    Ok(())
}

fn refuse(place: &Place, code: ErrorCode, message: &str) -> Failure {
    Failure::Content(Hl7Problem::new(place.clone(), code, message))
}

/// The document listing the source system's codes (never assigned codes).
fn source_codes_document(visit: &Visit, sender: &str) -> Option<Document> {
    if visit.source_codes.is_empty() {
        return None;
    }
    let mut text = String::from(
        "Codes sent by the registration system with the visit. They are the source \
         system's documentation: chartcoder never assigns them.\n",
    );
    for line in &visit.source_codes {
        text.push_str(line);
        text.push('\n');
    }
    Some(Document {
        kind: DocumentKind::Other,
        author: sender.to_string(),
        signed: false,
        date: visit.admit_date,
        title: Some(SOURCE_CODES_TITLE.into()),
        text: text.trim_end().to_string(),
    })
}

fn encounter(visit: &Visit, discharge: NaiveDate, disposition: Option<String>) -> Encounter {
    Encounter {
        encounter_type: visit.encounter_type(),
        admit_date: visit.admit_date,
        discharge_date: discharge,
        disposition,
        attending: visit.attending.clone(),
        other_providers: visit.other_providers.clone(),
        payer: visit.payer.clone(),
    }
}

/// Applies an event; returns the chart it concerns (if it is one) and what it did.
pub fn apply(
    tx: &Tx<'_>,
    event: &Event,
    cx: &Context<'_>,
) -> Result<(Option<i64>, String), Failure> {
    let account = event.account();
    let chart = inbound::chart_state(tx, account)?;
    let locked = |what: &str| locked(cx, what);
    match (event, chart) {
        (Event::Admit(v) | Event::Update(v), None) => {
            inbound::update_patient(tx, &v.mrn, &v.patient())?;
            let (visit, documents) = match load_pending(tx, account)? {
                Some(p) => (v.merged_over(&p.visit), p.documents),
                None => (v.clone(), Vec::new()),
            };
            save_pending(tx, &Pending { visit, documents })?;
            Ok((
                None,
                "visit recorded, awaiting discharge (not yet in the coding queue)".into(),
            ))
        }
        (Event::Admit(v) | Event::Update(v) | Event::Discharge(v), Some((id, status))) => {
            update_chart(tx, event, v, (id, status), cx)
        }
        (Event::Discharge(v), None) => discharge(tx, v, cx).map(|id| {
            (
                Some(id),
                "discharged: the chart is in the coding queue".into(),
            )
        }),
        (Event::CancelAdmit { .. }, None) => {
            if inbound::drop_pending_visit(tx, account)? {
                Ok((
                    None,
                    "admission canceled: the visit waiting for discharge is removed".into(),
                ))
            } else {
                Err(unknown(cx))
            }
        }
        (Event::CancelAdmit { .. }, Some((id, status))) => {
            let on_canceled_discharge = store::coding::open_holds(tx, id)?
                .iter()
                .any(|r| r == DISCHARGE_CANCELED);
            if !on_canceled_discharge {
                return Err(refuse(
                    &cx.account_place,
                    ErrorCode::RecordLocked,
                    "the visit is discharged: cancel the discharge (A13) before the admission",
                ));
            }
            if !status.is_uncoded() {
                return Err(locked("a canceled admission"));
            }
            inbound::hold(tx, id, cx.actor, ADMISSION_CANCELED)?;
            Ok((
                Some(id),
                "admission canceled: the chart stays on hold, never to be coded".into(),
            ))
        }
        (Event::CancelDischarge { .. }, None) => Err(match load_pending(tx, account)? {
            Some(_) => refuse(
                &cx.account_place,
                ErrorCode::RecordLocked,
                "the visit is not discharged: there is no discharge to cancel",
            ),
            None => unknown(cx),
        }),
        (Event::CancelDischarge { .. }, Some((id, status))) => {
            if !status.is_uncoded() {
                return Err(locked("a canceled discharge"));
            }
            let held = store::coding::open_holds(tx, id)?
                .iter()
                .any(|r| r == DISCHARGE_CANCELED);
            if !held {
                inbound::hold(tx, id, cx.actor, DISCHARGE_CANCELED)?;
            }
            Ok((
                Some(id),
                "discharge canceled: the chart is on hold until discharged again".into(),
            ))
        }
        (Event::Documents { documents, .. }, Some(chart)) => chart_documents(tx, documents, chart),
        (Event::Documents { documents, .. }, None) => visit_documents(tx, account, documents, cx),
    }
}

/// A01/A04/A08/A03 on a chart that exists: its details brought up to date
/// while it is uncoded.
fn update_chart(
    tx: &Tx<'_>,
    event: &Event,
    v: &Visit,
    (id, status): (i64, ChartStatus),
    cx: &Context<'_>,
) -> Result<(Option<i64>, String), Failure> {
    if !status.is_uncoded() {
        return Err(locked(cx, "a change of the visit"));
    }
    let current = store::charts::load_chart(tx, id)?;
    // What this message leaves out is kept as the chart has it.
    let e = current.encounter;
    let earlier = Visit {
        attending: e.attending,
        payer: e.payer,
        discharge_date: Some(e.discharge_date),
        disposition: e.disposition,
        other_providers: e.other_providers,
        source_codes: current
            .documents
            .iter()
            .filter(|d| d.title.as_deref() == Some(SOURCE_CODES_TITLE))
            .flat_map(|d| d.text.lines().skip(1).map(str::to_string))
            .collect(),
        ..v.clone()
    };
    let v = &v.merged_over(&earlier);
    let discharge = v.discharge_date.unwrap_or(e.discharge_date);
    let disposition = v.disposition.clone();
    inbound::update_patient(tx, &v.mrn, &v.patient())?;
    inbound::update_encounter(tx, id, &encounter(v, discharge, disposition))?;
    if let Some(doc) = source_codes_document(v, cx.actor) {
        inbound::put_document(tx, id, SOURCE_CODES_REF, None, &doc)?;
    }
    let mut note = String::from("chart details updated");
    if matches!(event, Event::Discharge(_))
        && inbound::release_hold(tx, id, cx.actor, DISCHARGE_CANCELED)?
    {
        note = "discharged again: the hold of the canceled discharge is released".into();
    }
    Ok((Some(id), note))
}

fn locked(cx: &Context<'_>, what: &str) -> Failure {
    refuse(
        &cx.account_place,
        ErrorCode::RecordLocked,
        &format!(
            "the chart is already coded: {what} is not applied after coding (the coding department must be told)"
        ),
    )
}

/// Documents for a chart: added, or taking the place of the one with their number.
fn chart_documents(
    tx: &Tx<'_>,
    documents: &[InboundDocument],
    (id, status): (i64, ChartStatus),
) -> Result<(Option<i64>, String), Failure> {
    let mut added = 0;
    let mut replaced = 0;
    for d in documents {
        match inbound::put_document(tx, id, &d.reference, d.replaces.as_deref(), &d.document)? {
            inbound::DocumentChange::Added => added += 1,
            inbound::DocumentChange::Replaced => replaced += 1,
        }
    }
    let late = if status.is_uncoded() {
        ""
    } else {
        " (the chart was already coded)"
    };
    Ok((
        Some(id),
        format!("{added} document(s) added, {replaced} replaced{late}"),
    ))
}

/// Documents for a visit waiting for discharge: kept with it.
fn visit_documents(
    tx: &Tx<'_>,
    account: &str,
    documents: &[InboundDocument],
    cx: &Context<'_>,
) -> Result<(Option<i64>, String), Failure> {
    let Some(mut pending) = load_pending(tx, account)? else {
        return Err(unknown(cx));
    };
    for d in documents {
        let same = |p: &PendingDocument| {
            p.reference == d.reference || d.replaces.as_deref() == Some(p.reference.as_str())
        };
        match pending.documents.iter_mut().find(|p| same(p)) {
            Some(slot) => *slot = PendingDocument::from_inbound(d),
            None => pending.documents.push(PendingDocument::from_inbound(d)),
        }
    }
    save_pending(tx, &pending)?;
    Ok((
        None,
        format!(
            "{} document(s) kept with the visit until discharge",
            documents.len()
        ),
    ))
}

fn unknown(cx: &Context<'_>) -> Failure {
    refuse(
        &cx.account_place,
        ErrorCode::UnknownKey,
        "no visit or chart has this account (an A01/A04 admits it first)",
    )
}

/// A03 on a visit with no chart yet: the chart is created (status ready),
/// with the documents that waited for it, through the import path.
fn discharge(tx: &Tx<'_>, v: &Visit, cx: &Context<'_>) -> Result<i64, Failure> {
    let Some(discharge_date) = v.discharge_date else {
        return Err(Failure::Content(Hl7Problem::new(
            Place::field("PV1", 1, 45),
            ErrorCode::RequiredFieldMissing,
            "is empty (an A03 needs the discharge date)",
        )));
    };
    let pending = load_pending(tx, &v.account)?;
    let merged = pending.as_ref().map(|p| v.merged_over(&p.visit));
    let v = merged.as_ref().unwrap_or(v);
    let mut documents = Vec::new();
    let mut refs = Vec::new();
    for d in pending.iter().flat_map(|p| &p.documents) {
        documents.push(d.document());
        refs.push(Some(d.reference.clone()));
    }
    if let Some(doc) = source_codes_document(v, cx.actor) {
        documents.push(doc);
        refs.push(Some(SOURCE_CODES_REF.to_string()));
    }
    let chart = Chart {
        account: v.account.clone(),
        mrn: v.mrn.clone(),
        status: ChartStatus::Ready,
        patient: v.patient(),
        encounter: encounter(v, discharge_date, v.disposition.clone()),
        documents,
        diagnoses: Vec::new(),
        procedures: Vec::new(),
        final_drg: None,
    };
    inbound::update_patient(tx, &v.mrn, &chart.patient)?;
    let ids = store::charts::import_charts(tx, &[("ADT^A03".to_string(), chart)], cx.actor)?;
    let Some(&id) = ids.first() else {
        return Err(Failure::Store(StoreError::Corrupt(
            "no chart was stored".into(),
        )));
    };
    inbound::set_document_refs(tx, id, &refs)?;
    inbound::drop_pending_visit(tx, &v.account)?;
    Ok(id)
}

/// Records the message as applied and audits it.
pub fn record(
    tx: &Tx<'_>,
    sender: &str,
    control_id: &str,
    message_type: &str,
    chart_id: Option<i64>,
    note: &str,
    actor: &str,
) -> Result<(), StoreError> {
    inbound::record_message(tx, sender, control_id, message_type, chart_id, note)?;
    store::audit::record(
        tx,
        actor,
        chart_id,
        AuditAction::Hl7Message,
        &format!("{message_type} {control_id}: {note}"),
    )
}
