//! Excludes1 pairs the "unrelated conditions" exception cannot cover.
//!
//! Official Guidelines I.A.12.a: an Excludes1 note means the two conditions
//! cannot occur together; the one exception is two conditions unrelated to each
//! other, and "if it is not clear whether the two conditions involving an
//! Excludes1 note are related or not, query the provider". Two codes for the
//! same condition that differ only in a type, status or level that is exclusive
//! by definition (type 1 and type 2 diabetes; abuse and dependence of one
//! substance) can never be unrelated: the pair is an error, not a warning to
//! acknowledge. Where the guidelines settle which code to keep (the substance
//! hierarchy, I.C.5.b.1) the finding says so; otherwise the record conflicts and
//! the attending physician is queried (I.B.14: "if there is conflicting medical
//! record documentation ... the patient's attending provider should be queried
//! for clarification").
//!
//! A class only raises the severity of an Excludes1 pair the Tabular itself
//! writes; it never makes a pair of its own.

/// How a pair of a class is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The record conflicts: query the attending physician.
    Query,
    /// The guidelines say which code to keep.
    Guideline(&'static str),
}

/// One class of Excludes1 pairs that cannot both be right.
#[derive(Debug, PartialEq, Eq)]
pub struct ConflictClass {
    /// A short id, e.g. "diabetes-type".
    pub id: &'static str,
    /// What the two codes are, in a coder's words.
    pub what: &'static str,
    /// The members: a pair is in the class when its two codes fall in two
    /// different members (code prefixes, without dots).
    members: &'static [&'static [&'static str]],
    /// Both codes must also share their category (the same substance).
    same_category: bool,
    /// The guideline sections relied on.
    pub guidelines: &'static str,
    pub resolution: Resolution,
}

impl ConflictClass {
    fn member(&self, key: &str) -> Option<usize> {
        self.members
            .iter()
            .position(|m| m.iter().any(|p| key.starts_with(p)))
    }

    /// Whether two codes (without dots) are a pair of the class.
    pub fn holds(&self, a: &str, b: &str) -> bool {
        if self.same_category && a.get(..3) != b.get(..3) {
            return false;
        }
        matches!((self.member(a), self.member(b)), (Some(x), Some(y)) if x != y)
    }
}

const SUBSTANCES_ABUSE: &[&str] = &[
    "F101", "F111", "F121", "F131", "F141", "F151", "F161", "F181", "F191",
];
const SUBSTANCES_DEPENDENCE: &[&str] = &[
    "F102", "F112", "F122", "F132", "F142", "F152", "F162", "F182", "F192",
];
const SUBSTANCES_USE: &[&str] = &[
    "F109", "F119", "F129", "F139", "F149", "F159", "F169", "F189", "F199",
];

/// Every class, as listed in README.md.
pub const CLASSES: &[ConflictClass] = &[
    ConflictClass {
        id: "diabetes-type",
        what: "two types of diabetes mellitus (due to an underlying condition E08, drug or chemical induced E09, type 1 E10, type 2 E11, other specified E13, gestational O24.4, neonatal P70.2)",
        members: &[
            &["E08"],
            &["E09"],
            &["E10"],
            &["E11"],
            &["E13"],
            &["O244"],
            &["P702"],
        ],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.C.4.a (the type is the provider's; E11 is the default only when no type is documented, I.C.4.a.2), I.B.14",
        resolution: Resolution::Query,
    },
    ConflictClass {
        id: "diabetes-remission",
        what: "type 2 diabetes mellitus both in remission (E11.A) and not (E11.0-E11.9)",
        members: &[
            &["E11A"],
            &[
                "E110", "E111", "E112", "E113", "E114", "E115", "E116", "E118", "E119",
            ],
        ],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.B.14",
        resolution: Resolution::Query,
    },
    ConflictClass {
        id: "substance-level",
        what: "two levels (use, abuse, dependence) of one psychoactive substance",
        members: &[SUBSTANCES_USE, SUBSTANCES_ABUSE, SUBSTANCES_DEPENDENCE],
        same_category: true,
        guidelines: "Official Guidelines I.A.12.a, I.C.5.b.1",
        resolution: Resolution::Guideline(
            "report only the higher level: dependence over abuse over use (I.C.5.b.1)",
        ),
    },
    ConflictClass {
        id: "tobacco-status",
        what: "current nicotine dependence (F17.2-), tobacco use (Z72.0) and history of nicotine dependence (Z87.891) of one patient",
        members: &[&["F172"], &["Z720"], &["Z87891"]],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.C.21.c.4 (a history code is for a condition that no longer exists), I.B.14",
        resolution: Resolution::Query,
    },
    ConflictClass {
        id: "mood-episode",
        what: "two kinds of mood disorder exclusive by definition (manic episode F30, bipolar disorder F31, major depressive disorder single episode F32, recurrent F33)",
        members: &[
            &["F30"],
            &["F31"],
            &[
                "F320", "F321", "F322", "F323", "F324", "F325", "F329", "F32A",
            ],
            &["F33"],
        ],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.B.14",
        resolution: Resolution::Query,
    },
    ConflictClass {
        id: "migraine-chronicity",
        what: "episodic and chronic migraine of the same aura type",
        members: &[&["G430", "G431"], &["G437", "G43E"]],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.B.14",
        resolution: Resolution::Query,
    },
    ConflictClass {
        id: "atrial-fibrillation-type",
        what: "two types of atrial fibrillation exclusive by definition (persistent I48.1-, permanent I48.21, chronic unspecified I48.20)",
        members: &[&["I481"], &["I4820"], &["I4821"]],
        same_category: false,
        guidelines: "Official Guidelines I.A.12.a, I.B.14",
        resolution: Resolution::Query,
    },
];

/// The class an Excludes1 pair (codes without dots) belongs to, if any.
pub fn class_of(a: &str, b: &str) -> Option<&'static ConflictClass> {
    CLASSES.iter().find(|c| c.holds(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_needs_two_different_members() {
        assert_eq!(
            class_of("E1022", "E1122").map(|c| c.id),
            Some("diabetes-type")
        );
        assert_eq!(class_of("E1122", "E119"), None, "one type: no class");
        assert_eq!(
            class_of("F1010", "F1020").map(|c| c.id),
            Some("substance-level")
        );
        assert_eq!(class_of("F1010", "F1120"), None, "two substances");
        assert_eq!(
            class_of("E11A", "E1165").map(|c| c.id),
            Some("diabetes-remission")
        );
        assert_eq!(
            class_of("F3281", "F319"),
            None,
            "PMDD is not a depressive episode"
        );
    }
}
