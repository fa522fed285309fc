//! The ICD-10-CM tabular's instructional notes (Section I.A.12-13 of the
//! Official Guidelines; the tabular conventions take precedence over the
//! guidelines). A note applies from the code and from every level above it.
//! Notes name the codes they mean in parentheses, in free text: "(I50.-)",
//! "(L97.4-, L97.5-)", "(O00-O07, O08.8)". What can be read as codes is
//! matched. A part that qualifies its codes in words ("E08-E13 with .42",
//! "T36-T50 with fifth or sixth character 5") cannot be checked exactly: its
//! codes are matched, and the finding quotes the note's words for the coder to
//! judge (an Excludes1 then says it "may apply"). A part that is only words is
//! never matched.

use super::{Facts, Finding, Rules, Severity, conflict};
use crate::codeset::{NodeKind, Note, NoteKind, code_key};

/// Codes a note names: every code whose key starts with something between `lo`
/// and `hi` (compared on their own lengths). "I50.-" is lo = hi = "I50";
/// "A00-A09" is lo "A00", hi "A09"; "I97.13-" is lo = hi = "I9713".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRange {
    lo: String,
    hi: String,
    /// Words that narrow the range ("with .42"): the match is then a maybe.
    pub qualifier: Option<String>,
}

impl CodeRange {
    /// Whether the code is in the range and (when the qualifier's words are
    /// understood) meets them too.
    pub fn contains(&self, code: &str) -> bool {
        self.contains_key(&code_key(code))
    }

    /// [`CodeRange::contains`] for a code already without its dot.
    pub fn contains_key(&self, key: &str) -> bool {
        key.len() >= self.lo.len()
            && key[..self.lo.len()] >= *self.lo
            && key[..self.hi.len().min(key.len())] <= *self.hi
            && self.qualifier_met(key) != Some(false)
    }

    /// Whether the qualifier is met: `None` when there is none or its words are
    /// not understood (the coder judges), else the answer. Understood: "with
    /// .42" (the characters after the dot), "with fifth character 1", "with
    /// sixth character 5", "with fifth or sixth character 5".
    pub fn qualifier_met(&self, key: &str) -> Option<bool> {
        let q = self.qualifier.as_deref()?.trim();
        let q = q.strip_prefix("with ")?;
        if let Some(digits) = q.strip_prefix('.') {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            return Some(key.get(3..3 + digits.len()) == Some(digits));
        }
        let (places, ch) = q.split_once(" character ")?;
        let ch = ch.trim();
        if ch.len() != 1 {
            return None;
        }
        let at = |n: usize| key.get(n..n + 1) == Some(ch);
        match places {
            "fifth" => Some(at(4)),
            "sixth" => Some(at(5)),
            "fifth or sixth" => Some(at(4) || at(5)),
            _ => None,
        }
    }
}

/// One code as a note writes it ("I50.-", "L97.4-", "O08.8"), as a key prefix.
fn code_token(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('-').trim_end_matches('.');
    let key: String = s.chars().filter(|c| *c != '.').collect();
    let b = key.as_bytes();
    let shaped = (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && s.chars().filter(|c| *c == '.').count() <= 1
        && s.find('.').is_none_or(|i| i == 3);
    shaped.then_some(key)
}

/// One comma-separated part of a parenthesis: a code or a range of codes.
fn range_piece(piece: &str) -> Option<CodeRange> {
    let piece = piece.trim();
    // The codes come first; words after them qualify them.
    let (codes, words) = match piece.split_once(char::is_whitespace) {
        Some((codes, words)) => (codes, Some(words.trim().to_string())),
        None => (piece, None),
    };
    if let Some(c) = code_token(codes) {
        return Some(CodeRange {
            lo: c.clone(),
            hi: c,
            qualifier: words,
        });
    }
    // "A00-A09", "I20.0-I20.9": a dash between two codes.
    let (a, b) = codes.split_once('-')?;
    let (lo, hi) = (code_token(a)?, code_token(b)?);
    (lo <= hi).then_some(CodeRange {
        lo,
        hi,
        qualifier: words,
    })
}

/// The code ranges a note's text names (with the words that qualify them);
/// parts that do not start with a code are left out.
pub fn parse_ranges(text: &str) -> Vec<CodeRange> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else {
            break;
        };
        out.extend(after[..close].split(',').filter_map(range_piece));
        rest = &after[close + 1..];
    }
    out
}

/// The code ranges of every note of the tabular that names codes (the kinds
/// the rules read), by node and note: read once when the rules are loaded.
pub(crate) fn parse_all(cm: &crate::codeset::IcdCm) -> Vec<Vec<Vec<CodeRange>>> {
    cm.nodes
        .iter()
        .map(|n| {
            n.notes
                .iter()
                .map(|note| match note.kind {
                    NoteKind::Excludes1
                    | NoteKind::Excludes2
                    | NoteKind::CodeFirst
                    | NoteKind::UseAdditionalCode
                    | NoteKind::CodeAlso => parse_ranges(&note.text),
                    _ => Vec::new(),
                })
                .collect()
        })
        .collect()
}

/// A note that applies to a code, with the level it is written at.
struct Applied<'a> {
    level: &'a str,
    level_kind: NodeKind,
    note: &'a Note,
    ranges: &'a [CodeRange],
}

impl Applied<'_> {
    fn names(&self, key: &str) -> Option<&CodeRange> {
        self.ranges.iter().find(|r| r.contains_key(key))
    }
}

fn applied<'a>(rules: &'a Rules, node: usize, kind: NoteKind) -> Vec<Applied<'a>> {
    rules
        .cm
        .lineage(node)
        .flat_map(|n| {
            let level = &rules.cm.nodes[n];
            let ranges = rules.note_ranges.get(n);
            level
                .notes
                .iter()
                .enumerate()
                .filter(move |(_, note)| note.kind == kind)
                .map(move |(i, note)| Applied {
                    level: level.code.as_str(),
                    level_kind: level.kind,
                    note,
                    ranges: ranges.and_then(|r| r.get(i)).map_or(&[], Vec::as_slice),
                })
        })
        .collect()
}

/// Note texts joined for one message: a lead-in ending in ':' runs into the
/// text after it, other texts are separated by "; ".
fn joined(texts: &[&str]) -> String {
    let mut out = String::new();
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.push_str(if texts[i - 1].ends_with(':') {
                " "
            } else {
                "; "
            });
        }
        out.push_str(t);
    }
    out
}

fn source(kind: NoteKind, level: &str) -> String {
    format!("ICD-10-CM Tabular, {} at {level}", kind.heading())
}

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let mut pairs_seen: Vec<(usize, usize)> = Vec::new();
    for (i, &(code, node)) in facts.dx.iter().enumerate() {
        let Some(node) = node else {
            continue;
        };
        excludes(rules, facts, i, code, node, &mut pairs_seen, out);
        code_first(rules, facts, i, code, node, out);
        for (kind, rule) in [
            (NoteKind::UseAdditionalCode, "use-additional-code"),
            (NoteKind::CodeAlso, "code-also"),
        ] {
            prompt(rules, facts, i, code, node, kind, rule, out);
        }
    }
}

/// Excludes1 ("NOT CODED HERE": the two conditions cannot occur together; both
/// may be reported only when they are unrelated, so a warning the coder
/// acknowledges; an error when the pair is one the exception cannot cover, see
/// [`super::conflict`]) and Excludes2 ("not included here": both may be coded;
/// shown as information, and only from the code's own levels, not the chapter-
/// and section-wide lists that just mark the chapter's bounds). Official
/// Guidelines I.A.12.a and I.A.12.b.
fn excludes(
    rules: &Rules,
    facts: &Facts<'_>,
    i: usize,
    code: &str,
    node: usize,
    pairs_seen: &mut Vec<(usize, usize)>,
    out: &mut Vec<Finding>,
) {
    for (kind, rule, severity) in [
        (NoteKind::Excludes1, "excludes1", Severity::Warning),
        (NoteKind::Excludes2, "excludes2", Severity::Info),
    ] {
        for a in applied(rules, node, kind) {
            if kind == NoteKind::Excludes2 && a.level_kind != NodeKind::Code {
                continue;
            }
            for (j, (&(other, _), other_key)) in facts.dx.iter().zip(&facts.keys).enumerate() {
                let pair = (i.min(j), i.max(j));
                if j == i || pairs_seen.contains(&pair) {
                    continue;
                }
                let Some(range) = a.names(other_key) else {
                    continue;
                };
                pairs_seen.push(pair);
                let unsure = range.qualifier_met(other_key).is_none() && range.qualifier.is_some();
                let class = (kind == NoteKind::Excludes1 && !unsure)
                    .then(|| conflict::class_of(&facts.keys[i], other_key))
                    .flatten();
                if let Some(class) = class {
                    out.push(conflicting(code, other, &a, class));
                    continue;
                }
                let message = match kind {
                    NoteKind::Excludes1 if unsure => {
                        format!(
                            "{code} may exclude {other}: check the note's words ({}); report both only if the conditions are unrelated",
                            a.note.text
                        )
                    }
                    NoteKind::Excludes1 => format!(
                        "{code} excludes {other} ({}): report both only if the conditions are unrelated",
                        a.note.text
                    ),
                    _ => format!(
                        "{other} is not included in {code} ({}): both may be coded",
                        a.note.text
                    ),
                };
                out.push(Finding::new(
                    rule,
                    severity,
                    &[code, other],
                    message,
                    source(kind, a.level),
                ));
            }
        }
    }
}

/// An Excludes1 pair of a class the "unrelated conditions" exception cannot
/// cover: an error, with the guideline's resolution or the physician query.
fn conflicting(
    code: &str,
    other: &str,
    a: &Applied<'_>,
    class: &'static conflict::ConflictClass,
) -> Finding {
    let what = class.what;
    let head = format!(
        "{code} excludes {other} ({}): {what} cannot both be right, and the unrelated-conditions exception cannot apply",
        a.note.text
    );
    let source = format!(
        "{}; {}",
        source(NoteKind::Excludes1, a.level),
        class.guidelines
    );
    match class.resolution {
        conflict::Resolution::Guideline(how) => Finding::new(
            "excludes1",
            Severity::Error,
            &[code, other],
            format!("{head}: {how}"),
            source,
        ),
        conflict::Resolution::Query => Finding::new(
            "excludes1",
            Severity::Error,
            &[code, other],
            format!(
                "{head}: if the record documents both, it conflicts: query the attending physician (query template \"{}\")",
                super::CONFLICTING_DOCUMENTATION
            ),
            source,
        )
        .suggesting(super::CONFLICTING_DOCUMENTATION),
    }
}

/// "Code first": the code named must be sequenced before this one (Section
/// I.A.13 etiology/manifestation). A manifestation code (MCE flag) without its
/// underlying condition is a warning; another code's "code first" is often
/// "if applicable", so its absence is information.
fn code_first(
    rules: &Rules,
    facts: &Facts<'_>,
    i: usize,
    code: &str,
    node: usize,
    out: &mut Vec<Finding>,
) {
    let notes = applied(rules, node, NoteKind::CodeFirst);
    if notes.is_empty() {
        return;
    }
    let matched = |j: usize| {
        let key = &facts.keys[j];
        notes.iter().find(|a| a.names(key).is_some())
    };
    if (0..i).any(|j| matched(j).is_some()) {
        return;
    }
    if let Some((j, a)) = (i + 1..facts.dx.len()).find_map(|j| matched(j).map(|a| (j, a))) {
        let other = facts.dx[j].0;
        out.push(Finding::new(
            "code-first",
            Severity::Warning,
            &[code, other],
            format!(
                "{other} must be sequenced before {code} (code first: {})",
                a.note.text
            ),
            source(NoteKind::CodeFirst, a.level),
        ));
        return;
    }
    let manifestation = rules
        .cm
        .mce
        .get(&code_key(code))
        .is_some_and(|m| m.flags_on(facts.date).iter().any(|f| f == "manifestation"));
    let level = notes[0].level;
    let texts: Vec<&str> = notes.iter().map(|a| a.note.text.as_str()).collect();
    out.push(Finding::new(
        "code-first",
        if manifestation {
            Severity::Warning
        } else {
            Severity::Info
        },
        &[code],
        if manifestation {
            format!(
                "{code} is a manifestation: code its underlying condition first ({})",
                joined(&texts)
            )
        } else {
            format!("{code}: code first, if applicable: {}", joined(&texts))
        },
        source(NoteKind::CodeFirst, level),
    ));
}

/// One instruction: the lines of one note element at one level ("code to
/// identify control using:" with the lines naming Z79.4, Z79.84, Z79.85).
struct Instruction<'a> {
    level: &'a str,
    level_kind: NodeKind,
    /// 1-based, among the instructions of its kind written at its level.
    number: usize,
    texts: Vec<&'a str>,
    ranges: Vec<&'a CodeRange>,
}

impl Instruction<'_> {
    fn text(&self) -> String {
        joined(&self.texts)
    }

    /// The codes it names, as the note writes them ("L97.4-, L97.5-").
    fn codes(&self) -> String {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.texts {
            let mut rest = *t;
            while let Some(open) = rest.find('(') {
                let after = &rest[open + 1..];
                let Some(close) = after.find(')') else {
                    break;
                };
                for piece in after[..close].split(',') {
                    let piece = piece.trim();
                    if range_piece(piece).is_some() && !out.contains(&piece) {
                        out.push(piece);
                    }
                }
                rest = &after[close + 1..];
            }
        }
        out.join(", ")
    }

    /// Whether the Tabular states the instruction as required. Conditional:
    /// words such as "if applicable", "any", "associated"; a bare "code to
    /// identify:" over a list of conditions or exposures that may or may not be
    /// present; external causes (no national requirement to report them,
    /// Official Guidelines I.C.20). Everything else identifies something the
    /// coded condition has by definition (its stage, type, site, severity,
    /// agent, outcome, control): required, though only "if known" (I.B.7).
    /// An instruction written for a whole chapter or section (antimicrobial
    /// resistance Z16.- for chapter 1) names what only some of its conditions
    /// have: conditional.
    fn required(&self) -> bool {
        if self.level_kind != NodeKind::Code {
            return false;
        }
        let lead = self
            .texts
            .first()
            .map(|t| t.to_lowercase())
            .unwrap_or_default();
        let padded = format!(" {lead} ");
        const CONDITIONAL: [&str; 13] = [
            " if ",
            "where applicable",
            "when applicable",
            "when specified",
            "when known",
            "when present",
            " any ",
            "associated",
            "presence of",
            "exposure",
            "history",
            " may ",
            "external cause",
        ];
        if CONDITIONAL.iter().any(|w| padded.contains(w)) {
            return false;
        }
        let bare = lead
            .trim_end_matches(':')
            .replace("code(s)", "code")
            .replace("codes", "code")
            .replace("(for)", "")
            .replace("to identify", "")
            .replace("to specify", "")
            .replace(" for", "")
            .trim()
            == "code";
        if bare && self.texts.len() > 1 {
            return false;
        }
        let external =
            |r: &&CodeRange| matches!(r.lo.as_bytes().first(), Some(b'V' | b'W' | b'X' | b'Y'));
        !(self.ranges.iter().all(external) || lead.contains("cause code"))
    }
}

/// The instructions of a kind that apply to a node, nearest level first; the
/// same words written at two levels count once.
fn instructions<'a>(rules: &'a Rules, node: usize, kind: NoteKind) -> Vec<Instruction<'a>> {
    let mut out: Vec<Instruction<'a>> = Vec::new();
    let push = |ins: Instruction<'a>, out: &mut Vec<Instruction<'a>>| {
        if !out.iter().any(|o| o.texts == ins.texts) {
            out.push(ins);
        }
    };
    for n in rules.cm.lineage(node) {
        let level = &rules.cm.nodes[n];
        let ranges = rules.note_ranges.get(n);
        let mut current: Option<(u32, Instruction<'a>)> = None;
        let mut number = 0;
        for (i, note) in level.notes.iter().enumerate() {
            if note.kind != kind {
                continue;
            }
            let r = ranges.and_then(|r| r.get(i)).map_or(&[][..], Vec::as_slice);
            match &mut current {
                Some((group, ins)) if *group == note.group => {
                    ins.texts.push(&note.text);
                    ins.ranges.extend(r.iter());
                }
                _ => {
                    if let Some((_, ins)) = current.take() {
                        push(ins, &mut out);
                    }
                    number += 1;
                    current = Some((
                        note.group,
                        Instruction {
                            level: level.code.as_str(),
                            level_kind: level.kind,
                            number,
                            texts: vec![note.text.as_str()],
                            ranges: r.iter().collect(),
                        },
                    ));
                }
            }
        }
        if let Some((_, ins)) = current {
            push(ins, &mut out);
        }
    }
    out
}

/// "Use additional code" (Official Guidelines I.B.7, I.A.13) and "Code also"
/// (I.A.17): another code may be needed. Each instruction is judged on its
/// own: one satisfied does not answer another. An instruction none of whose
/// codes is on the chart is named with the codes that would satisfy it: a
/// warning when the Tabular states it as required (a "use additional code"
/// without "if applicable" and the like), else information; an instruction
/// that names no code cannot be checked and is shown for the coder to judge.
#[allow(clippy::too_many_arguments)]
fn prompt(
    rules: &Rules,
    facts: &Facts<'_>,
    i: usize,
    code: &str,
    node: usize,
    kind: NoteKind,
    rule: &'static str,
    out: &mut Vec<Finding>,
) {
    let heading = kind.heading().to_lowercase();
    let guideline = match kind {
        NoteKind::UseAdditionalCode => "Official Guidelines I.B.7",
        _ => "Official Guidelines I.A.17",
    };
    for ins in instructions(rules, node, kind) {
        let satisfied = facts
            .keys
            .iter()
            .enumerate()
            .any(|(j, key)| j != i && ins.ranges.iter().any(|r| r.contains_key(key)));
        if satisfied {
            continue;
        }
        let (severity, message) = if ins.ranges.is_empty() {
            (
                Severity::Info,
                format!(
                    "{code}: {heading} (at {}): {}: the note names no code to check; judge from the record",
                    ins.level,
                    ins.text()
                ),
            )
        } else if kind == NoteKind::UseAdditionalCode && ins.required() {
            (
                Severity::Warning,
                format!(
                    "{code}: {heading} (at {}): {}: none of {} is coded; add the code the record supports, or acknowledge that it does not say",
                    ins.level,
                    ins.text(),
                    ins.codes()
                ),
            )
        } else {
            (
                Severity::Info,
                format!(
                    "{code}: {heading}, if it applies (at {}): {}: none of {} is coded",
                    ins.level,
                    ins.text(),
                    ins.codes()
                ),
            )
        };
        out.push(
            Finding::new(
                rule,
                severity,
                &[code],
                message,
                format!("{}; {guideline}", source(kind, ins.level)),
            )
            .about_note(format!("{} #{}", ins.level, ins.number)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(lo: &str, hi: &str) -> CodeRange {
        CodeRange {
            lo: lo.into(),
            hi: hi.into(),
            qualifier: None,
        }
    }

    #[test]
    fn note_ranges_are_read_from_the_official_texts() {
        // I50's code-first note and E11's Excludes1, as the tabular writes them.
        assert_eq!(
            parse_ranges(
                "heart failure complicating abortion or ectopic or molar pregnancy (O00-O07, O08.8)"
            ),
            vec![r("O00", "O07"), r("O088", "O088")]
        );
        assert_eq!(
            parse_ranges("diabetes mellitus due to underlying condition (E08.-)"),
            vec![r("E08", "E08")]
        );
        assert_eq!(
            parse_ranges("heart failure following surgery (I97.13-)"),
            vec![r("I9713", "I9713")]
        );
        assert_eq!(
            parse_ranges(
                "diabetic chronic kidney disease (E08.22, E09.22, E10.22, E11.22, E13.22)"
            )
            .len(),
            5
        );
        // G63's Excludes1: the words narrowing the range are kept for the coder.
        let q = parse_ranges("diabetes mellitus (E08-E13 with .42)");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].qualifier.as_deref(), Some("with .42"));
        assert!(q[0].contains("E11.42"));
        assert!(
            !q[0].contains("E11.9"),
            "the words are understood: .42 only"
        );
        let fifth = &parse_ranges("(B27.0-B27.9 with fifth character 1)")[0];
        assert!(fifth.contains("B27.01") && !fifth.contains("B27.09"));
        let either = &parse_ranges("(T36-T50 with fifth or sixth character 5)")[0];
        assert!(either.contains("T36.0X5A") && either.contains("T38.805A"));
        assert!(!either.contains("T36.0X1A"));
        let unknown = &parse_ranges("(E08-E13 with diabetic complications)")[0];
        assert_eq!(unknown.qualifier_met("E1142"), None);
        assert!(
            unknown.contains("E11.42"),
            "not understood: the coder judges"
        );
        // Words only: nothing to match.
        assert!(parse_ranges("underlying disease, such as:").is_empty());
        assert!(parse_ranges("(see Alphabetic Index)").is_empty());
    }

    #[test]
    fn a_range_holds_the_codes_under_its_ends() {
        let o = r("O00", "O07");
        assert!(o.contains("O00.0") && o.contains("O07.4") && o.contains("O03"));
        assert!(!o.contains("O08.8") && !o.contains("N99"));
        let fine = r("I200", "I209");
        assert!(fine.contains("I20.0") && fine.contains("I20.9"));
        assert!(
            !fine.contains("I20"),
            "the category is not in a range of its subcategories"
        );
        let c = r("C00", "D49");
        assert!(c.contains("C50.911") && c.contains("D49.9") && !c.contains("D50.0"));
    }
}
