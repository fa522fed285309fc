//! HL7 v2 inbound: ADT, MDM and ORU messages become visits, charts and
//! documents; each message is one transaction and is answered with an
//! original-mode acknowledgement (AA only after the commit, AE for bad
//! content with nothing written, AR for an unreadable MSH or a type or
//! version chartcoder does not take). The mapping is in README.md.

pub mod apply;
pub mod bar;
pub mod map;
pub mod mllp;
pub mod parse;

use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use parse::{ErrorCode, Hl7Problem, Message, Place, Separators};

/// The acknowledgement code (MSA-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// Applied (or applied before, for a message sent again).
    Accept,
    /// Bad content: nothing was written.
    Error,
    /// The MSH could not be read, the type or version is not taken, or the
    /// store could not be written: nothing was written; the sender may retry.
    Reject,
}

impl AckCode {
    pub fn as_str(self) -> &'static str {
        match self {
            AckCode::Accept => "AA",
            AckCode::Error => "AE",
            AckCode::Reject => "AR",
        }
    }
}

/// What happened to one message.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: AckCode,
    /// MSH-10, when it could be read.
    pub control_id: Option<String>,
    /// MSH-9 as "ADT^A01", when it could be read.
    pub message_type: Option<String>,
    /// What was done, or what was wrong.
    pub note: String,
    pub problem: Option<Hl7Problem>,
    /// Whether the message had been applied before (acknowledged again only).
    pub duplicate: bool,
    /// The acknowledgement message, segments ending in CR.
    pub ack: String,
}

/// The message types and events taken.
const SUPPORTED: &[(&str, &[&str])] = &[
    ("ADT", &["A01", "A03", "A04", "A08", "A11", "A13"]),
    ("MDM", &["T02", "T04", "T08", "T10"]),
    ("ORU", &["R01"]),
];

/// MSH read far enough to answer.
struct Header {
    separators: Separators,
    sending_app: String,
    sending_facility: String,
    receiving_facility: String,
    control_id: String,
    processing_id: String,
    version: String,
    message_type: String,
    event: String,
}

impl Header {
    fn sender(&self) -> String {
        format!("{}/{}", self.sending_app, self.sending_facility)
    }
}

/// Whether MSH-12 is one of 2.3 to 2.8 (with any point release).
fn version_taken(v: &str) -> bool {
    let mut parts = v.split('.');
    parts.next() == Some("2")
        && parts
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| (3..=8).contains(&m))
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads MSH: the parts an acknowledgement needs, then the checks that make
/// a message one chartcoder takes (AR otherwise).
/// A refusal of the MSH, with what of it could be read.
type HeaderRefusal = Box<(Option<Header>, Hl7Problem)>;

fn header(msg: &Message<'_>) -> Result<Header, HeaderRefusal> {
    let Some(msh) = msg.msh() else {
        let p = Hl7Problem::new(
            Place::segment("MSH", 1),
            ErrorCode::SegmentSequence,
            "no MSH",
        );
        return Err(Box::new((None, p)));
    };
    let raw = |n: usize| msh.field(n).component(1).raw().trim().to_string();
    let h = Header {
        separators: msg.separators,
        sending_app: raw(3),
        sending_facility: raw(4),
        receiving_facility: msh.field(6).raw().to_string(),
        control_id: msh.field(10).raw().trim().to_string(),
        processing_id: raw(11),
        version: raw(12),
        message_type: raw(9),
        event: msh.field(9).component(2).raw().trim().to_string(),
    };
    let bad = |n: usize, code: ErrorCode, m: &str| Hl7Problem::new(msh.place(n), code, m);
    let problem = if h.control_id.is_empty() {
        Some(bad(
            10,
            ErrorCode::RequiredFieldMissing,
            "is empty (the message control id is required)",
        ))
    } else if h.control_id.chars().any(|c| c.is_control())
        || h.sending_app.chars().any(char::is_control)
    {
        Some(bad(10, ErrorCode::DataType, "contains a control character"))
    } else if !version_taken(&h.version) {
        Some(bad(
            12,
            ErrorCode::UnsupportedVersion,
            "is not a version chartcoder takes (2.3 to 2.8)",
        ))
    } else {
        match SUPPORTED.iter().find(|(t, _)| *t == h.message_type) {
            None => Some(bad(
                9,
                ErrorCode::UnsupportedMessageType,
                "is not a message type chartcoder takes (ADT, MDM, ORU)",
            )),
            Some(_) if h.message_type == "ADT" && matches!(h.event.as_str(), "A34" | "A40") => {
                Some(bad(
                    9,
                    ErrorCode::UnsupportedEventCode,
                    "patient merges (A34/A40) are not applied: chartcoder keeps each chart under the MRN it \
                     arrived with; merge the charts' patients by hand (the coding department)",
                ))
            }
            Some((_, events)) if !events.contains(&h.event.as_str()) => Some(bad(
                9,
                ErrorCode::UnsupportedEventCode,
                &format!(
                    "event {:?} is not one chartcoder takes for {}",
                    h.event, h.message_type
                ),
            )),
            Some(_) => None,
        }
    };
    match problem {
        Some(p) => Err(Box::new((Some(h), p))),
        None => Ok(h),
    }
}

/// The bytes of a message as text: UTF-8, or ISO 8859-1 when MSH-18 says so.
fn as_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, Hl7Problem> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(std::borrow::Cow::Borrowed(t)),
        Err(_) => {
            let first_line = bytes
                .split(|&b| b == b'\r' || b == b'\n')
                .next()
                .unwrap_or(&[]);
            if first_line.windows(6).any(|w| w == b"8859/1") {
                Ok(std::borrow::Cow::Owned(
                    bytes.iter().map(|&b| char::from(b)).collect(),
                ))
            } else {
                Err(Hl7Problem::new(
                    Place::field("MSH", 1, 18),
                    ErrorCode::DataType,
                    "the message is not UTF-8 text (and MSH-18 does not say 8859/1)",
                ))
            }
        }
    }
}

/// Processes one message against the store (today's date bounds its dates).
pub fn process(store: &mut Store, bytes: &[u8]) -> Outcome {
    process_on(store, bytes, chrono::Local::now().date_naive())
}

/// [`process`] with the date taken as today.
pub fn process_on(store: &mut Store, bytes: &[u8], today: NaiveDate) -> Outcome {
    let text = match as_text(bytes) {
        Ok(t) => t,
        Err(p) => return reject(None, p),
    };
    // The MSH alone first: a message whose MSH reads is answered AE for any
    // later problem, with its control id.
    let first_line = text
        .trim_start_matches(['\u{feff}', '\u{0b}', '\r', '\n', ' '])
        .split(['\r', '\n'])
        .next()
        .unwrap_or("");
    let head = match parse::parse(first_line)
        .map_err(|p| Box::new((None, p)))
        .and_then(|m| header(&m))
    {
        Ok(h) => h,
        Err(refusal) => {
            let (h, p) = *refusal;
            return reject(h.as_ref(), p);
        }
    };
    let message = match parse::parse(&text) {
        Ok(m) => m,
        Err(p) => return error(&head, p),
    };
    let reader = map::Reader {
        message: &message,
        today,
    };
    let sender = head.sender();
    let actor = format!("hl7:{sender}");
    let event = match event(&reader, &head, &actor) {
        Ok(e) => e,
        Err(p) => return error(&head, p),
    };
    let cx = apply::Context {
        actor: &actor,
        account_place: Place::field("PID", 1, 18),
    };
    let type_name = format!("{}^{}", head.message_type, head.event);
    let mut content: Option<Hl7Problem> = None;
    let result = store.write(|tx| {
        if let Some(detail) = crate::store::inbound::message_seen(tx, &sender, &head.control_id)? {
            return Ok((true, detail));
        }
        match apply::apply(tx, &event, &cx) {
            Ok((chart_id, note)) => {
                apply::record(
                    tx,
                    &sender,
                    &head.control_id,
                    &type_name,
                    chart_id,
                    &note,
                    &actor,
                )?;
                Ok((false, note))
            }
            Err(apply::Failure::Content(p)) => {
                content = Some(p);
                // Rolls everything back.
                Err(StoreError::Refused(String::new()))
            }
            Err(apply::Failure::Store(e)) => Err(e),
        }
    });
    match (result, content) {
        (_, Some(p)) => error(&head, p),
        (Ok((duplicate, note)), None) => {
            let note = match duplicate {
                true => format!("already applied ({note}); acknowledged again, not applied twice"),
                false => note,
            };
            let mut o = outcome(Some(&head), AckCode::Accept, note, None);
            o.duplicate = duplicate;
            o
        }
        (Err(e), None) => reject(
            Some(&head),
            Hl7Problem::new(
                Place::segment("MSH", 1),
                ErrorCode::InternalError,
                format!(
                    "the message could not be stored ({e}); nothing was written, send it again"
                ),
            ),
        ),
    }
}

/// The event a message carries.
fn event(
    reader: &map::Reader<'_, '_>,
    head: &Header,
    actor: &str,
) -> Result<map::Event, Hl7Problem> {
    use map::Event;
    let sender = actor.trim_start_matches("hl7:");
    Ok(match (head.message_type.as_str(), head.event.as_str()) {
        ("ADT", "A01" | "A04") => Event::Admit(reader.visit()?),
        ("ADT", "A08") => Event::Update(reader.visit()?),
        ("ADT", "A03") => {
            let v = reader.visit()?;
            if v.discharge_date.is_none() {
                return Err(Hl7Problem::new(
                    Place::field("PV1", 1, 45),
                    ErrorCode::RequiredFieldMissing,
                    "is empty (an A03 needs the discharge date)",
                ));
            }
            Event::Discharge(v)
        }
        ("ADT", "A11") => Event::CancelAdmit {
            account: reader.account()?,
        },
        ("ADT", "A13") => Event::CancelDischarge {
            account: reader.account()?,
        },
        ("MDM", _) => Event::Documents {
            account: reader.account()?,
            documents: vec![reader.mdm_document(sender)?],
        },
        _ => Event::Documents {
            account: reader.account()?,
            documents: reader.oru_documents(sender)?,
        },
    })
}

fn reject(head: Option<&Header>, p: Hl7Problem) -> Outcome {
    outcome(head, AckCode::Reject, p.to_string(), Some(p))
}

fn error(head: &Header, p: Hl7Problem) -> Outcome {
    outcome(Some(head), AckCode::Error, p.to_string(), Some(p))
}

fn outcome(
    head: Option<&Header>,
    code: AckCode,
    note: String,
    problem: Option<Hl7Problem>,
) -> Outcome {
    Outcome {
        code,
        control_id: head.map(|h| h.control_id.clone()).filter(|c| !c.is_empty()),
        message_type: head
            .filter(|h| !h.message_type.is_empty())
            .map(|h| format!("{}^{}", h.message_type, h.event)),
        ack: ack(head, code, &note, problem.as_ref()),
        note,
        problem,
        duplicate: false,
    }
}

/// The acknowledgement: MSH, MSA (MSA-2 echoes MSH-10) and, for AE/AR, an
/// ERR naming the segment, field and problem (ERR-1 for 2.3/2.4 receivers,
/// ERR-2/3/4/8 for 2.5 on).
fn ack(head: Option<&Header>, code: AckCode, note: &str, problem: Option<&Hl7Problem>) -> String {
    let s = head.map_or_else(Separators::default, |h| h.separators);
    let f = s.field;
    let c = s.component;
    let sub = s.subcomponent;
    let esc = |t: &str| s.escape_text(t);
    let now = chrono::Local::now().format("%Y%m%d%H%M%S");
    let (to_app, to_fac, from_fac, control, processing, version, event) = match head {
        Some(h) => (
            esc(&h.sending_app),
            esc(&h.sending_facility),
            h.receiving_facility.clone(),
            esc(&h.control_id),
            if h.processing_id.is_empty() {
                "P".to_string()
            } else {
                esc(&h.processing_id)
            },
            if version_taken(&h.version) {
                h.version.clone()
            } else {
                "2.5".into()
            },
            esc(&h.event),
        ),
        None => Default::default(),
    };
    let version = if version.is_empty() {
        "2.5".to_string()
    } else {
        version
    };
    let processing = if processing.is_empty() {
        "P".to_string()
    } else {
        processing
    };
    let mut out = format!(
        "MSH{f}{enc}{f}CHARTCODER{f}{from_fac}{f}{to_app}{f}{to_fac}{f}{now}{f}{f}ACK{c}{event}{c}ACK{f}ACK{control}{f}{processing}{f}{version}\r",
        enc = s.encoding_characters(),
    );
    out.push_str(&format!(
        "MSA{f}{}{f}{control}{f}{}\r",
        code.as_str(),
        esc(note)
    ));
    if let Some(p) = problem {
        let field = p.place.field.map(|n| n.to_string()).unwrap_or_default();
        let comp = p.place.component.map(|n| n.to_string()).unwrap_or_default();
        let seg = esc(&p.place.segment);
        let seq = p.place.sequence;
        let code_n = p.code.code();
        let text = p.code.text();
        out.push_str(&format!(
            "ERR{f}{seg}{c}{seq}{c}{field}{c}{code_n}{sub}{text}{sub}HL70357{f}{seg}{c}{seq}{c}{field}{c}{c}{comp}{f}{code_n}{c}{text}{c}HL70357{f}E{f}{f}{f}{f}{msg}\r",
            msg = esc(&p.message),
        ));
    }
    out
}

/// One message of a file, with where it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMessage {
    /// The line of its MSH (1-based).
    pub line: usize,
    pub text: String,
}

/// Splits a file of messages (one after another, or an FHS/BHS batch) into
/// messages; the batch segments (FHS, BHS, BTS, FTS) are dropped, MLLP
/// framing characters ignored. Lines before the first MSH that are not batch
/// segments are named by their line.
pub fn split_file(text: &str) -> (Vec<FileMessage>, Vec<String>) {
    let mut messages: Vec<FileMessage> = Vec::new();
    let mut stray = Vec::new();
    // Lines end in LF (or CR LF); segments in CR. A file with no LF at all
    // counts its CR-ended segments as lines.
    let by_lf = text.contains('\n');
    let lines: Vec<&str> = match by_lf {
        true => text.split('\n').collect(),
        false => text.split('\r').collect(),
    };
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        for seg in line.split('\r') {
            let seg = seg.trim_matches(['\u{0b}', '\u{1c}', '\u{feff}']);
            if seg.trim().is_empty() {
                continue;
            }
            match seg.get(..3) {
                Some("FHS" | "BHS" | "BTS" | "FTS") => continue,
                Some("MSH") => messages.push(FileMessage {
                    line: line_no,
                    text: String::new(),
                }),
                _ if messages.is_empty() => {
                    stray.push(format!("line {line_no}: a segment before the first MSH"));
                    continue;
                }
                _ => {}
            }
            if let Some(m) = messages.last_mut() {
                m.text.push_str(seg);
                m.text.push('\r');
            }
        }
    }
    (messages, stray)
}
