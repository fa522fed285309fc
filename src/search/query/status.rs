//! "s/p X", "status post X", "h/o X": the ICD-10-CM Index files what a past
//! procedure left behind by what X is, not under the procedure's name:
//! - a device or implant is "Status (post) — see also Presence (of)":
//!   "Presence, hip-joint implant Z96.64-", "knee-joint implant Z96.65-",
//!   "shoulder-joint implant Z96.61-" (Tabular "Presence of left artificial
//!   hip joint"), "Presence, aortocoronary Z95.1" / "Status (post),
//!   aortocoronary bypass Z95.1", "Status (post), angioplasty, coronary
//!   artery, with implant Z95.5" (Tabular "Presence of coronary angioplasty
//!   implant and graft"), "Presence, cardiac, defibrillator Z95.810",
//!   "Presence, cardiac, pacemaker Z95.0", "Presence, heart valve implant,
//!   prosthetic Z95.2";
//! - an organ taken out is "Absence (organ or part) (acquired)":
//!   "Absence, intestine (acquired) Z90.49" (the appendix, the colon; the
//!   Tabular's "Acquired absence of other specified parts of digestive
//!   tract"), "Absence, spleen, acquired Z90.81", "kidney Z90.5", "uterus
//!   Z90.710" ("both cervix and uterus"), "stomach Z90.3", "lung Z90.2",
//!   "bladder Z90.6", "larynx, acquired Z90.02", "breast Z90.1-";
//! - a transplant is "Transplant(ed) (status)" (Tabular "Kidney transplant
//!   status"): the words keep their organ, "status" is added;
//! - anything else (an ostomy, a cataract extraction, a bariatric surgery)
//!   is the Index's own "Status (post)" entry, searched as typed.
//!
//! Applied in searches that hold diagnoses, to the words after the status
//! word; a family history is left alone.

/// The status words: "s/p" and "h/o" joined, the "status post" phrase.
const STATUS_WORDS: [&str; 5] = ["sp", "status post", "ho", "history", "hx"];

/// Joint replacements (PCS "Replacement, ... Joint"; the abbreviation
/// inventories: THA/THR total hip, TKA/TKR total knee, TSA total shoulder
/// arthroplasty / replacement) and the joint each names.
const JOINTS: [(&str, &str); 6] = [
    ("tha", "hip"),
    ("thr", "hip"),
    ("tka", "knee"),
    ("tkr", "knee"),
    ("tsa", "shoulder"),
    ("rtsa", "shoulder"),
];

/// Organs removed, by the "-ectomy" that removes them, and the words of
/// the acquired-absence title the Index leads to (see the module note).
const REMOVED: [(&str, &str); 14] = [
    ("appendectomy", "acquired absence digestive tract"),
    ("colectomy", "acquired absence digestive tract"),
    ("hemicolectomy", "acquired absence digestive tract"),
    ("cholecystectomy", "acquired absence digestive tract"),
    ("splenectomy", "acquired absence spleen"),
    ("nephrectomy", "acquired absence kidney"),
    ("hysterectomy", "acquired absence cervix uterus"),
    ("gastrectomy", "acquired absence stomach"),
    ("pneumonectomy", "acquired absence lung"),
    ("lobectomy", "acquired absence lung"),
    ("cystectomy", "acquired absence bladder"),
    ("laryngectomy", "acquired absence larynx"),
    ("mastectomy", "acquired absence breast"),
    ("pancreatectomy", "acquired absence pancreas"),
];

/// Devices and implants (the abbreviation inventories: AICD automatic
/// implantable cardioverter-defibrillator, PPM permanent pacemaker, CABG
/// coronary artery bypass graft, PCI percutaneous coronary intervention)
/// and the words of the Presence title.
const DEVICES: [(&str, &str); 9] = [
    ("cabg", "presence aortocoronary bypass graft"),
    ("stent", "presence coronary angioplasty implant"),
    ("stents", "presence coronary angioplasty implant"),
    ("aicd", "presence automatic cardiac defibrillator"),
    ("icd", "presence automatic cardiac defibrillator"),
    ("defibrillator", "presence automatic cardiac defibrillator"),
    ("pacemaker", "presence cardiac pacemaker"),
    ("ppm", "presence cardiac pacemaker"),
    ("valve", "presence prosthetic heart valve"),
];

/// The words of a status after a procedure, as the Index files it (see the
/// module note); the words as they were when none applies.
pub(super) fn read_status(words: Vec<String>, diagnoses: bool) -> Vec<String> {
    if !diagnoses {
        return words;
    }
    let Some(at) = words
        .iter()
        .position(|w| STATUS_WORDS.contains(&w.as_str()))
    else {
        return words;
    };
    if words.iter().any(|w| w == "family" || w == "fh") {
        return words;
    }
    let after: Vec<&str> = words[at + 1..].iter().flat_map(|w| w.split(' ')).collect();
    let has = |w: &str| after.contains(&w);
    let sides = after
        .iter()
        .filter(|w| matches!(**w, "left" | "right" | "bilateral"));
    let joint = JOINTS
        .iter()
        .find(|(k, _)| has(k))
        .map(|&(_, j)| j)
        .or_else(|| {
            let replaced = has("replacement") || has("arthroplasty");
            ["hip", "knee", "shoulder"]
                .into_iter()
                .find(|j| replaced && has(j))
        });
    let status: Option<Vec<String>> = if let Some(joint) = joint {
        let mut out: Vec<String> = vec!["presence".into(), "artificial".into()];
        out.extend(sides.map(|s| s.to_string()));
        out.extend([joint.to_string(), "joint".into()]);
        Some(out)
    } else if has("transplant") || has("transplanted") {
        let mut out: Vec<String> = after
            .iter()
            .filter(|w| !matches!(**w, "transplanted"))
            .map(|w| w.to_string())
            .collect();
        if !has("transplant") {
            out.push("transplant".into());
        }
        out.push("status".into());
        Some(out)
    } else if let Some(&(_, title)) = REMOVED.iter().find(|(k, _)| has(k)) {
        Some(
            title
                .split(' ')
                .map(str::to_string)
                .chain(sides.map(|s| s.to_string()))
                .collect(),
        )
    } else if let Some(&(_, title)) = DEVICES.iter().find(|(k, _)| has(k)) {
        let valve_replaced = !has("valve") || has("replacement") || has("prosthetic");
        valve_replaced.then(|| title.split(' ').map(str::to_string).collect())
    } else {
        None
    };
    match status {
        Some(status) => {
            let mut out: Vec<String> = words[..at].to_vec();
            out.extend(status);
            out
        }
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(q: &str) -> Vec<String> {
        read_status(q.split(' ').map(str::to_string).collect(), true)
    }

    #[test]
    fn a_status_is_read_by_what_the_procedure_left() {
        // Presence, hip-joint implant Z96.64- ("Presence of left artificial
        // hip joint", Z96.642).
        assert_eq!(
            read("sp left tha"),
            ["presence", "artificial", "left", "hip", "joint"]
        );
        assert_eq!(
            // "status post" is one word (a synonym key, joined).
            read_status(
                ["status post", "right", "knee", "replacement"]
                    .map(String::from)
                    .to_vec(),
                true
            ),
            ["presence", "artificial", "right", "knee", "joint"]
        );
        // Status (post), aortocoronary bypass Z95.1.
        assert_eq!(
            read("sp cabg"),
            ["presence", "aortocoronary", "bypass", "graft"]
        );
        // Absence, intestine (acquired) Z90.49; the diagnosis before stays.
        assert_eq!(
            read("appendicitis sp appendectomy"),
            ["appendicitis", "acquired", "absence", "digestive", "tract"]
        );
        // Transplant(ed) (status), kidney Z94.0.
        assert_eq!(
            read("sp kidney transplant"),
            ["kidney", "transplant", "status"]
        );
        // A valve is a prosthesis only when replaced.
        assert_eq!(
            read("sp mitral valve replacement"),
            ["presence", "prosthetic", "heart", "valve"]
        );
        assert_eq!(
            read("sp mitral valve repair"),
            ["sp", "mitral", "valve", "repair"]
        );
        // Nothing the module knows: as typed (the Index's own Status entry).
        assert_eq!(read("sp colostomy"), ["sp", "colostomy"]);
        // A family history, or a procedure search, is left alone.
        assert_eq!(read("family history cabg"), ["family", "history", "cabg"]);
        let px = read_status(vec!["sp".into(), "tha".into()], false);
        assert_eq!(px, ["sp", "tha"]);
    }
}
