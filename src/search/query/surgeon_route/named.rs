//! Named procedures whose root operation and body part the surgeon's words
//! do not spell: a vessel cleared of a clot or plaque, a nerve or the spinal
//! cord decompressed through a laminectomy, a bleed in the digestive tract
//! stopped, an aneurysm lined with a stent graft from inside, a torn tendon
//! sewn, an arm fistula, an irrigation, a lymph node by its site. Each reader looks for its trigger words first and returns the words
//! unchanged when they are absent.

use super::operations::{has, split};

/// Every reader of this file, in turn.
pub(super) fn read(words: Vec<String>) -> Vec<String> {
    let words = bleeding_control(nerve_decompression(vessel_extirpation(words)));
    let words = av_fistula(tendon_repair(endovascular_aneurysm(words)));
    lymph_node_site(irrigation_site(words))
}

/// Words of the approach a reader keeps when it rewrites the rest.
fn approach_word(w: &str) -> bool {
    matches!(
        w,
        "open"
            | "percutaneous"
            | "endovascular"
            | "endoscopic"
            | "endoscopically"
            | "laparoscopic"
            | "egd"
            | "ercp"
            | "transcatheter"
            | "transurethral"
            | "external"
    ) || w.ends_with("oscopy")
        || w.ends_with("oscopic")
}

/// Body Part Key, Intracranial Artery: "Anterior cerebral artery, ...
/// Basilar artery, Circle of Willis, ... Middle cerebral artery, ...
/// Posterior cerebral artery, Posterior communicating artery, Posterior
/// inferior cerebellar artery (PICA)". The word that names the artery and
/// the words before it that belong to its name.
fn intracranial_at(words: &[String], i: usize) -> Option<usize> {
    let w = words[i].as_str();
    let before =
        |k: usize| i >= k && matches!(words[i - k].as_str(), "anterior" | "middle" | "posterior");
    match w {
        "basilar" | "pica" | "mca" => Some(0),
        "cerebral" | "communicating" if before(1) => Some(1),
        "willis" if i >= 1 && words[i - 1] == "circle" => Some(1),
        _ => None,
    }
}

/// The Index's main terms for taking a clot or plaque out of a vessel: PCS
/// Index "Thrombectomy — see Extirpation", "Embolectomy — see Extirpation",
/// "Endarterectomy — see Extirpation, Upper Arteries 03C; Lower Arteries
/// 04C".
const EXTIRPATION: [&str; 5] = [
    "thrombectomy",
    "embolectomy",
    "endarterectomy",
    "thromboendarterectomy",
    "atherectomy",
];

/// Words of a patch sewn in after an endarterectomy: the patch is its own
/// procedure (Supplement, PCS Index "Patch — see Supplement"), coded beside
/// the Extirpation, so its words do not choose the first code.
const PATCH: [&str; 8] = [
    "patch",
    "angioplasty",
    "synthetic",
    "dacron",
    "bovine",
    "pericardial",
    "prosthetic",
    "ptfe",
];

/// A clot or plaque taken out of an artery (Definitions, Extirpation: "Taking
/// or cutting out solid matter from a body part"):
/// - the cerebral arteries are one body part, the Intracranial Artery (Body
///   Part Key), so "middle cerebral" is "intracranial" and never the Middle
///   Colic Artery;
/// - "common femoral" and "superficial femoral" are the Femoral Artery (Body
///   Part Key: the femoral artery value holds both; the deep femoral too);
/// - a mechanical or aspiration thrombectomy is done through a catheter put
///   in by a puncture: the Percutaneous approach (Definitions, approach 3);
/// - an endarterectomy's patch is coded apart (Supplement): its words go.
pub(super) fn vessel_extirpation(words: Vec<String>) -> Vec<String> {
    if !has(&words, &EXTIRPATION) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let endarterectomy = words.iter().any(|w| w.ends_with("endarterectomy"));
    let named = words
        .iter()
        .any(|w| matches!(w.as_str(), "percutaneous" | "open" | "endovascular"));
    let mut keep = vec![true; words.len()];
    // Where "intracranial" stands for the words of a cerebral artery's name.
    let mut intracranial = vec![false; words.len()];
    for i in 0..words.len() {
        let w = words[i].as_str();
        if let Some(k) = intracranial_at(&words, i) {
            (i - k..=i).for_each(|j| keep[j] = false);
            intracranial[i] = true;
        } else {
            let femoral_part = matches!(w, "common" | "superficial")
                && words.get(i + 1).is_some_and(|n| n == "femoral");
            keep[i] = !(femoral_part || (endarterectomy && PATCH.contains(&w)));
        }
    }
    let catheter_at = |i: usize| {
        matches!(words[i].as_str(), "mechanical" | "aspiration")
            && words
                .get(i + 1)
                .is_some_and(|n| n == "thrombectomy" || n == "embolectomy")
    };
    // Nothing to read: the words as typed (their phrases whole).
    if keep.iter().all(|&k| k) && (named || !(0..words.len()).any(catheter_at)) {
        return typed;
    }
    let mut out = Vec::with_capacity(words.len() + 2);
    for (i, w) in words.iter().enumerate() {
        let catheter = matches!(w.as_str(), "mechanical" | "aspiration")
            && words
                .get(i + 1)
                .is_some_and(|n| n == "thrombectomy" || n == "embolectomy");
        if catheter && !named {
            out.push("percutaneous".to_string());
        } else if keep[i] {
            out.push(w.clone());
        }
        if intracranial[i] {
            out.push("intracranial".to_string());
        }
    }
    if !out
        .iter()
        .any(|w| w == "artery" || w == "arteries" || w == "vein")
    {
        out.push("artery".to_string());
    }
    out
}

/// The spinal levels' letters: C cervical, T thoracic, L lumbar, S sacral.
fn region_of(w: &str) -> Option<&'static str> {
    let level =
        |p: char| w.len() >= 2 && w.starts_with(p) && w[1..].chars().all(|c| c.is_ascii_digit());
    Some(match w {
        "cervical" => "cervical",
        "thoracic" => "thoracic",
        "lumbar" | "lumbosacral" => "lumbar",
        "sacral" => "sacral",
        _ if level('c') => "cervical",
        _ if level('t') => "thoracic",
        _ if level('l') => "lumbar",
        _ if level('s') => "sacral",
        _ => return None,
    })
}

/// Words that say a decompression. PCS Index "Laminectomy — see Release
/// 00N, 01N; see Excision 0PB, 0QB": when the words say what was
/// decompressed, that is the procedure (guideline B3.1b: "Components of a
/// procedure specified in the root operation definition and explanation
/// are not coded separately"), and the laminectomy, laminotomy or
/// foraminotomy done to reach it is not coded: its words go.
const DECOMPRESSION: [&str; 4] = [
    "decompression",
    "decompressed",
    "decompress",
    "decompressive",
];

/// A nerve root, the spinal cord or the cauda equina decompressed
/// (Definitions, Release: "Freeing a body part from an abnormal physical
/// constraint"; the PCS Index "Laminectomy — see Release"): Release of the
/// level's spinal nerve (01N: Cervical 1, Thoracic 8, Lumbar B, Sacral R)
/// or of the spinal cord (00N: Cervical W, Thoracic X, Lumbar Y; Body Part
/// Key: "Cauda equina" and "Conus medullaris" are the Lumbar Spinal Cord).
/// A named peripheral nerve decompressed ("decompression of the median
/// nerve") is its Release too (Definitions, Release example: "Carpal tunnel
/// release").
pub(super) fn nerve_decompression(words: Vec<String>) -> Vec<String> {
    if !has(&words, &DECOMPRESSION) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let cord = has(&words, &["cord", "cauda", "conus", "thecal"]);
    let root = words
        .windows(2)
        .any(|p| p[0] == "nerve" && p[1].starts_with("root"));
    if !cord && !root {
        if !has(&words, &["nerve", "nerves"]) {
            return typed;
        }
        // A peripheral nerve: the nerve's own words name the body part.
        return words
            .into_iter()
            .map(|w| {
                if DECOMPRESSION.contains(&w.as_str()) {
                    "release".to_string()
                } else {
                    w
                }
            })
            .collect();
    }
    let region = if has(&words, &["cauda", "conus"]) {
        Some("lumbar")
    } else {
        words.iter().find_map(|w| region_of(w))
    };
    let Some(region) = region else {
        return typed;
    };
    let target = match (cord, region) {
        (true, "sacral") => "lumbar spinal cord".to_string(),
        (true, r) => format!("{r} spinal cord"),
        (false, r) => format!("{r} nerve"),
    };
    let mut out = vec!["release".to_string()];
    out.extend(words.into_iter().filter(|w| approach_word(w)));
    out.extend(target.split(' ').map(String::from));
    out
}

/// Words that say bleeding.
const BLEEDING: [&str; 7] = [
    "bleeding",
    "bleed",
    "bleeder",
    "hemorrhage",
    "hemorrhaging",
    "hemostasis",
    "oozing",
];

/// How an endoscopist stops a bleed without taking anything out: clips,
/// an injection, heat.
const STOPPED_BY: [&str; 18] = [
    "clip",
    "clips",
    "clipping",
    "clipped",
    "hemoclip",
    "hemoclips",
    "endoclip",
    "injection",
    "epinephrine",
    "cautery",
    "cauterization",
    "cauterized",
    "coagulation",
    "electrocoagulation",
    "apc",
    "hemostasis",
    "hemostatic",
    "control",
];

/// Sites of the digestive tract a bleed is named by.
const DIGESTIVE: [&str; 22] = [
    "stomach",
    "gastric",
    "duodenal",
    "duodenum",
    "esophageal",
    "esophagus",
    "colon",
    "colonic",
    "rectal",
    "rectum",
    "jejunal",
    "ileal",
    "cecal",
    "dieulafoy",
    "ulcer",
    "polypectomy",
    "mallory",
    "gi",
    "gastrointestinal",
    "diverticular",
    "egd",
    "colonoscopy",
];

/// Words that take the bleeding part out or close a vein: then the bleed is
/// stopped by that root operation, not Control (guideline B3.7: "If an
/// attempt to stop postprocedural or other acute bleeding is unsuccessful,
/// and to stop the bleeding requires performing a more definitive root
/// operation, such as Bypass, Detachment, Excision, Extraction,
/// Reposition, Replacement, or Resection, then root operation Control is
/// not coded"); varices banded are an Occlusion (PCS Index "Banding —
/// see Occlusion").
const DEFINITIVE: [&str; 8] = [
    "resection",
    "excision",
    "gastrectomy",
    "colectomy",
    "varices",
    "variceal",
    "banding",
    "embolization",
];

/// A bleed in the digestive tract stopped by clips, an injection or heat:
/// Control, Gastrointestinal Tract (PCS Index "Control bleeding in,
/// Gastrointestinal Tract 0W3P"; Definitions, Control: "Stopping, or
/// attempting to stop, postprocedural or other acute bleeding"; guideline
/// B3.7: Control is coded in the anatomical regions, table 0W3).
pub(super) fn bleeding_control(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let any = |list: &[&str]| flat.iter().any(|w| list.contains(&w.as_str()));
    if !any(&BLEEDING) || !any(&STOPPED_BY) || !any(&DIGESTIVE) || any(&DEFINITIVE) {
        return words;
    }
    let mut out: Vec<String> = ["control", "bleeding", "gastrointestinal", "tract"]
        .iter()
        .map(|w| w.to_string())
        .collect();
    out.extend(flat.into_iter().filter(|w| approach_word(w)));
    out
}

/// Words of a graft put in from inside the vessel.
const ENDOGRAFT: [&str; 5] = [
    "endovascular",
    "endograft",
    "endoprosthesis",
    "evar",
    "tevar",
];

/// An aneurysm lined from inside with a stent graft: PCS Index "EVAR
/// (endovascular aneurysm repair) — see Restriction", "Endovascular
/// aneurysm repair — see Restriction"; the graft is an Intraluminal Device
/// (Device Key: "Endologix AFX Endovascular AAA System — Intraluminal
/// Device"). The aorta by the tables' name ("aortic" is Aorta).
pub(super) fn endovascular_aneurysm(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let any = |list: &[&str]| flat.iter().any(|w| list.contains(&w.as_str()));
    let stent_graft = flat.windows(2).any(|p| p[0] == "stent" && p[1] == "graft");
    if !any(&["aneurysm", "aneurysms"]) || !(any(&ENDOGRAFT) || stent_graft) {
        return words;
    }
    // Coils, a clip or a clot taken out are another operation in the same
    // artery ("Embolization — see Occlusion"; "Embolization coil(s) — use
    // Intraluminal Device"; "Clipping, aneurysm — see Occlusion using
    // Extraluminal Device"; "Thrombectomy — see Extirpation").
    if any(&[
        "coil",
        "coils",
        "coiled",
        "coiling",
        "embolization",
        "embolized",
        "clip",
        "clipping",
        "clipped",
        "thrombectomy",
    ]) {
        return words;
    }
    let mut out = vec!["restriction".to_string()];
    for w in &flat {
        match w.as_str() {
            "repair" | "repaired" | "aneurysm" | "aneurysms" | "stent" | "graft" | "endograft"
            | "endoprosthesis" => {}
            "aortic" => out.push("aorta".to_string()),
            // EVAR and TEVAR are endovascular: through a puncture
            // (Definitions, approach 3 Percutaneous), said once.
            "endovascular" | "evar" | "tevar" | "percutaneous" => {
                if !out.iter().any(|o| o == "percutaneous") {
                    out.push("percutaneous".to_string());
                }
            }
            _ => out.push(w.clone()),
        }
    }
    out.extend(["intraluminal", "device"].iter().map(|w| w.to_string()));
    out
}

/// Tendons the Body Part Key does not name (it names "Achilles tendon", the
/// Lower Leg Tendon, and "Patellar tendon", the Knee Tendon, and the search
/// reads those through it): the quadriceps and hamstring tendons are the
/// upper leg's (their muscles are the Upper Leg Muscle).
fn tendon_region(w: &str) -> Option<&'static str> {
    Some(match w {
        "quadriceps" | "quad" | "hamstring" => "upper leg",
        _ => return None,
    })
}

/// What happened to the tendon: the diagnosis's words, not the procedure's
/// (the PCS Index "Rupture — see Release" is an adhesion's rupture).
const TORN: [&str; 5] = ["ruptured", "rupture", "torn", "tear", "complete"];

/// A torn tendon sewn back together is Repair (Definitions: "Restoring, to
/// the extent possible, a body part to its normal anatomic structure and
/// function"; the PCS Index "Tenorrhaphy — see Repair"), with the tendon
/// by its Body Part Key value. Reattachment ("Putting back in or on all or
/// a portion of a separated body part") is kept for the words that say it.
pub(super) fn tendon_repair(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let any = |list: &[&str]| flat.iter().any(|w| list.contains(&w.as_str()));
    if !any(&["tendon", "tendons"]) || !any(&["repair", "repaired", "tenorrhaphy"]) {
        return words;
    }
    if any(&[
        "reattachment",
        "reattach",
        "reattached",
        "anchor",
        "anchors",
        "avulsion",
        "avulsed",
    ]) {
        return words;
    }
    let mut out = Vec::with_capacity(flat.len() + 2);
    for w in &flat {
        if TORN.contains(&w.as_str()) {
            continue;
        }
        match tendon_region(w) {
            Some(r) => out.extend(r.split(' ').map(String::from)),
            None => out.push(w.clone()),
        }
    }
    out
}

/// The arm's arteries a fistula is made from.
const ARM_ARTERIES: [&str; 3] = ["radial", "ulnar", "brachial"];

/// An arteriovenous fistula written as "artery to vein": PCS Index
/// "Fistulization — see Bypass"; in table 031 the artery is the body part
/// and the vein the qualifier, by where the vein is (Radial and Ulnar
/// Artery: F Lower Arm Vein; Brachial Artery: D Upper Arm Vein, F Lower
/// Arm Vein). The cephalic or basilic vein is named by its arm segment: the
/// forearm's (wrist, forearm, or a forearm artery) or the upper arm's.
pub(super) fn av_fistula(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let any = |list: &[&str]| flat.iter().any(|w| list.contains(&w.as_str()));
    let artery = flat.iter().find(|w| ARM_ARTERIES.contains(&w.as_str()));
    let (Some(artery), true, true) = (artery, any(&["fistula"]), any(&["cephalic", "basilic"]))
    else {
        return words;
    };
    let forearm = artery != "brachial" || any(&["wrist", "forearm"]);
    let mut out: Vec<String> = vec!["arteriovenous".into(), "fistula".into()];
    out.extend(
        flat.iter()
            .filter(|w| matches!(w.as_str(), "left" | "right") || approach_word(w))
            .cloned(),
    );
    out.push(artery.clone());
    out.push("artery".into());
    let vein = if forearm {
        "lower arm vein"
    } else {
        "upper arm vein"
    };
    out.extend(vein.split(' ').map(String::from));
    out
}

/// Where fluid is run in and out (the catheter or tube it goes through is
/// the approach, not a body part), by the table 3E1 body system or region
/// the site's words name, and the approach that region's irrigation takes
/// when the words name none: through the urethra, the mouth or nose (Via
/// Natural or Artificial Opening), on the eye or a wound's surface
/// (External: Definitions, "Procedures performed directly on the skin or
/// mucous membrane").
fn irrigated(w: &str) -> Option<(&'static str, &'static str)> {
    const OPENING: &str = "via natural artificial opening";
    Some(match w {
        "bladder" | "urinary" | "cystostomy" | "foley" => ("genitourinary tract", OPENING),
        "eye" | "eyes" | "ocular" | "conjunctival" => ("eye", "external"),
        "wound" | "skin" => ("skin mucous membranes", "external"),
        "gastric" | "stomach" | "nasogastric" => ("upper gi", OPENING),
        "peritoneal" | "peritoneum" => ("peritoneal cavity", ""),
        "pleural" => ("pleural cavity", ""),
        _ => return None,
    })
}

/// Irrigation of a site (PCS Index "Irrigation", "Lavage — see Irrigation";
/// Definitions, Irrigation: "Putting in or on a cleansing substance"): the
/// table 3E1 region the site is in, Irrigating Substance. A bronchoalveolar
/// lavage is not one (Index: "Lavage, bronchial alveolar, diagnostic — see
/// Drainage").
pub(super) fn irrigation_site(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let any = |list: &[&str]| flat.iter().any(|w| list.contains(&w.as_str()));
    if !any(&["irrigation", "irrigated", "lavage"])
        || any(&["bronchial", "bronchoalveolar", "alveolar", "bal"])
    {
        return words;
    }
    let Some((region, approach)) = flat.iter().find_map(|w| irrigated(w)) else {
        return words;
    };
    let mut out = vec!["irrigation".to_string()];
    out.extend(region.split(' ').map(String::from));
    let named: Vec<String> = flat
        .iter()
        .filter(|w| approach_word(w) || w.as_str() == "diagnostic")
        .cloned()
        .collect();
    let approach_named = named.iter().any(|w| w != "diagnostic");
    out.extend(named);
    if !approach_named {
        out.extend(
            approach
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from),
        );
    }
    out
}

/// The Body Part Key's lymph nodes by the table 07 body part value that
/// holds them ("Lymphatic, Left Axillary: Central axillary lymph node,
/// Pectoral (anterior) lymph node ...", "Lymphatic, Right Neck: Cervical
/// lymph node, Jugular lymph node, Supraclavicular (Virchow's) lymph node",
/// "Lymphatic, Thorax: Mediastinal lymph node, Paratracheal lymph node",
/// "Lymphatic, Aortic: Paraaortic lymph node, Retroperitoneal lymph node",
/// "Lymphatic, Pelvis: Iliac lymph node, Obturator lymph node", "Lymphatic,
/// Right Lower Extremity: Femoral lymph node, Popliteal lymph node",
/// "Lymphatic, Right Upper Extremity: Epitrochlear lymph node"); the
/// inguinal and internal mammary nodes have values of their own.
fn lymphatic_region(w: &str) -> Option<&'static str> {
    Some(match w {
        "axillary" | "pectoral" | "subscapular" | "subclavicular" => "axillary",
        "cervical" | "jugular" | "supraclavicular" | "occipital" | "postauricular"
        | "retropharyngeal" => "neck",
        "mediastinal" | "paratracheal" | "tracheobronchial" | "subcarinal" | "parasternal"
        | "intercostal" => "thorax",
        "paraaortic" | "retroperitoneal" | "celiac" => "aortic",
        "mesenteric" => "mesenteric",
        "iliac" | "obturator" | "pelvic" => "pelvis",
        "femoral" | "popliteal" => "lower extremity",
        "epitrochlear" | "cubital" => "upper extremity",
        "inguinal" => "inguinal",
        "parotid" | "submandibular" | "submental" | "preauricular" => "head",
        _ => return None,
    })
}

/// A lymph node named by its site ("left axillary lymph node"): the
/// Lymphatic body part of table 07 the Body Part Key puts it in, so a
/// biopsy, an aspiration or an excision of it finds that body part value
/// and not the first Lymphatic row of the Index entry (Head). The side
/// words stay: the values are "Lymphatic, Left Axillary".
pub(super) fn lymph_node_site(words: Vec<String>) -> Vec<String> {
    let flat = split(words.clone());
    let node_at = |i: usize| {
        flat.get(i).is_some_and(|w| w == "lymph")
            && flat.get(i + 1).is_some_and(|w| w.starts_with("node"))
    };
    let Some(at) =
        (1..flat.len()).find(|&i| node_at(i) && lymphatic_region(&flat[i - 1]).is_some())
    else {
        return words;
    };
    let region = lymphatic_region(&flat[at - 1]).unwrap_or_default();
    let mut out: Vec<String> = flat[..at - 1].to_vec();
    out.push("lymphatic".to_string());
    out.extend(region.split(' ').map(String::from));
    out.extend(flat[at + 2..].iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn run(f: fn(Vec<String>) -> Vec<String>, q: &str) -> String {
        f(index_words(q)).join(" ")
    }

    #[test]
    fn cerebral_arteries_are_the_intracranial_artery() {
        assert_eq!(
            run(
                vessel_extirpation,
                "mechanical thrombectomy of left middle cerebral artery"
            ),
            "percutaneous thrombectomy left intracranial artery"
        );
        assert_eq!(
            run(vessel_extirpation, "aspiration thrombectomy basilar artery"),
            "percutaneous thrombectomy intracranial artery"
        );
        // The femoral artery's parts are the Femoral Artery; the patch goes.
        assert_eq!(
            run(
                vessel_extirpation,
                "right common femoral endarterectomy with synthetic patch angioplasty"
            ),
            "right femoral endarterectomy with artery"
        );
        // No trigger: unchanged.
        assert_eq!(
            run(vessel_extirpation, "middle cerebral artery stroke"),
            "middle cerebral artery stroke"
        );
    }

    #[test]
    fn a_named_approach_keeps_the_typed_words() {
        assert_eq!(
            run(
                vessel_extirpation,
                "percutaneous mechanical thrombectomy left femoral artery"
            ),
            "percutaneous mechanical thrombectomy left femoral artery"
        );
    }

    #[test]
    fn a_decompression_is_the_release_of_what_was_decompressed() {
        assert_eq!(
            run(
                nerve_decompression,
                "thoracic laminectomy for decompression of T8 nerve root"
            ),
            "release thoracic nerve"
        );
        assert_eq!(
            run(
                nerve_decompression,
                "lumbar laminectomy for decompression of the cauda equina"
            ),
            "release lumbar spinal cord"
        );
        assert_eq!(
            run(
                nerve_decompression,
                "open decompression of the median nerve at the wrist"
            ),
            "open release median nerve wrist"
        );
        assert_eq!(
            run(nerve_decompression, "lumbar laminectomy"),
            "lumbar laminectomy"
        );
    }

    #[test]
    fn a_digestive_bleed_stopped_is_control() {
        assert_eq!(
            run(
                bleeding_control,
                "endoscopic clipping of bleeding Dieulafoy lesion of the stomach"
            ),
            "control bleeding gastrointestinal tract endoscopic"
        );
        assert_eq!(
            run(
                bleeding_control,
                "EGD with epinephrine injection of bleeding duodenal ulcer"
            ),
            "control bleeding gastrointestinal tract egd"
        );
        // Varices banded: an Occlusion, not Control.
        assert_eq!(
            run(
                bleeding_control,
                "EGD banding of bleeding esophageal varices"
            ),
            "egd banding bleeding esophageal varices"
        );
    }

    #[test]
    fn an_endograft_in_an_aneurysm_is_restriction() {
        assert_eq!(
            run(
                endovascular_aneurysm,
                "endovascular repair of abdominal aortic aneurysm"
            ),
            "restriction percutaneous abdominal aorta intraluminal device"
        );
        assert_eq!(
            run(endovascular_aneurysm, "open repair of aortic aneurysm"),
            "open repair aortic aneurysm"
        );
        // Coiling through a catheter is an Occlusion, not a stent graft's
        // Restriction.
        assert_eq!(
            run(
                endovascular_aneurysm,
                "endovascular coiling of basilar artery aneurysm"
            ),
            "endovascular coiling basilar artery aneurysm"
        );
    }

    #[test]
    fn a_fistula_is_the_bypass_of_its_artery_to_the_veins_arm_segment() {
        assert_eq!(
            run(
                av_fistula,
                "arteriovenous fistula left wrist radial artery to cephalic vein"
            ),
            "arteriovenous fistula left radial artery lower arm vein"
        );
        assert_eq!(
            run(
                av_fistula,
                "arteriovenous fistula right brachial artery to cephalic vein"
            ),
            "arteriovenous fistula right brachial artery upper arm vein"
        );
    }

    #[test]
    fn irrigation_is_of_the_table_3e1_region() {
        assert_eq!(
            run(irrigation_site, "bladder irrigation through Foley catheter"),
            "irrigation genitourinary tract via natural artificial opening"
        );
        assert_eq!(
            run(
                irrigation_site,
                "irrigation of the right eye with normal saline"
            ),
            "irrigation eye external"
        );
        assert_eq!(
            run(irrigation_site, "bronchoalveolar lavage right lower lobe"),
            "bronchoalveolar lavage right lower lobe"
        );
    }

    #[test]
    fn a_lymph_node_is_its_lymphatic_body_part() {
        assert_eq!(
            run(
                lymph_node_site,
                "fine needle aspiration of left axillary lymph node"
            ),
            "fine needle aspiration left lymphatic axillary"
        );
        assert_eq!(
            run(lymph_node_site, "EBUS TBNA of subcarinal lymph nodes"),
            "ebus tbna lymphatic thorax"
        );
        assert_eq!(
            run(lymph_node_site, "lymph node biopsy"),
            "lymph node biopsy"
        );
    }

    #[test]
    fn a_torn_tendon_sewn_is_repair() {
        assert_eq!(
            run(tendon_repair, "repair of ruptured left quadriceps tendon"),
            "repair left upper leg tendon"
        );
        assert_eq!(
            run(tendon_repair, "repair of ruptured right Achilles tendon"),
            "repair right achilles tendon"
        );
        assert_eq!(
            run(
                tendon_repair,
                "reattachment of ruptured distal biceps tendon with anchors repair"
            ),
            "reattachment ruptured distal biceps tendon with anchors repair"
        );
    }
}
