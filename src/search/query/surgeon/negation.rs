//! The one reader of what a query says is not there: "no stent placed",
//! "without mesh", "stent not placed", "drains: none left". It reads the
//! scope of "with", "without", "no" and "not" over the words after them (a
//! text saying the opposite is not the answer), and which device words are
//! said not to be there (No Device, Z). A scope stops at the end of its
//! clause: at ";" or ".", at a "," that does not run a list on ("no drain,
//! stent placed"; but "without perforation, abscess or gangrene"), and before
//! "then" or "but" ("no drain and then stent placed"); a device's window
//! also stops before "with" ("without mesh with drain").

use super::Device;
use super::removal::is_device;
use crate::search::text::words;

/// What the query says of one of its words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Said {
    /// The word is in the scope of "without", "no" or "not" (true) or of
    /// "with" (false) in its clause.
    pub(crate) negated: Option<bool>,
    /// That scope began with "without": a text lacking the word is as good.
    pub(crate) without: bool,
    /// A device word said not to be there ("no stent", "stent not placed").
    pub(crate) denied_device: bool,
    /// A word no text should match: a device denied by "no", "not" or
    /// "none", those words, and the "left" of "none left" (not a side).
    /// ("without" keeps its own reading: a text naming the device
    /// contradicts it.)
    pub(crate) unsaid: bool,
}

/// Words that say none: "no", "without", "w/o", "not", "nor", "none".
fn is_none_word(w: &str) -> bool {
    matches!(w, "no" | "without" | "wo" | "not" | "nor" | "none")
}

/// Words after a device that say it was not left: "stent not placed",
/// "drain: none".
fn is_after_none_word(w: &str) -> bool {
    matches!(w, "not" | "none")
}

/// How many words before a device a "no" or "without" reaches ("no
/// ureteral stent", "without placement mesh"), and how many after it a
/// "not" ("stent was not placed").
const BEFORE: usize = 3;
const AFTER: usize = 2;

/// The query's words as typed (stop words kept, so "for cultures" and
/// "drain the" can be read), each with the number of its clause.
#[derive(Debug, Default)]
pub(crate) struct Raw {
    pub(crate) words: Vec<String>,
    pub(crate) clause: Vec<u32>,
}

impl Raw {
    pub(crate) fn of(query: &str) -> Raw {
        let mut out = Raw::default();
        // Each word with the mark that ends it (',' soft, ';' or '.' hard).
        let mut marks: Vec<u8> = Vec::new();
        for token in query.split_whitespace() {
            let pieces = words(token);
            let mark = match token.trim_end_matches([')', '"', '\'']).chars().last() {
                Some(',') => b',',
                Some(';' | '.') => b';',
                _ => 0,
            };
            let n = pieces.len();
            if n == 0 && mark != 0 {
                // A mark typed apart ("drain , stent") ends the word before.
                if let Some(m) = marks.last_mut() {
                    *m = mark;
                }
            }
            for (i, p) in pieces.into_iter().enumerate() {
                out.words.push(p);
                marks.push(if i + 1 == n { mark } else { 0 });
            }
        }
        let mut clause = 0u32;
        for i in 0..out.words.len() {
            let begun = out.clause.last() != Some(&clause);
            if i > 0 && !begun && matches!(out.words[i].as_str(), "then" | "but") {
                clause += 1;
            }
            out.clause.push(clause);
            let ends = match marks[i] {
                b';' => true,
                b',' => !runs_a_list_on(&out.words[i + 1..], &marks[i + 1..]),
                _ => false,
            };
            clause += u32::from(ends);
        }
        out
    }

    /// For each of `ws` (query words after phrases were joined and routing
    /// rewrote some; a joined phrase's words are spaced), the index of the
    /// raw word it was read from: the next raw word equal to its first word.
    /// A word routing wrote, found nowhere after, has none.
    pub(crate) fn align<S: AsRef<str>>(&self, ws: &[S]) -> Vec<Option<usize>> {
        let mut at = 0;
        ws.iter()
            .map(|w| {
                let w = w.as_ref();
                let first = w.split(' ').next().unwrap_or(w);
                let found = (at..self.words.len()).find(|&j| self.words[j] == first);
                if let Some(j) = found {
                    at = j + w.split(' ').count();
                }
                found
            })
            .collect()
    }

    /// The clause of each of `ws`: that of its raw word, or of the word
    /// before it.
    pub(crate) fn clauses<S: AsRef<str>>(&self, ws: &[S]) -> Vec<u32> {
        let mut last = 0;
        self.align(ws)
            .into_iter()
            .map(|j| {
                if let Some(c) = j.and_then(|j| self.clause.get(j)) {
                    last = *c;
                }
                last
            })
            .collect()
    }

    pub(crate) fn word(&self, j: usize) -> &str {
        self.words.get(j).map_or("", String::as_str)
    }
}

/// A "," followed, before the clause ends, by "or" or "nor": a list
/// ("without perforation, abscess or gangrene"), one scope.
fn runs_a_list_on(rest: &[String], marks: &[u8]) -> bool {
    for (w, &m) in rest.iter().zip(marks) {
        if matches!(w.as_str(), "or" | "nor") {
            return true;
        }
        if m == b';' || matches!(w.as_str(), "then" | "but" | "with" | "w") {
            return false;
        }
    }
    false
}

/// Whether a query word (a joined phrase's last word counts) names a device.
pub(super) fn names_device(w: &str) -> bool {
    let one = |w: &str| Device::named(w).is_some() || is_device(w);
    one(w) || w.rsplit(' ').next().is_some_and(one)
}

/// What the query says of each of `ws` (the words the terms are made of, in
/// order), its clauses read from the query as typed.
pub(crate) fn read(query: &str, ws: &[String]) -> Vec<Said> {
    let raw = Raw::of(query);
    let clause = raw.clauses(ws);
    let mut said = scopes(ws, &clause);
    deny_devices(ws, &clause, &mut said);
    said
}

/// The scope of "with" and "without" (and "no", "not"): it runs on over the
/// words after it ("without perforation or abscess") to the clause's end.
fn scopes(ws: &[String], clause: &[u32]) -> Vec<Said> {
    let mut out = Vec::with_capacity(ws.len());
    let mut after: Option<bool> = None;
    let mut by_without = false;
    for (i, w) in ws.iter().enumerate() {
        if i > 0 && clause.get(i) != clause.get(i - 1) {
            (after, by_without) = (None, false);
        }
        out.push(Said {
            negated: after,
            without: after == Some(true) && by_without,
            ..Said::default()
        });
        by_without = matches!(w.as_str(), "without" | "wo") || (by_without && after.is_some());
        after = match w.as_str() {
            "without" | "wo" | "no" | "not" => Some(true),
            "with" | "w" => Some(false),
            _ => after,
        };
    }
    out
}

/// Marks the device words said not to be there, and the words saying so: a
/// none word up to `BEFORE` words before the device, or "not"/"none" up to
/// `AFTER` words after it, in its clause and with no "with" between.
fn deny_devices(ws: &[String], clause: &[u32], said: &mut [Said]) {
    let same = |a: usize, b: usize| clause.get(a) == clause.get(b);
    let is_with = |w: &str| matches!(w, "with" | "w");
    for i in 0..ws.len() {
        if !names_device(&ws[i]) {
            continue;
        }
        let mut deniers = Vec::new();
        for j in (i.saturating_sub(BEFORE)..i).rev() {
            if !same(i, j) || is_with(&ws[j]) {
                break;
            }
            if is_none_word(&ws[j]) {
                deniers.push(j);
            }
        }
        for j in i + 1..(i + 1 + AFTER).min(ws.len()) {
            if !same(i, j) || is_with(&ws[j]) {
                break;
            }
            if is_after_none_word(&ws[j]) {
                deniers.push(j);
                // "none left": not the left side.
                if ws.get(j + 1).is_some_and(|l| l == "left") && same(j, j + 1) {
                    deniers.push(j + 1);
                }
            }
        }
        if deniers.is_empty() {
            continue;
        }
        said[i].denied_device = true;
        // "no drain left", "no stent placed": not the left side.
        if let Some(next) = ws.get(i + 1)
            && matches!(next.as_str(), "left" | "placed")
            && same(i, i + 1)
            && deniers.iter().any(|&j| j < i)
        {
            deniers.push(i + 1);
        }
        for j in deniers {
            if !matches!(ws[j].as_str(), "without" | "wo") {
                said[j].unsaid = true;
                said[i].unsaid = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn read_typed(q: &str) -> (Vec<String>, Vec<Said>) {
        let ws = index_words(q);
        let said = read(q, &ws);
        (ws, said)
    }

    fn denied(q: &str) -> Vec<String> {
        let (ws, said) = read_typed(q);
        ws.into_iter()
            .zip(said)
            .filter(|(_, s)| s.denied_device)
            .map(|(w, _)| w)
            .collect()
    }

    #[test]
    fn clauses_end_at_semicolons_commas_and_then() {
        let raw = Raw::of("no drain; stent placed, then closure");
        assert_eq!(
            raw.words,
            ["no", "drain", "stent", "placed", "then", "closure"]
        );
        assert_eq!(raw.clause, [0, 0, 1, 1, 2, 2]);
        // A comma running a list on is one clause.
        let list = Raw::of("without perforation, abscess or gangrene");
        assert_eq!(list.clause, [0, 0, 0, 0, 0]);
        // "but" begins a clause.
        assert_eq!(Raw::of("no stent but drain").clause, [0, 0, 1, 1]);
    }

    #[test]
    fn aligns_joined_and_rewritten_words_to_the_typed_ones() {
        let raw = Raw::of("PTA with drug-eluting stent, right SFA");
        let ws: Vec<String> = ["pta", "with", "drug eluting stent", "right", "sfa"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            raw.align(&ws),
            [Some(0), Some(1), Some(2), Some(5), Some(6)]
        );
        assert_eq!(raw.clauses(&ws), [0, 0, 0, 1, 1]);
        // A word routing wrote takes the clause of the word before it.
        let ws: Vec<String> = ["ivc", "filter", "extirpation", "matter"]
            .map(String::from)
            .to_vec();
        let raw = Raw::of("IVC filter removal, clot noted");
        assert_eq!(raw.clauses(&ws), [0, 0, 0, 0]);
    }

    #[test]
    fn a_device_is_denied_only_in_its_clause() {
        assert_eq!(denied("no drain; stent placed"), ["drain"]);
        assert_eq!(denied("no drain, stent placed"), ["drain"]);
        assert_eq!(denied("no drain and then stent placed"), ["drain"]);
        assert_eq!(denied("balloon angioplasty, no stent placed"), ["stent"]);
        assert_eq!(denied("stent not placed"), ["stent"]);
        assert_eq!(denied("stent was not placed"), ["stent"]);
        assert_eq!(denied("hernia repair without mesh"), ["mesh"]);
        assert_eq!(denied("repair without mesh, drain left in place"), ["mesh"]);
        // "with" begins what was done.
        assert_eq!(denied("without mesh with drain"), ["mesh"]);
        assert!(denied("PTA with stent").is_empty());
        assert!(denied("no complications; stent placed").is_empty());
        // "none left": the "left" is no side.
        let (ws, said) = read_typed("drains: none left");
        let deniers: Vec<&str> = ws
            .iter()
            .zip(&said)
            .filter(|(_, s)| s.unsaid)
            .map(|(w, _)| w.as_str())
            .collect();
        assert_eq!(deniers, ["drains", "none", "left"]);
        assert!(said[0].denied_device);
    }

    #[test]
    fn the_with_and_without_scope_stops_at_the_clause_end() {
        let (_, said) = read_typed("appendicitis without perforation or abscess");
        let negated: Vec<_> = said.iter().map(|s| s.negated).collect();
        assert_eq!(negated, [None, None, Some(true), Some(true)]);
        assert!(said[2].without && said[3].without);
        let (_, said) = read_typed("COPD without exacerbation, on home oxygen");
        let negated: Vec<_> = said.iter().map(|s| s.negated).collect();
        // copd without exacerbation | home oxygen ("on" is a stop word).
        assert_eq!(negated, [None, None, Some(true), None, None]);
        // "no" negates but does not make the word soft.
        let (_, said) = read_typed("no foreign body");
        assert_eq!(said[1].negated, Some(true));
        assert!(!said[1].without);
    }
}
