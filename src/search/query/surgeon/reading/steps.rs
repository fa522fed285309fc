//! The steps that open and close the operative site are not the operation:
//! ICD-10-PCS guideline B3.1b, "Procedural steps necessary to reach the
//! operative site and close the operative site, including anatomical
//! structures, are also not coded separately."
//! - "... with primary closure", "with layered closure": the site closed
//!   after the operation; the words go (the Repair they would match is not
//!   coded).
//! - "craniotomy for evacuation of subdural hematoma": the craniotomy is how
//!   the site was reached, the Open approach; the operation is the
//!   evacuation (PCS Index: "Evacuation, Hematoma — see Extirpation"); an
//!   intracerebral hematoma lies in the Brain (table 00C, body part 0).

use super::has;

/// Words of the operative site's closing, after "with" or "and".
const CLOSED: [&str; 3] = ["closure", "closed", "close"];

/// The kinds of closure a note names before the word.
const CLOSURE_KINDS: [&str; 7] = [
    "primary", "layered", "layer", "skin", "wound", "incision", "simple",
];

/// "Left carotid endarterectomy with primary closure under general
/// anesthesia": "with primary closure" goes. A closure that is the whole
/// procedure ("delayed primary closure of abdominal wound", "closure of
/// patent foramen ovale") has no "with" before it and stays.
pub(super) fn closure_apart(words: Vec<String>) -> Vec<String> {
    if !has(&words, &CLOSED) {
        return words;
    }
    let n = words.len();
    let mut keep = vec![true; n];
    for i in 0..n {
        if !CLOSED.contains(&words[i].as_str()) {
            continue;
        }
        let mut start = i;
        while start > 0 && CLOSURE_KINDS.contains(&words[start - 1].as_str()) {
            start -= 1;
        }
        if start > 1 && matches!(words[start - 1].as_str(), "with" | "w" | "and") {
            (start - 1..=i).for_each(|j| keep[j] = false);
            // "closure in layers", "closed in layers".
            let mut j = i + 1;
            if words.get(j).is_some_and(|w| w == "in")
                && words.get(j + 1).is_some_and(|w| w == "layers")
            {
                keep[j] = false;
                j += 1;
            }
            if words.get(j).is_some_and(|w| w == "layers") {
                keep[j] = false;
            }
        }
    }
    let mut k = keep.into_iter();
    let mut out = words;
    out.retain(|_| k.next().unwrap_or(true));
    out
}

/// Incisions that open a cavity: the Open approach (the approach words the
/// scoring reads: `named_approach`).
const INCISIONS: [&str; 3] = ["craniotomy", "laparotomy", "thoracotomy"];

/// Words of a hematoma or clot evacuated (PCS Index: "Evacuation, Hematoma
/// — see Extirpation").
const EVACUATED: [&str; 3] = ["evacuation", "evacuated", "evacuate"];
const HEMATOMA: [&str; 4] = ["hematoma", "hematomas", "clot", "clots"];

/// "Craniotomy for evacuation of acute subdural hematoma": "open evacuation
/// of acute subdural hematoma" (the Index's Craniotomy entry, "see
/// Drainage", is the incision's own code when nothing else was done).
pub(super) fn incision_as_approach(mut words: Vec<String>) -> Vec<String> {
    if !(has(&words, &EVACUATED) && has(&words, &HEMATOMA)) {
        return words;
    }
    for w in &mut words {
        if INCISIONS.contains(&w.as_str()) {
            *w = "open".to_string();
        }
        // Within the brain's tissue: the Brain (table 00C, body part 0).
        if w == "intracerebral" || w == "intraparenchymal" {
            *w = "brain".to_string();
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::{closure_apart, incision_as_approach};

    #[test]
    fn a_closure_after_the_operation_goes() {
        let read = |q: &str| closure_apart(words(q)).join(" ");
        assert_eq!(
            read("left internal carotid artery endarterectomy with primary closure"),
            "left internal carotid artery endarterectomy"
        );
        assert_eq!(
            read("femoral endarterectomy and closure in layers"),
            "femoral endarterectomy"
        );
        assert_eq!(
            read("delayed primary closure of abdominal wound"),
            "delayed primary closure of abdominal wound"
        );
        assert_eq!(read("with closure"), "with closure");
    }

    #[test]
    fn the_incision_is_the_approach_of_an_evacuation() {
        let read = |q: &str| incision_as_approach(words(q)).join(" ");
        assert_eq!(
            read("craniotomy for evacuation of acute subdural hematoma"),
            "open for evacuation of acute subdural hematoma"
        );
        assert_eq!(read("craniotomy for tumor"), "craniotomy for tumor");
        assert_eq!(
            read("craniotomy evacuation intracerebral hematoma"),
            "open evacuation brain hematoma"
        );
    }
}
