//! Vascular access in a surgeon's words, read as the body part the PCS
//! tables code it to, in a search of procedures:
//! - a line whose tip the words place in a central vein or the heart is
//!   coded where the tip ends (guideline B6.1b), so the vein it went in by
//!   is not the body part, wherever the words name it ("PICC placement left
//!   brachial vein with tip at the cavoatrial junction"); the cavoatrial
//!   junction is the Superior Vena Cava (Body Part Key: "Cavoatrial junction
//!   — use Superior Vena Cava");
//! - an implanted port or a tunneled catheter is coded to the subcutaneous
//!   tissue that holds it (Device Key: "Implanted (venous)(access) port",
//!   "Tunneled central venous catheter": Vascular Access Device in
//!   Subcutaneous Tissue and Fascia), so the vein is not the body part either;
//! - a French size, a length or a lumen's size ("6 Fr", "7 Fr x 26 cm",
//!   "14F") says nothing of the code and is left out.

/// Words naming a line, catheter or port.
const LINE: [&str; 12] = [
    "picc",
    "cvc",
    "cvl",
    "catheter",
    "catheters",
    "cath",
    "line",
    "lines",
    "port",
    "portacath",
    "mediport",
    "permcath",
];

/// Words naming a central site a tip ends in (tables 02H and 06H: Superior
/// Vena Cava, Atrium, Right, Inferior Vena Cava, Pulmonary Trunk).
const TIP_SITE: [&str; 8] = [
    "svc",
    "ivc",
    "cavoatrial",
    "cava",
    "atrium",
    "atrial",
    "caval",
    "pulmonary",
];

/// The veins a line goes in by (tables 05H, 06H), the clinical
/// abbreviations of the internal jugular, and "vein" itself.
const ENTRY_VEIN: [&str; 17] = [
    "subclavian",
    "axillary",
    "brachial",
    "basilic",
    "cephalic",
    "jugular",
    "ij",
    "ijv",
    "innominate",
    "brachiocephalic",
    "femoral",
    "saphenous",
    "antecubital",
    "internal",
    "external",
    "vein",
    "veins",
];

/// Words of the arm a PICC went in by: not the body part when the tip is
/// named (a port's arm is: 0JH Upper Arm).
const ENTRY_LIMB: [&str; 3] = ["arm", "forearm", "upper"];

/// Sides, as typed or abbreviated.
const SIDE: [&str; 4] = ["right", "left", "rt", "lt"];

/// Whether a word (a phrase's every word) only describes a central line:
/// "central", "venous", "line", "catheter", "CVC", "triple lumen".
fn is_line_word(w: &str) -> bool {
    w.split(' ').all(|p| {
        matches!(
            p,
            "central"
                | "venous"
                | "line"
                | "lines"
                | "catheter"
                | "catheters"
                | "cath"
                | "cvc"
                | "cvl"
                | "lumen"
                | "single"
                | "double"
                | "triple"
                | "quad"
        )
    })
}

/// The query's words without a stent's shape no table names: a "double-J"
/// (or "JJ", "DJ") ureteral stent is the Intraluminal Device.
fn without_shape(mut words: Vec<String>) -> Vec<String> {
    let stent = |w: &String| w.split(' ').any(|p| matches!(p, "stent" | "stents"));
    if !words.iter().any(stent) {
        return words;
    }
    let mut keep = vec![true; words.len()];
    for i in 0..words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map_or("", String::as_str);
        if w == "double" && next == "j" {
            keep[i] = false;
            keep[i + 1] = false;
        }
        if matches!(w, "jj" | "dj" | "doublej") {
            keep[i] = false;
        }
    }
    let mut k = keep.into_iter();
    words.retain(|_| k.next().unwrap_or(true));
    words
}

/// Words saying a device was taken out.
const REMOVAL: [&str; 7] = [
    "removal",
    "removed",
    "remove",
    "explant",
    "explanted",
    "pulled",
    "retrieval",
];

/// The regions of the trunk a port's pocket is in.
const TRUNK: [&str; 3] = ["chest", "abdomen", "abdominal"];

/// "Implantable loop recorder": the Device Key's own name for the
/// Monitoring Device ("Loop recorder, implantable"), not the Totally
/// Implantable port; the word only says it stays in.
fn implanted_recorder(mut words: Vec<String>) -> Vec<String> {
    if words.iter().any(|w| w == "recorder") {
        words.retain(|w| !matches!(w.as_str(), "implantable" | "insertable" | "implanted"));
    }
    words
}

/// Units of a size: French, centimetres, millimetres, gauge.
const UNIT: [&str; 6] = ["fr", "french", "f", "cm", "mm", "gauge"];

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// A size written as one word: "6fr", "14f", "26cm".
fn is_joined_size(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && w.get(digits..).is_some_and(|u| UNIT.contains(&u))
}

/// The query's words without sizes: a number before a unit, the unit, and
/// an "x" between two sizes.
fn without_sizes(words: Vec<String>) -> Vec<String> {
    if !words
        .iter()
        .any(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    {
        return words;
    }
    let n = words.len();
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    let mut size = vec![false; n];
    for i in 0..n {
        if is_joined_size(w(i)) {
            size[i] = true;
        }
        if is_number(w(i)) && UNIT.contains(&w(i + 1)) {
            size[i] = true;
            size[i + 1] = true;
        }
    }
    for i in 1..n {
        if w(i) == "x" && size[i - 1] && (is_number(w(i + 1)) || is_joined_size(w(i + 1))) {
            size[i] = true;
        }
    }
    // A number after "x" before its unit ("6 Fr x 26 cm") is marked above.
    words
        .into_iter()
        .zip(size)
        .filter(|(_, s)| !s)
        .map(|(w, _)| w)
        .collect()
}

/// What the words say of the access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// A line with its tip in a central site.
    Tip,
    /// A port or a tunneled catheter, in the subcutaneous tissue.
    Pocket,
}

fn access(words: &[String]) -> Option<Access> {
    let singles = || words.iter().flat_map(|w| w.split(' '));
    let line = singles().any(|w| LINE.contains(&w));
    if !line {
        return None;
    }
    let pocket = singles().any(|w| {
        matches!(
            w,
            "port" | "portacath" | "mediport" | "tunneled" | "tunnelled" | "permcath"
        )
    });
    if pocket {
        Some(Access::Pocket)
    } else if singles().any(|w| TIP_SITE.contains(&w)) {
        Some(Access::Tip)
    } else {
        None
    }
}

/// The query's words with the entry vein (and its side) left out where the
/// body part is the tip's site or the device's pocket, the cavoatrial
/// junction read as the Superior Vena Cava, and sizes left out.
pub(super) fn read(words: Vec<String>) -> Vec<String> {
    let words = implanted_recorder(without_shape(without_sizes(words)));
    let Some(access) = access(&words) else {
        return words;
    };
    let removal = words.iter().any(|w| REMOVAL.contains(&w.as_str()));
    // A central line with its tip named (not a PICC or a pulmonary artery
    // catheter, whose own words name them).
    let central_line = access == Access::Tip
        && !words
            .iter()
            .flat_map(|w| w.split(' '))
            .any(|w| matches!(w, "picc" | "swan" | "ganz" | "pulmonary" | "dialysis"));
    let mut line_said = false;
    let entry =
        |w: &str| ENTRY_VEIN.contains(&w) || (access == Access::Tip && ENTRY_LIMB.contains(&w));
    let n = words.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let w = words[i].as_str();
        // A side belongs to the entry vein after it ("left brachial vein"),
        // not to a site ("right atrium").
        let side_of_entry = SIDE.contains(&w) && words.get(i + 1).is_some_and(|x| entry(x));
        if entry(w) || side_of_entry {
            continue;
        }
        let cavoatrial = w.split(' ').any(|p| p == "cavoatrial");
        if cavoatrial {
            out.extend(["superior", "vena", "cava"].map(String::from));
        } else if w == "junction" && i > 0 && words[i - 1] == "cavoatrial" {
        } else if central_line && is_line_word(w) {
            // The line's words, however typed ("CVC", "central venous
            // line", "triple lumen catheter"), are the synonym lists' one
            // "central venous catheter" (PCS Index: "Non-tunneled central
            // venous catheter — use Infusion Device").
            if !line_said {
                out.push("central venous catheter".to_string());
                line_said = true;
            }
        } else if access == Access::Pocket && removal && TRUNK.contains(&w) {
            // Table 0JP takes a device out of the Trunk's subcutaneous
            // tissue (PCS Index: "Removal of device from, Subcutaneous Tissue
            // and Fascia, Trunk 0JPT"): the chest is in it.
            out.push("trunk".to_string());
        } else {
            out.push(words[i].clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn read_q(q: &str) -> String {
        read(index_words(q)).join(" ")
    }

    #[test]
    fn the_tips_site_is_the_body_part_wherever_the_entry_vein_is_named() {
        // Guideline B6.1b; Body Part Key: Cavoatrial junction, Superior Vena
        // Cava.
        assert_eq!(
            read_q("PICC placement left brachial vein with tip at the cavoatrial junction"),
            "picc placement with tip superior vena cava"
        );
        assert_eq!(
            read_q("6 Fr double lumen PICC right arm, tip at cavoatrial junction"),
            "double lumen picc tip superior vena cava"
        );
        // The side of the right atrium stays; the jugular's goes.
        assert_eq!(
            read_q("right IJ triple lumen central venous line, tip in right atrium"),
            "central venous catheter tip right atrium"
        );
        // No tip site: the entry vein is the body part.
        assert_eq!(
            read_q("right basilic vein PICC placement"),
            "right basilic vein picc placement"
        );
    }

    #[test]
    fn a_port_or_tunneled_catheter_is_in_its_pocket_not_the_vein() {
        assert_eq!(
            read_q("tunneled dialysis catheter placement right internal jugular"),
            "tunneled dialysis catheter placement"
        );
        // A port's arm is its body part (0JH Upper Arm).
        assert_eq!(
            read_q("left upper arm port placement"),
            "left upper arm port placement"
        );
    }

    #[test]
    fn a_removed_port_is_in_the_trunk_and_a_recorder_is_no_port() {
        assert_eq!(
            read_q("removal of implanted port, right chest"),
            "removal implanted port right trunk"
        );
        // Inserted, the chest is its own body part (0JH Chest).
        assert_eq!(
            read_q("port placement right chest"),
            "port placement right chest"
        );
        assert_eq!(
            read_q("implantable loop recorder insertion, left chest"),
            "loop recorder insertion left chest"
        );
        assert_eq!(
            read_q("left subclavian CVC, tip in the superior vena cava"),
            "central venous catheter tip superior vena cava"
        );
    }

    #[test]
    fn a_double_j_stent_is_the_stent() {
        assert_eq!(
            read_q("cystoscopy with right double-J ureteral stent placement"),
            "cystoscopy with right ureteral stent placement"
        );
        assert_eq!(
            read_q("cystoscopic insertion of double J stents in both ureters"),
            "cystoscopic insertion stents both ureters"
        );
        // Without a stent, "double" stays ("double lumen").
        assert_eq!(read_q("double j"), "double j");
    }

    #[test]
    fn sizes_are_left_out() {
        assert_eq!(
            read_q("cystoscopic placement of 6 Fr x 26 cm left ureteral stent"),
            "cystoscopic placement left ureteral stent"
        );
        assert_eq!(read_q("14F pigtail chest tube"), "pigtail chest tube");
        assert_eq!(read_q("14 Fr pigtail"), "pigtail");
        // A count is no size.
        assert_eq!(read_q("two stents"), "two stents");
        assert_eq!(read_q("CABG x3"), "cabg x3");
    }
}
