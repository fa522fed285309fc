//! Connective shorthand between two conditions: "2/2" and "d/t" (due to),
//! "r/t" (related to), "sec to" (secondary to), and "c/b" (complicated by).
//!
//! The classification links two conditions through the Index's subterms
//! "with", "due to" and "in", which it treats as one ("Anemia, in (due to)
//! (with) chronic kidney disease D63.1"), and ICD-10-CM Official Guidelines
//! I.A.15 read "with" and "in" as "associated with" or "due to". So the
//! connective names no word a code's title must hold: the conditions on
//! either side do. A "due to" is dropped from the search's words, as "to"
//! and "in" are, and never read as its letters ("r/t" is not "rt", the right
//! side). "Complicated by" is the classification's "with" (the Tabular's
//! "Type 2 diabetes mellitus with diabetic autonomic (poly)neuropathy", "...
//! peptic ulcer ... with hemorrhage"): it reads as "with", as "w/" does.
//! The shorthand is from the common medical abbreviation lists of nursing and
//! HIM textbooks.

/// "Due to" shorthand written with a slash, compared lower-case.
const DUE_TO: [&str; 3] = ["2/2", "d/t", "r/t"];

/// What a connective reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Connective {
    /// "Due to": no word of its own.
    DueTo,
    /// "Complicated by": the classification's "with".
    With,
}

/// The connective `token` is (one whitespace-separated piece of the query,
/// punctuation around it allowed: "d/t,"), given the token after it ("sec"
/// is one only before "to": "sec to CKD").
pub(super) fn connective(token: &str, next: Option<&str>) -> Option<Connective> {
    let t = token
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    if DUE_TO.contains(&t.as_str())
        || (t == "sec" && next.is_some_and(|n| n.eq_ignore_ascii_case("to")))
    {
        return Some(Connective::DueTo);
    }
    (t == "c/b").then_some(Connective::With)
}

#[cfg(test)]
mod tests {
    use super::{Connective, connective};

    #[test]
    fn slashed_connectives_are_read_whole() {
        for t in ["2/2", "d/t", "D/T", "r/t", "(d/t"] {
            assert_eq!(connective(t, None), Some(Connective::DueTo), "{t}");
        }
        for t in ["c/b", "C/B,"] {
            assert_eq!(connective(t, None), Some(Connective::With), "{t}");
        }
        // Other slashed shorthand keeps its meaning: status post, history
        // of, with, without; "rt" is the right side.
        for t in ["s/p", "h/o", "w/", "w/o", "rt", "2/3", "cb"] {
            assert_eq!(connective(t, None), None, "{t}");
        }
    }

    #[test]
    fn sec_is_a_connective_only_before_to() {
        assert_eq!(connective("sec", Some("to")), Some(Connective::DueTo));
        assert_eq!(connective("sec", Some("CKD")), None);
        assert_eq!(connective("sec", None), None);
    }
}
