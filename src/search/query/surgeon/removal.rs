//! A device taken out is a Removal (PCS Definitions, Removal: "Taking out
//! or off a device from a body part"), whatever the note says it held: in
//! "IVC filter removal, clot noted" the clot is a finding, not the solid
//! matter an Extirpation takes out.

use super::Device;
use super::negation::Raw;

/// Words saying a thing was taken out.
pub(super) const TAKEN_OUT: [&str; 12] = [
    "removal",
    "removed",
    "remove",
    "removing",
    "retrieval",
    "retrieved",
    "explant",
    "explanted",
    "explantation",
    "extraction",
    "extracted",
    "pulled",
];

/// Solid matter (PCS Definitions, Extirpation: "The solid matter may be an
/// abnormal byproduct of a biological function or a foreign body").
const SOLID_MATTER: [&str; 12] = [
    "stone", "stones", "calculus", "calculi", "clot", "clots", "thrombus", "thrombi", "embolus",
    "emboli", "bezoar", "debris",
];

/// Words a finding ends with: "clot noted".
const FINDING: [&str; 6] = [
    "noted",
    "seen",
    "found",
    "present",
    "identified",
    "visualized",
];

/// Devices a Removal takes out, beyond those `Device::named` knows: the
/// Device Key's catheters, ports, leads, pumps and stimulators, and the
/// words operative notes use for them.
pub(super) fn is_device(w: &str) -> bool {
    Device::named(w).is_some()
        || matches!(
            w,
            "catheter"
                | "catheters"
                | "port"
                | "tube"
                | "pacemaker"
                | "lead"
                | "leads"
                | "hardware"
                | "pin"
                | "pins"
                | "implant"
                | "prosthesis"
                | "spacer"
                | "expander"
                | "iud"
                | "pump"
                | "generator"
                | "stimulator"
                | "shunt"
                | "picc"
                | "device"
        )
}

/// In a search of procedures whose words say a device was taken out, the
/// solid matter named beside it (and the finding's verb) is left out of the
/// words searched, unless its own clause takes it out with no device named
/// ("stent removed; stone extracted"). Other searches keep every word.
pub(in crate::search::query) fn device_removal_apart(
    query: &str,
    words: Vec<String>,
    procedures: bool,
) -> Vec<String> {
    let pieces = |w: &String| w.split(' ').map(str::to_string).collect::<Vec<_>>();
    let matter = |w: &String| pieces(w).iter().any(|p| SOLID_MATTER.contains(&p.as_str()));
    if !procedures || !words.iter().any(matter) {
        return words;
    }
    let clause = Raw::of(query).clauses(&words);
    let in_clause = |c: u32, f: &dyn Fn(&str) -> bool| {
        words
            .iter()
            .zip(&clause)
            .any(|(w, &k)| k == c && w.split(' ').any(f))
    };
    let taken = |p: &str| TAKEN_OUT.contains(&p);
    let removal = clause
        .iter()
        .any(|&c| in_clause(c, &is_device) && in_clause(c, &taken));
    if !removal {
        return words;
    }
    let is_matter = |p: &str| SOLID_MATTER.contains(&p);
    let mut keep: Vec<bool> = words
        .iter()
        .zip(&clause)
        .map(|(w, &c)| {
            let taking = in_clause(c, &taken);
            if taking && !in_clause(c, &is_device) {
                // Its own Extirpation ("stone extracted").
                return true;
            }
            if !taking && in_clause(c, &is_matter) {
                // A clause of its own that only notes it ("stone fragments
                // noted").
                return false;
            }
            !(matter(w) || FINDING.contains(&w.as_str()))
        })
        .collect();
    // "with thrombus": the "with" goes with it.
    for i in 1..words.len() {
        if !keep[i] && matches!(words[i - 1].as_str(), "with" | "w") {
            keep[i - 1] = false;
        }
    }
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn apart(q: &str) -> String {
        device_removal_apart(q, index_words(q), true).join(" ")
    }

    #[test]
    fn matter_beside_a_device_taken_out_is_a_finding() {
        assert_eq!(
            apart("IVC filter removal, clot noted"),
            "ivc filter removal"
        );
        assert_eq!(
            apart("removal of ureteral stent, stone fragments seen"),
            "removal ureteral stent"
        );
        assert_eq!(
            apart("retrieval of IVC filter with thrombus"),
            "retrieval ivc filter"
        );
        // Its own clause takes the stone out: both stay.
        assert_eq!(
            apart("stent removed; stone extracted"),
            "stent removed stone extracted"
        );
        // No device: an Extirpation's words stay.
        assert_eq!(
            apart("ERCP with balloon extraction of stones"),
            "ercp with balloon extraction stones"
        );
        // A search of diagnoses keeps every word.
        let q = "IVC filter removal, clot noted";
        assert_eq!(
            device_removal_apart(q, index_words(q), false).join(" "),
            "ivc filter removal clot noted"
        );
    }
}
