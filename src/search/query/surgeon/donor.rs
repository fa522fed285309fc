//! The donor site of a graft is not the body part of the procedure the
//! graft completes (ICD-10-PCS guideline B3.9: "If an autograft (tissue
//! transferred from a different body part on the same individual) is
//! obtained from a different procedure site in order to complete the
//! objective of the procedure, a separate procedure is coded"): in "split
//! thickness skin graft from left thigh to left lower leg" the Replacement
//! is of the lower leg's skin (0HRLX74), the thigh's harvest a procedure of
//! its own.

use super::negation::Raw;

/// Words of a graft (the PCS Index: "Graft — see Replacement"; "Autograft —
/// use Autologous Tissue Substitute"; STSG, FTSG: split- and full-thickness
/// skin grafts).
const GRAFTS: [&str; 8] = [
    "graft",
    "grafts",
    "grafting",
    "autograft",
    "autografts",
    "stsg",
    "ftsg",
    "harvested",
];

/// Words that end the donor site: where the graft went, or what follows.
const SITE_ENDS: [&str; 12] = [
    "to",
    "onto",
    "into",
    "over",
    "applied",
    "placed",
    "and",
    "for",
    "with",
    "recipient",
    "then",
    "covering",
];

/// Words that tell the graft's way from one site to the other and name no
/// character: the harvest, the two sites, and the meshing of a skin graft.
const CONNECTORS: [&str; 8] = [
    "harvested",
    "harvest",
    "donor",
    "recipient",
    "site",
    "applied",
    "meshed",
    "taken",
];

/// Words of a bypass: its graft runs "from" one vessel "to" another, the
/// bypass's body part and qualifier (Bypass, Femoral Artery, Right to
/// Popliteal Artery), no donor site.
const BYPASS: [&str; 6] = [
    "bypass",
    "cabg",
    "shunt",
    "fistula",
    "anastomosis",
    "conduit",
];

/// What the graft's bed was (a burn, a wound, an ulcer, a defect): why the
/// graft was put there, not what was done or where (the Replacement's body
/// part is the skin of the region). Left out when a donor site is named.
const REASONS: [&str; 8] = [
    "burn", "burns", "wound", "wounds", "ulcer", "ulcers", "defect", "bed",
];

/// The raw words of the donor site: those after "from" (once a graft was
/// named) or "donor site", up to where the graft went or the clause ends.
fn donor_span(raw: &Raw) -> Vec<usize> {
    let n = raw.words.len();
    let graft_at = (0..n).find(|&j| GRAFTS.contains(&raw.word(j)));
    let Some(graft_at) = graft_at else {
        return Vec::new();
    };
    if raw.words.iter().any(|w| BYPASS.contains(&w.as_str())) {
        return Vec::new();
    }
    let start = (0..n).find(|&j| {
        (raw.word(j) == "from" && j > graft_at)
            || (raw.word(j) == "donor" && raw.word(j + 1) == "site")
    });
    let Some(start) = start else {
        return Vec::new();
    };
    let clause = raw.clause.get(start).copied();
    (start + 1..n)
        .skip_while(|&j| matches!(raw.word(j), "site" | "the" | "a" | "was" | "is"))
        .take_while(|&j| raw.clause.get(j).copied() == clause && !SITE_ENDS.contains(&raw.word(j)))
        .collect()
}

/// The query's words without the donor site and the words that only carry
/// the graft from it, in a search of procedures; other queries unchanged.
pub(in crate::search::query) fn graft_donor_apart(
    query: &str,
    words: Vec<String>,
    procedures: bool,
) -> Vec<String> {
    if !procedures {
        return words;
    }
    let raw = Raw::of(query);
    let span = donor_span(&raw);
    if span.is_empty() {
        return words;
    }
    let at = raw.align(&words);
    let kept: Vec<String> = words
        .iter()
        .zip(at)
        .filter(|(w, j)| {
            !j.is_some_and(|j| span.contains(&j))
                && !CONNECTORS.contains(&w.as_str())
                && !REASONS.contains(&w.as_str())
        })
        .map(|(w, _)| w.clone())
        .collect();
    if kept.is_empty() { words } else { kept }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn apart(q: &str) -> String {
        graft_donor_apart(q, index_words(q), true).join(" ")
    }

    #[test]
    fn the_donor_site_is_not_the_body_part() {
        assert_eq!(
            apart("split thickness skin graft from left thigh to left lower leg"),
            "split thickness skin graft left lower leg"
        );
        assert_eq!(
            apart("STSG harvested from left thigh applied to left foot ulcer"),
            "stsg left foot"
        );
        assert_eq!(
            apart("split thickness skin graft from left thigh to left forearm burn wound"),
            "split thickness skin graft left forearm"
        );
        assert_eq!(
            apart(
                "split thickness skin graft, donor site right thigh, recipient site right lower leg"
            ),
            "split thickness skin graft right lower leg"
        );
        // A bone graft's donor too (B3.9): the fusion's joint stays.
        assert_eq!(
            apart("posterior lumbar fusion L4-L5 with autograft from the left iliac crest"),
            "posterior lumbar fusion l4 l5 with autograft"
        );
    }

    #[test]
    fn without_a_graft_or_a_donor_the_words_stay() {
        for q in [
            "skin graft left lower leg",
            "removal of foreign body from left thigh",
            "transfer from right thigh",
            // A bypass graft runs from one vessel to another: both are its.
            "femoral popliteal bypass graft from common femoral to popliteal artery",
        ] {
            assert_eq!(apart(q), index_words(q).join(" "), "{q}");
        }
        // A diagnosis search keeps every word.
        let q = "skin graft from left thigh to left leg";
        assert_eq!(graft_donor_apart(q, index_words(q), false), index_words(q));
    }
}
