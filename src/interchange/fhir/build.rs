//! The two passes of a FHIR import (see the module documentation).

use super::map::{self, At};
use super::model::{self, Head, Links, Reference};
use super::stream::{self, Item};
use super::{ImportFailure, Problem, Report};
use crate::domain::{
    Chart, ChartStatus, Document, DocumentKind, Encounter, EncounterType, Patient,
};
use crate::interchange::hl7::apply::{SOURCE_CODES_REF, SOURCE_CODES_TITLE};
use crate::store::{self, Store, StoreError, inbound};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// An encounter as the first pass keeps it.
struct EncounterHead {
    position: String,
    label: String,
    subject: Option<String>,
    /// The item of its patient, once resolved.
    patient: Option<usize>,
    account: String,
    encounter_type: EncounterType,
    admit: NaiveDate,
    discharge: Option<NaiveDate>,
    /// Whether it becomes a chart, and if not why.
    unfinished: Option<String>,
    disposition: Option<String>,
    /// Lines for the source system's codes (a disposition not mapped).
    notes: Vec<String>,
    /// (attending, primary performer, who).
    participants: Vec<(bool, bool, Reference)>,
}

/// What the first pass keeps of each resource.
enum Summary {
    Patient(Result<(String, Patient), Problem>),
    Practitioner(Option<String>),
    Encounter(Box<Result<EncounterHead, Problem>>),
    Clinical {
        label: String,
        position: String,
        /// The encounter it names, and where.
        encounter: Option<(String, &'static str)>,
        owner: Option<usize>,
    },
    Other,
    /// A resource that cannot be read far enough to belong to a chart.
    Unattributed(Problem),
}

/// A chart being put together in the second pass.
#[derive(Default)]
struct Building {
    documents: Vec<(Option<String>, Document)>,
    lines: Vec<String>,
    problem: Option<Problem>,
}

/// A file's summaries and its keys (with the items they name).
type FileSummaries = (Vec<Summary>, Vec<(String, usize)>);

struct Set {
    today: NaiveDate,
    summaries: Vec<Summary>,
    keys: HashMap<String, usize>,
    /// Encounter item -> the last item that belongs to it.
    last: HashMap<usize, usize>,
}

/// Text from the file for a report line: a control or bidirectional
/// control character shown as `?` (the caller's terminal obeys none).
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::interchange::json::refused_char(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    shown(&path.display().to_string())
}

/// A resource parsed as `T`, a wrong element named by its JSON path.
pub(super) fn parse<T: DeserializeOwned>(raw: &RawValue, at: &At) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        at.problem(&path, e.inner().to_string())
    })
}

impl Set {
    fn at(&self, file: &str, item: &Item, resource: String) -> At {
        At {
            position: format!("{file} {}", item.position),
            resource,
            today: self.today,
        }
    }

    /// The item a reference names, within the files.
    fn resolve(&self, r: &str) -> Option<usize> {
        let r = r.trim();
        if let Some(&i) = self.keys.get(r) {
            return Some(i);
        }
        let path = r.split("/_history/").next()?;
        let mut segments = path.rsplit('/');
        let id = segments.next()?;
        let kind = segments.next()?;
        self.keys.get(&format!("{kind}/{id}")).copied()
    }

    /// A practitioner's name by reference, else the reference's display.
    fn person(&self, r: &Reference) -> Option<String> {
        let found = r
            .reference
            .as_deref()
            .and_then(|x| self.resolve(x))
            .and_then(|i| match self.summaries.get(i) {
                Some(Summary::Practitioner(name)) => name.clone(),
                _ => None,
            });
        found.or_else(|| r.display.clone().filter(|d| !d.trim().is_empty()))
    }

    /// The first pass over one file: its summaries and keys, or why it does not read.
    fn summarize_file(
        &self,
        path: &Path,
        resources: &mut u64,
    ) -> Result<FileSummaries, stream::FileError> {
        let file = file_name(path);
        let base = self.summaries.len();
        let mut summaries = Vec::new();
        let mut keys = Vec::new();
        stream::for_each(path, &mut |item| {
            *resources += 1;
            let index = base + summaries.len();
            let (summary, item_keys) = self.summarize(&file, &item);
            keys.extend(item_keys.into_iter().map(|k| (k, index)));
            summaries.push(summary);
            Ok(())
        })?;
        Ok((summaries, keys))
    }

    fn summarize(&self, file: &str, item: &Item) -> (Summary, Vec<String>) {
        let unnamed = self.at(file, item, "resource".into());
        let head: Head = match parse(&item.resource, &unnamed) {
            Ok(h) => h,
            Err(p) => return (Summary::Unattributed(p), Vec::new()),
        };
        let label = match (&head.id, &item.full_url) {
            (Some(id), _) => format!("{}/{}", head.resource_type, shown(id)),
            (None, Some(url)) => format!("{} <{}>", head.resource_type, shown(url)),
            (None, None) => head.resource_type.clone(),
        };
        let at = self.at(file, item, label.clone());
        let mut keys: Vec<String> = item.full_url.iter().cloned().collect();
        if let Some(id) = &head.id {
            keys.push(format!("{}/{id}", head.resource_type));
        }
        let summary = match head.resource_type.as_str() {
            "Patient" => Summary::Patient(
                parse::<model::Patient>(&item.resource, &at).and_then(|p| map::patient(&at, &p)),
            ),
            "Practitioner" => match parse::<model::Practitioner>(&item.resource, &at) {
                Ok(p) => {
                    for i in &p.identifier {
                        if let Some(v) = &i.value {
                            keys.push(format!("Practitioner?identifier={v}"));
                            if let Some(s) = &i.system {
                                keys.push(format!("Practitioner?identifier={s}|{v}"));
                            }
                        }
                    }
                    Summary::Practitioner(map::practitioner(&p))
                }
                Err(_) => Summary::Practitioner(None),
            },
            "Encounter" => Summary::Encounter(Box::new(
                parse::<model::Encounter>(&item.resource, &at).and_then(|e| encounter_head(&at, e)),
            )),
            "Condition" | "Procedure" | "DocumentReference" | "DiagnosticReport" => {
                let encounter = match parse::<Links>(&item.resource, &at) {
                    Ok(l) => l.encounter().map(|(r, p)| (r.to_string(), p)),
                    Err(p) => return (Summary::Unattributed(p), keys),
                };
                Summary::Clinical {
                    label,
                    position: at.position.clone(),
                    encounter,
                    owner: None,
                }
            }
            _ => Summary::Other,
        };
        (summary, keys)
    }
}

fn encounter_head(at: &At, e: model::Encounter) -> Result<EncounterHead, Problem> {
    let account = match map::typed_identifier(&e.identifier, &["VN", "AN"]) {
        Some((n, v)) => at.line(&format!("identifier[{n}].value"), Some(v))?,
        None => at.line("id", e.id.as_deref())?,
    }
    .ok_or_else(|| {
        at.problem(
            "identifier",
            "no identifier and no id (the account is required)",
        )
    })?;
    let encounter_type = map::encounter_type(at, e.class.as_ref())?;
    let period = e.period.unwrap_or_default();
    let admit = at
        .date("period.start", period.start.as_deref())?
        .ok_or_else(|| at.problem("period.start", "is missing (the admit date is required)"))?;
    let discharge = at.date("period.end", period.end.as_deref())?;
    if discharge.is_some_and(|d| d < admit) {
        return Err(at.problem("period.end", "is before period.start"));
    }
    let status = e.status.as_deref().unwrap_or("");
    let unfinished = match status {
        "cancelled" | "entered-in-error" => Some(format!("status {status}: no chart")),
        "finished" => None,
        _ if discharge.is_some() => None,
        _ => Some(format!(
            "not finished (status {:?}, no period.end): no chart yet",
            status
        )),
    };
    let mut notes = Vec::new();
    let mut disposition = None;
    if let Some(d) = e.hospitalization.and_then(|h| h.discharge_disposition) {
        disposition = map::disposition(&d);
        if disposition.is_none() {
            let text = map::codings(at, "hospitalization.dischargeDisposition", &d)?;
            notes.push(format!(
                "Encounter discharge disposition (no UB-04 status derived): {text}"
            ));
        }
    }
    let participants = e
        .participant
        .into_iter()
        .filter_map(|p| {
            let attending = p.kind.iter().any(|k| k.has_code("ATND"));
            let primary = p.kind.iter().any(|k| k.has_code("PPRF"));
            p.individual.map(|r| (attending, primary, r))
        })
        .collect();
    Ok(EncounterHead {
        position: at.position.clone(),
        label: at.resource.clone(),
        subject: e.subject.and_then(|s| s.reference),
        patient: None,
        account,
        encounter_type,
        admit,
        discharge,
        unfinished,
        disposition,
        notes,
        participants,
    })
}

/// Runs both passes over the files.
pub fn run(
    store: &mut Store,
    files: &[PathBuf],
    actor: &str,
    today: NaiveDate,
    say: &mut dyn FnMut(&str),
) -> Result<Report, ImportFailure> {
    let mut report = Report::default();
    let mut set = Set {
        today,
        summaries: Vec::new(),
        keys: HashMap::new(),
        last: HashMap::new(),
    };
    let mut readable = Vec::new();
    for path in files {
        let mut read = 0;
        match set.summarize_file(path, &mut read) {
            Ok((summaries, keys)) => {
                report.resources += read;
                readable.push((path.clone(), set.summaries.len()));
                set.summaries.extend(summaries);
                set.keys.extend(keys);
            }
            Err(e) => {
                report.bad_files += 1;
                say(&format!(
                    "{} {}: the file is not imported (nothing of it written)",
                    file_name(path),
                    shown(&e.to_string())
                ));
            }
        }
    }
    link(&mut set, &mut report, say);
    let mut writer = Writer {
        store,
        actor,
        report,
        open: HashMap::new(),
        flush_at: BTreeMap::new(),
    };
    for (&enc, &last) in &set.last {
        writer.flush_at.entry(last).or_default().push(enc);
    }
    for (path, base) in readable {
        let file = file_name(&path);
        let mut n = base;
        let mut failure = None;
        let read = stream::for_each(&path, &mut |item| {
            let index = n;
            n += 1;
            writer.take(&set, &file, &item, index, say);
            if let Some(encounters) = writer.flush_at.remove(&index) {
                for enc in encounters {
                    if let Err(e) = writer.flush(&set, enc, say) {
                        failure = Some(e);
                        return Err(stream::FileError {
                            position: item.position.clone(),
                            message: "the database failed".into(),
                        });
                    }
                }
            }
            Ok(())
        });
        if let Some(e) = failure {
            return Err(ImportFailure::Store(e));
        }
        if let Err(e) = read {
            // It read in the first pass: the file changed in between.
            say(&format!(
                "{file} {}: the file changed while it was imported",
                shown(&e.to_string())
            ));
            writer.report.bad_files += 1;
        }
    }
    Ok(writer.report)
}

/// Resolves every encounter's patient and every clinical resource's
/// encounter, and finds the last item of each encounter.
fn link(set: &mut Set, report: &mut Report, say: &mut dyn FnMut(&str)) {
    let mut owners: Vec<(usize, usize)> = Vec::new();
    let mut patients: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, s) in set.summaries.iter().enumerate() {
        match s {
            Summary::Encounter(head) => {
                if let Ok(h) = head.as_ref() {
                    let p = h
                        .subject
                        .as_deref()
                        .and_then(|r| set.resolve(r))
                        .filter(|&p| matches!(set.summaries.get(p), Some(Summary::Patient(_))));
                    patients.push((i, p));
                }
            }
            Summary::Clinical {
                label,
                position,
                encounter,
                ..
            } => {
                let found = encounter
                    .as_ref()
                    .and_then(|(r, _)| set.resolve(r))
                    .filter(|&e| matches!(set.summaries.get(e), Some(Summary::Encounter(_))));
                match (found, encounter) {
                    (Some(e), _) => owners.push((i, e)),
                    (None, Some((_, path))) => {
                        report.skipped += 1;
                        say(&format!(
                            "{position} {label} {path}: names an encounter that is not in the file(s): left out"
                        ));
                    }
                    (None, None) => {
                        report.skipped += 1;
                        say(&format!(
                            "{position} {label}: names no encounter (chartcoder files documentation by encounter): left out"
                        ));
                    }
                }
            }
            Summary::Unattributed(p) => {
                report.refused += 1;
                say(&p.to_string());
            }
            _ => {}
        }
    }
    for (i, p) in patients {
        if let Some(Summary::Encounter(head)) = set.summaries.get_mut(i)
            && let Ok(h) = head.as_mut()
        {
            h.patient = p;
        }
        set.last.insert(i, i);
    }
    for (i, e) in owners {
        if let Some(Summary::Clinical { owner, .. }) = set.summaries.get_mut(i) {
            *owner = Some(e);
        }
        let last = set.last.entry(e).or_insert(e);
        *last = (*last).max(i);
    }
    for (i, s) in set.summaries.iter().enumerate() {
        if matches!(s, Summary::Encounter(h) if h.is_err()) {
            set.last.insert(i, i);
        }
    }
}

/// The second pass: charts put together and written.
struct Writer<'s> {
    store: &'s mut Store,
    actor: &'s str,
    report: Report,
    open: HashMap<usize, Building>,
    /// Item -> the encounters whose last item it is.
    flush_at: BTreeMap<usize, Vec<usize>>,
}

impl Writer<'_> {
    /// Takes a clinical item into the chart of its encounter.
    fn take(
        &mut self,
        set: &Set,
        file: &str,
        item: &Item,
        index: usize,
        say: &mut dyn FnMut(&str),
    ) {
        let Some(Summary::Clinical {
            label,
            owner: Some(enc),
            ..
        }) = set.summaries.get(index)
        else {
            return;
        };
        let Some(Summary::Encounter(head)) = set.summaries.get(*enc) else {
            return;
        };
        let Ok(head) = head.as_ref() else {
            return;
        };
        if head.unfinished.is_some() {
            return;
        }
        let building = self.open.entry(*enc).or_default();
        if building.problem.is_some() {
            return;
        }
        let at = set.at(file, item, label.clone());
        let person = |r: &Reference| set.person(r);
        let kind = label.split(['/', ' ']).next().unwrap_or("");
        match super::clinical::take(&at, kind, &item.resource, head.admit, &person) {
            Ok(taken) => {
                for why in taken.skipped {
                    // Said now; the chart is still imported.
                    self.report.skipped += 1;
                    say(&format!("{} {} {why}", at.position, at.resource));
                }
                building.lines.extend(taken.line);
                building.documents.extend(taken.document);
            }
            Err(p) => building.problem = Some(p),
        }
    }

    /// Writes (or refuses) the chart of an encounter whose resources were all read.
    fn flush(
        &mut self,
        set: &Set,
        enc: usize,
        say: &mut dyn FnMut(&str),
    ) -> Result<(), StoreError> {
        let building = self.open.remove(&enc).unwrap_or_default();
        let Some(Summary::Encounter(head)) = set.summaries.get(enc) else {
            return Ok(());
        };
        let head = match head.as_ref() {
            Ok(h) => h,
            Err(p) => {
                self.report.refused += 1;
                say(&format!("{p} (no chart)"));
                return Ok(());
            }
        };
        if let Some(why) = &head.unfinished {
            self.report.unfinished += 1;
            say(&format!("{} {}: {why}", head.position, head.label));
            return Ok(());
        }
        let refused = |p: &Problem| format!("{p}: the chart of {} is not imported", head.label);
        let patient = match head.patient.and_then(|p| set.summaries.get(p)) {
            Some(Summary::Patient(Ok(p))) => p.clone(),
            Some(Summary::Patient(Err(p))) => {
                self.report.refused += 1;
                say(&refused(p));
                return Ok(());
            }
            _ => {
                self.report.refused += 1;
                say(&format!(
                    "{} {} subject.reference: names no Patient in the file(s): no chart",
                    head.position, head.label
                ));
                return Ok(());
            }
        };
        if let Some(p) = &building.problem {
            self.report.refused += 1;
            say(&refused(p));
            return Ok(());
        }
        let (mrn, patient) = patient;
        if head.admit < patient.birth_date {
            self.report.refused += 1;
            say(&format!(
                "{} {} period.start: is before the patient's birthDate: no chart",
                head.position, head.label
            ));
            return Ok(());
        }
        let (chart, refs) = chart_of(set, head, mrn, patient, building);
        self.write(head, chart, refs, say)
    }

    fn write(
        &mut self,
        head: &EncounterHead,
        chart: Chart,
        refs: Vec<Option<String>>,
        say: &mut dyn FnMut(&str),
    ) -> Result<(), StoreError> {
        let documents = chart.documents.len();
        let actor = self.actor;
        let label = head.label.clone();
        let result = self.store.write(|tx| {
            if inbound::chart_state(tx, &chart.account)?.is_some() {
                return Ok(None);
            }
            inbound::update_patient(tx, &chart.mrn, &chart.patient)?;
            let ids = store::charts::import_charts(tx, &[(label, chart)], actor)?;
            let Some(&id) = ids.first() else {
                return Err(StoreError::Corrupt("no chart was stored".into()));
            };
            inbound::set_document_refs(tx, id, &refs)?;
            Ok(Some(id))
        });
        match result {
            Ok(Some(_)) => {
                self.report.charts += 1;
                say(&format!(
                    "{} {}: chart imported ({documents} document(s))",
                    head.position, head.label
                ));
                Ok(())
            }
            Ok(None) => {
                self.report.already += 1;
                say(&format!(
                    "{} {}: its account is already a chart: not imported again",
                    head.position, head.label
                ));
                Ok(())
            }
            Err(StoreError::Rejected(problems)) => {
                self.report.refused += 1;
                for p in problems {
                    say(&format!("{} {}: {}", head.position, head.label, p.message));
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// The chart of a finished encounter, and its documents' source numbers.
fn chart_of(
    set: &Set,
    head: &EncounterHead,
    mrn: String,
    patient: Patient,
    mut building: Building,
) -> (Chart, Vec<Option<String>>) {
    let mut names: Vec<String> = Vec::new();
    let attending_at = head
        .participants
        .iter()
        .position(|p| p.0)
        .or_else(|| head.participants.iter().position(|p| p.1))
        .or(if head.participants.is_empty() {
            None
        } else {
            Some(0)
        });
    let mut attending = None;
    for (n, (_, _, who)) in head.participants.iter().enumerate() {
        let Some(name) = set.person(who).filter(|x| !x.chars().any(char::is_control)) else {
            continue;
        };
        if Some(n) == attending_at {
            attending = Some(name);
        } else if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut lines = head.notes.clone();
    lines.append(&mut building.lines);
    let (mut documents, mut refs): (Vec<Document>, Vec<Option<String>>) =
        building.documents.into_iter().map(|(r, d)| (d, r)).unzip();
    if !lines.is_empty() {
        let mut text = String::from(
            "Problem list and procedures sent by the source system (FHIR). They are the source \
             system's documentation: chartcoder never assigns them.\n",
        );
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        documents.push(Document {
            kind: DocumentKind::Other,
            author: "source system (FHIR)".into(),
            signed: false,
            date: head.admit,
            title: Some(SOURCE_CODES_TITLE.into()),
            text: text.trim_end().to_string(),
        });
        refs.push(Some(SOURCE_CODES_REF.into()));
    }
    let chart = Chart {
        account: head.account.clone(),
        mrn,
        status: ChartStatus::Ready,
        patient,
        encounter: Encounter {
            encounter_type: head.encounter_type,
            admit_date: head.admit,
            discharge_date: head.discharge.unwrap_or(head.admit),
            disposition: head.disposition.clone(),
            attending,
            other_providers: names,
            payer: None,
        },
        documents,
        diagnoses: Vec::new(),
        procedures: Vec::new(),
        final_drg: None,
    };
    (chart, refs)
}
