//! The PCS Index's references to a root operation with a value: "Biopsy —
//! see Drainage with qualifier Diagnostic / see Excision with qualifier
//! Diagnostic / see Extraction with qualifier Diagnostic", "Punch biopsy —
//! see Excision with qualifier Diagnostic", "Clipping, aneurysm — see
//! Occlusion using Extraluminal Device". Such a reference names no table: it
//! names every body part of its operation whose row allows the value. The
//! Index's own subterms of the operation ("Excision > Muscle > Upper Leg")
//! reach those body parts by the tables' words; the Body Part Key's words
//! ("quadriceps" for the Upper Leg Muscle) reach them through this: the
//! term's words go with each Body Part Key text of such a row.

use super::builder::split_parens;
use super::text::{index_words, words};
use crate::codeset::IcdPcs;
use crate::codeset::pcs_index::PcsIndex;
use std::collections::HashMap;

/// One value reference: the operation (lower case), the row axis the value
/// is on (2 device, 3 qualifier) and the value's label (lower case).
#[derive(Debug, PartialEq, Eq)]
struct ValueReference {
    operation: String,
    axis: usize,
    value: String,
}

/// "Excision with qualifier Diagnostic", "Occlusion using Extraluminal
/// Device", "Insertion with device Radioactive Element".
fn value_reference(see: &str) -> Option<ValueReference> {
    let lower = see.trim().to_lowercase();
    [
        (" with qualifier ", 3),
        (" with device ", 2),
        (" using ", 2),
    ]
    .iter()
    .find_map(|&(sep, axis)| {
        let (operation, value) = lower.split_once(sep)?;
        (!operation.contains(',')).then(|| ValueReference {
            operation: operation.trim().to_string(),
            axis,
            value: value.trim().to_string(),
        })
    })
}

/// The words of the Index's main terms that refer to an operation with a
/// value, by each row prefix (table and body part, 4 characters) whose row
/// allows that value: "biopsy" for 0KBQ (Excision, Upper Leg Muscle, Right:
/// qualifier X Diagnostic), "clipping aneurysm" for 03LG (Occlusion,
/// Intracranial Artery: device C Extraluminal Device).
pub(super) fn value_reference_words(pcs: &IcdPcs, ix: &PcsIndex) -> HashMap<String, Vec<String>> {
    let children = ix.children();
    let mut references: Vec<(Vec<String>, ValueReference)> = Vec::new();
    for (i, t) in ix
        .terms
        .iter()
        .enumerate()
        .filter(|(_, t)| t.level == 0 && t.target.is_none())
    {
        let (core, _) = split_parens(&t.title);
        let key = words(&core);
        if key.is_empty() {
            continue;
        }
        // The term's own reference, or its subterms' bare ones ("Biopsy").
        let bare = children[i].iter().map(|&d| &ix.terms[d as usize]);
        let bare = bare.filter(|d| d.title.is_empty() && d.target.is_none());
        let sees = t.see.iter().chain(bare.filter_map(|d| d.see.as_ref()));
        let mine: Vec<ValueReference> = sees.filter_map(|s| value_reference(s)).collect();
        // The Body Part Key names tissue (muscles, glands, nerves): tissue
        // cut out is Excision (Definitions: "cutting out or off ... a
        // portion of a body part"), Drainage the fluid taken. Where a term
        // names Excision among others ("Biopsy"), its words go with
        // Excision's rows only; with all three the word would be in some
        // 3,400 texts and crowd the Index's own out of the candidates.
        let excision = mine.iter().any(|r| r.operation == "excision");
        for r in mine {
            if !excision || r.operation == "excision" {
                references.push((key.clone(), r));
            }
        }
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for table in &pcs.tables.tables {
        let Some(operation) = table.head.get(2).and_then(|a| a.values.first()) else {
            continue;
        };
        let operation = operation.label.to_lowercase();
        let prefix = table.prefix();
        // Tissue taken for diagnosis is read in the tissues and nerves only
        // (Peripheral Nervous System 01, Subcutaneous Tissue and Fascia 0J,
        // Muscles 0K, Tendons 0L, Bursae and Ligaments 0M): there the
        // surgeon names the Body Part Key's structure ("quadriceps",
        // "deltoid", "common peroneal nerve"); an organ's biopsy is reached
        // by the Index's own subterms ("Excision > Stomach 0DB6"), and the
        // word in every organ's Key texts would crowd those out.
        // So are the glands of the mouth and the endocrine glands (Mouth
        // and Throat 0C, Endocrine System 0G): the surgeon names them by
        // the Body Part Key's words, which the Index's subterms do not
        // hold ("Submandibular gland — use Submaxillary Gland": a
        // "submandibular gland biopsy" is 0CBG, Diagnostic); only the
        // glands' key texts take the words (`add_body_part_key`).
        let tissue = matches!(
            prefix.get(..2),
            Some("01" | "0J" | "0K" | "0L" | "0M" | "0C" | "0G")
        );
        let read = |r: &ValueReference| r.operation == operation && (r.axis != 3 || tissue);
        for (key, r) in references.iter().filter(|(_, r)| read(r)) {
            for row in &table.rows {
                let allows = row.get(r.axis).is_some_and(|a| {
                    a.values
                        .iter()
                        .any(|v| v.label.eq_ignore_ascii_case(&r.value))
                });
                let Some(body) = row.first().filter(|_| allows) else {
                    continue;
                };
                for v in &body.values {
                    let list = out.entry(format!("{prefix}{}", v.character)).or_default();
                    for w in key.iter().flat_map(|k| index_words(k)) {
                        if !list.contains(&w) {
                            list.push(w);
                        }
                    }
                }
            }
        }
    }
    out
}

/// A tendon by its muscle's name: the Body Part Key names the muscles each
/// Muscles (0K) value includes ("Lower Leg Muscle" includes "Tibialis
/// posterior muscle", "Peroneus longus muscle") but gives the Tendons (0L)
/// values few names ("Lower Leg Tendon" includes only "Achilles tendon");
/// the Tendons values are the Muscles' regions ("Lower Leg Tendon, Right"
/// beside "Lower Leg Muscle, Right"), so a muscle's tendon is the tendon
/// value of its muscle's region: "posterior tibial tendon transfer" is the
/// Transfer of the Lower Leg Tendon (0LXN). For a Tendons row, the muscle
/// names of its region as tendons ("Tibialis posterior tendon"). Those
/// texts take no Index operation or value words: thousands of texts holding
/// "biopsy" or "tenolysis" would crowd the Index's own out of the candidates.
pub(super) fn muscles_tendons(pcs: &IcdPcs, prefix: &str, label: &str) -> Vec<String> {
    if !prefix.starts_with("0L") || !label.contains(" Tendon") {
        return Vec::new();
    }
    let muscle = label.replace(" Tendon", " Muscle");
    let Some(def) = pcs.definitions.get('0', 4, &muscle) else {
        return Vec::new();
    };
    def.includes
        .iter()
        .filter_map(|i| i.strip_suffix(" muscle"))
        .map(|name| format!("{name} tendon"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_with_a_value_names_its_operation_axis_and_value() {
        let r = value_reference("Excision with qualifier Diagnostic").unwrap();
        assert_eq!((r.operation.as_str(), r.axis), ("excision", 3));
        assert_eq!(r.value, "diagnostic");
        let r = value_reference("Occlusion using Extraluminal Device").unwrap();
        assert_eq!((r.operation.as_str(), r.axis), ("occlusion", 2));
        assert_eq!(r.value, "extraluminal device");
        let r = value_reference("Insertion with device Radioactive Element").unwrap();
        assert_eq!((r.operation.as_str(), r.axis), ("insertion", 2));
        // A reference to a table names no value.
        assert_eq!(value_reference("Excision, Ear, Nose, Sinus"), None);
        assert_eq!(value_reference("Destruction"), None);
    }

    #[test]
    fn biopsy_goes_with_every_row_that_allows_diagnostic() {
        let pcs = IcdPcs::load_bundled().unwrap();
        let ix = crate::codeset::load_pcs_index().unwrap();
        let by_row = value_reference_words(&pcs, &ix);
        let has = |row: &str, w: &str| by_row.get(row).is_some_and(|l| l.iter().any(|x| x == w));
        // "Biopsy — see Excision with qualifier Diagnostic": table 0KB,
        // Upper Leg Muscle, Right (Q) and Left (R); Shoulder Muscle (5, 6);
        // Lower Leg Muscle (S); table 0LB Lower Leg Tendon (N); 01B
        // Peroneal Nerve (H); 0MB Knee Bursa and Ligament, Right (N).
        for row in [
            "0KBQ", "0KBR", "0KB5", "0KB6", "0KBS", "0LBN", "01BH", "0MBN",
        ] {
            assert!(has(row, "biopsy"), "{row}");
        }
        // An organ's biopsy is the Index's own subterm, and Drainage and
        // Extraction are left out where Excision is named.
        assert!(!has("0DB6", "biopsy") && !has("0HBT", "biopsy"));
        assert!(!has("0K9Q", "biopsy") && !has("0F90", "biopsy"));
        // "Punch biopsy — see Excision with qualifier Diagnostic": the
        // subcutaneous tissue (0JB, Right Upper Leg L).
        assert!(has("0JBL", "punch"));
        // "Clipping, aneurysm — see Occlusion using Extraluminal Device":
        // the Intracranial Artery (03LG) allows device C.
        assert!(has("03LG", "clipping") && has("03LG", "aneurysm"));
        // Resection has no Diagnostic qualifier: no biopsy there.
        assert!(!has("0KTQ", "biopsy"));
    }
}
