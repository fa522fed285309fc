//! The femoral artery by the names a vascular note gives its parts: the
//! superficial femoral artery ("SFA") and the common femoral artery ("CFA")
//! are the body part Femoral Artery (Body Part Key: Femoral Artery includes
//! the deep femoral artery, and the tables have no other value for the
//! femoral artery's parts), so "superficial" and "common" say no character
//! and the abbreviations are the artery's words. Read only where the words
//! dilate or stent a vessel (PCS Index: "Angioplasty — see Dilation, Lower
//! Arteries 047"), where "superficial femoral artery" would otherwise match
//! the New Technology conduit "to Superficial Femoral Artery" (X2K).
//!
//! The balloon of an angioplasty is how every Dilation stretches the vessel
//! (Definitions, Dilation: "by stretching a tubular body part using
//! intraluminal pressure"); table 047's qualifier Drug-Coated Balloon is the
//! drug's, so "balloon" without a drug ("coated", "paclitaxel", "DCB") is
//! the Dilation and no qualifier (the drug, when said, is read from the typed words:
//! `qualifiers`).

use super::has;

/// Words of a dilation of a vessel: an angioplasty (PTA: percutaneous
/// transluminal angioplasty), a stent.
const DILATED: [&str; 8] = [
    "angioplasty",
    "pta",
    "dilation",
    "dilatation",
    "stent",
    "stents",
    "stenting",
    "stented",
];

/// The abbreviations of the femoral artery's parts.
const ABBREVIATED: [&str; 2] = ["sfa", "cfa"];

/// "PTA with bare-metal stent, left SFA": "... left femoral artery".
pub(super) fn femoral_artery(words: Vec<String>) -> Vec<String> {
    if !has(&words, &DILATED) {
        return words;
    }
    let abbreviated = has(&words, &ABBREVIATED);
    let named = words
        .windows(2)
        .any(|p| matches!(p[0].as_str(), "superficial" | "common") && p[1] == "femoral");
    if !(abbreviated || named) {
        return words;
    }
    // Phrase words ("bare metal stent") are kept whole: the lists know them.
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map_or("", String::as_str);
        let part = |p: &str| matches!(p, "superficial" | "common");
        if ABBREVIATED.contains(&w.as_str()) {
            out.extend(["femoral".to_string(), "artery".to_string()]);
        } else if let Some(rest) = w
            .split_once(' ')
            .filter(|(first, rest)| part(first) && rest.starts_with("femoral"))
            .map(|(_, rest)| rest)
        {
            out.push(rest.to_string());
        } else if !(part(w) && next.starts_with("femoral")) {
            out.push(w.clone());
        }
    }
    out
}

/// Words of a drug on the balloon.
const DRUG: [&str; 5] = ["coated", "paclitaxel", "dcb", "sirolimus", "drug"];

/// "Balloon angioplasty left renal artery": "dilation angioplasty left
/// renal artery" (the Index's Angioplasty offers Dilation and Repair; the
/// balloon's stretching is the Dilation).
pub(super) fn plain_balloon_apart(mut words: Vec<String>) -> Vec<String> {
    let dilated = has(
        &words,
        &["angioplasty", "pta", "ptca", "dilation", "dilatation"],
    );
    if dilated && has(&words, &["balloon"]) && !has(&words, &DRUG) {
        for w in &mut words {
            if w == "balloon" {
                *w = "dilation".to_string();
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::{femoral_artery, plain_balloon_apart};

    #[test]
    fn a_plain_balloon_names_no_qualifier() {
        let read = |q: &str| plain_balloon_apart(words(q)).join(" ");
        assert_eq!(
            read("balloon angioplasty left renal artery"),
            "dilation angioplasty left renal artery"
        );
        assert_eq!(read("PTA drug coated balloon"), "pta drug coated balloon");
        assert_eq!(
            read("intra aortic balloon pump"),
            "intra aortic balloon pump"
        );
    }

    fn read(q: &str) -> String {
        femoral_artery(words(q)).join(" ")
    }

    #[test]
    fn the_femoral_arterys_parts_are_the_femoral_artery() {
        assert_eq!(
            read("PTA with stent, left SFA"),
            "pta with stent left femoral artery"
        );
        assert_eq!(
            read("angioplasty of left superficial femoral artery"),
            "angioplasty of left femoral artery"
        );
        assert_eq!(
            read("left CFA stent placement"),
            "left femoral artery stent placement"
        );
        assert_eq!(read("left SFA occlusion"), "left sfa occlusion");
    }
}
