//! What a surgeon places, read for the root operation it is: a stent that
//! holds a tube open, pins that hold a reduction, a drain, a drug given by a
//! route. Each reader looks for its trigger words first.

use super::operations::{denied, has, organ_at, split};

/// Words of a stent (Device Key: "Intraluminal Device").
const STENTS: [&str; 3] = ["stent", "stents", "stenting"];

/// Other operations a stent may be part of: taken out or changed (Removal,
/// Change, Revision), or an aneurysm's endograft (Restriction, Replacement).
const NOT_DILATION: [&str; 20] = [
    "removal",
    "removed",
    "remove",
    "retrieval",
    "exchange",
    "exchanged",
    "change",
    "revision",
    "reposition",
    "repositioning",
    "graft",
    "endograft",
    "aneurysm",
    "evar",
    "tevar",
    "restriction",
    "retriever",
    "thrombectomy",
    "embolectomy",
    "extirpation",
];

/// Words of putting it in: the table's operation is Dilation, not a
/// placement (section 2's Placement is of dressings and casts).
const PLACED: [&str; 7] = [
    "placement",
    "placed",
    "place",
    "insertion",
    "inserted",
    "deployment",
    "deployed",
];

/// The stent's shape and make ("double J", "pigtail", "plastic",
/// "self-expanding"): the device value is Intraluminal Device whatever its
/// shape (Device Key), so these words name no character.
const STENT_KINDS: [&str; 9] = [
    "double",
    "j",
    "jj",
    "pigtail",
    "plastic",
    "self",
    "expanding",
    "expandable",
    "wallstent",
];

/// PCS Definitions, Dilation: "Expanding an orifice or the lumen of a
/// tubular body part ... by stretching a tubular body part using
/// intraluminal pressure"; a stent put in to hold a duct, an airway, a
/// ureter or a vessel open is its Dilation with Intraluminal Device ("PTA —
/// see Dilation"). The organ's adjective is the table's body part
/// ("biliary stent": Common Bile Duct; "esophageal": Esophagus).
pub(super) fn stent_dilation(words: Vec<String>) -> Vec<String> {
    if !has(&words, &STENTS) || has(&words, &NOT_DILATION) {
        return words;
    }
    // Phrase words ("bare metal stent") are kept whole: the lists know them.
    let names_stent = |w: &String| w.split(' ').any(|p| STENTS.contains(&p));
    let Some(at) = words.iter().position(names_stent) else {
        return words;
    };
    if denied(&words, at) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    let dilation = ["dilation", "angioplasty", "pta", "ptca", "pci"];
    if !has(&words, &dilation) {
        out.push("dilation".to_string());
    }
    for (i, w) in words.iter().enumerate() {
        if PLACED.contains(&w.as_str()) || STENT_KINDS.contains(&w.as_str()) {
            continue;
        }
        match organ_at(&words, i) {
            Some(o) => {
                for p in o.split(' ') {
                    if !out.iter().any(|x| x == p) {
                        out.push(p.to_string());
                    }
                }
            }
            None => out.push(w.clone()),
        }
    }
    out
}

/// Pins and wires that hold a bone (Device Key: "Kirschner wire (K-wire) —
/// use Internal Fixation Device").
const PINS: [&str; 7] = [
    "pinning", "pinned", "pin", "pins", "kwire", "kwires", "wires",
];

/// Words of a reduction (PCS Index: "Reduction, Fracture — see
/// Reposition"); "CRPP" is closed reduction and percutaneous pinning.
const REDUCED: [&str; 5] = ["reduction", "reduced", "reposition", "crpp", "orif"];

/// PCS Definitions, Reposition: "Moving to its normal location ... all or a
/// portion of a body part", includes "fracture reduction": a reduction held
/// with pins is the Reposition with the Internal Fixation Device. Pins put
/// in without a reduction ("pinning in situ", "without reduction") only
/// hold the bone: Insertion ("Putting in a nonbiological appliance"), table
/// 0PH/0QH, of the bone without the fracture's words.
pub(super) fn pinning(words: Vec<String>) -> Vec<String> {
    if !has(&words, &PINS) {
        return words;
    }
    let words = split(words);
    // (Split: "closed reduction" is read by its words here.)
    let reduced = words
        .iter()
        .enumerate()
        .any(|(i, w)| REDUCED.contains(&w.as_str()) && !denied(&words, i));
    let in_situ = words.windows(2).any(|p| p[0] == "in" && p[1] == "situ")
        || words.iter().any(|w| w == "situ");
    let device = ["internal", "fixation", "device"].map(String::from);
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 3);
    if reduced && !in_situ {
        for (i, w) in words.iter().enumerate() {
            let pin = |w: &str| PINS.contains(&w) || w == "k";
            let with_pins = w == "with" && words.get(i + 1).is_some_and(|n| pin(n));
            // A supracondylar fracture is of the distal humerus or femur
            // (Body Part Key: "Distal humerus — use Humeral Shaft").
            if w == "supracondylar" {
                out.push("distal".to_string());
            } else if !pin(w) && !with_pins {
                out.push(w.clone());
            }
        }
        if !out
            .iter()
            .any(|w| w == "reposition" || w == "crpp" || w == "orif")
        {
            out.insert(0, "reposition".to_string());
        }
    } else {
        out.push("insertion".to_string());
        for (i, w) in words.iter().enumerate() {
            let drop = PINS.contains(&w.as_str())
                || REDUCED.contains(&w.as_str())
                || matches!(w.as_str(), "k" | "situ" | "fracture" | "fractures" | "fx")
                || (DENY_WORDS.contains(&w.as_str())
                    && words
                        .get(i + 1)
                        .is_some_and(|n| REDUCED.contains(&n.as_str())));
            if !drop {
                out.push(w.clone());
            }
        }
    }
    out.extend(device);
    out
}

const DENY_WORDS: [&str; 3] = ["without", "no", "not"];

/// Words of a drain left in (the Device Key and the PCS Index: "Thoracostomy
/// tube — use Drainage Device").
const DRAINS: [&str; 2] = ["drain", "drains"];

/// Body cavities a drain is put in, by the adjective a note uses: the
/// tables drain the cavity (0W9 Pleural Cavity, Peritoneal Cavity, Pelvic
/// Cavity, Pericardial Cavity), not the membrane around it (0B9 Pleura, 0D9
/// Peritoneum).
const CAVITIES: [&str; 4] = ["pleural", "peritoneal", "pelvic", "pericardial"];

/// Words that name how the drain went in: with one of them typed, the
/// approach is theirs.
fn names_an_approach(w: &str) -> bool {
    matches!(
        w,
        "open"
            | "percutaneous"
            | "perc"
            | "laparoscopic"
            | "lap"
            | "thoracoscopic"
            | "vats"
            | "incision"
            | "incised"
            | "id"
            | "burr"
            | "twist"
    ) || w.ends_with("oscopic")
        || w.ends_with("oscopy")
        || w.ends_with("otomy")
}

/// "Lumbar drain placement", "left pleural drain insertion": a drain put in
/// is a Drainage with the Drainage Device (ICD-10-PCS guideline B6.2: "A
/// separate procedure to put in a drainage device is coded to the root
/// operation Drainage with the device value Drainage Device"; the PCS
/// Index: "Intubation, Drainage device — see Drainage"), not an Insertion;
/// and a drain put in with no incision or scope named goes in "by puncture
/// or minor incision" (PCS Definitions, Percutaneous approach). The cavity
/// an adjective names is the body part ("pleural" drain: Pleural Cavity).
pub(super) fn drain_placement(words: Vec<String>) -> Vec<String> {
    // Not "place": a drain "left in place" stayed after another procedure.
    let put_in = ["placement", "placed", "insertion", "inserted", "insert"];
    // A drainage typed names the operation; its drain is the device the
    // device reader finds.
    if !has(&words, &DRAINS) || !has(&words, &put_in) || has(&words, &["drainage", "drained"]) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let removed = [
        "removal", "removed", "remove", "change", "exchange", "shunt",
    ];
    if words.iter().enumerate().any(|(i, w)| {
        (DRAINS.contains(&w.as_str()) && denied(&words, i)) || removed.contains(&w.as_str())
    }) {
        return typed;
    }
    let open = words.iter().any(|w| names_an_approach(w));
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 3);
    for (i, w) in words.iter().enumerate() {
        if put_in.contains(&w.as_str()) {
            continue;
        }
        out.push(w.clone());
        let next = words.get(i + 1).map(String::as_str);
        if CAVITIES.contains(&w.as_str()) && next != Some("cavity") {
            out.push("cavity".to_string());
        }
    }
    // A ventricular drain's operation, body part and device are
    // `ventricular_drain`'s words.
    if !has(&out, &["ventricular", "evd", "ventriculostomy"]) {
        out.extend(["drainage", "device"].map(String::from));
    }
    if !open {
        out.push("percutaneous".to_string());
    }
    out
}

/// A drain left in the cerebral ventricles ("external ventricular drain",
/// "EVD"; PCS Index: "Ventriculostomy, External drainage — see Drainage,
/// Cerebral Ventricle 0096") goes in through a burr hole: the frontal or
/// parietal site and its side are the way in, not the body part.
pub(super) fn ventricular_drain(words: Vec<String>) -> Vec<String> {
    if !has(&words, &["ventricular", "evd", "ventriculostomy"]) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let ventricular = words.windows(2).any(|p| {
        p[0] == "ventricular" && matches!(p[1].as_str(), "drain" | "drainage" | "catheter")
    }) || words.iter().any(|w| w == "evd" || w == "ventriculostomy");
    if !ventricular || has(&words, &["shunt"]) {
        return typed;
    }
    let mut out: Vec<String> = vec![
        "drainage".to_string(),
        "cerebral".to_string(),
        "ventricle".to_string(),
    ];
    for w in words {
        let site = matches!(
            w.as_str(),
            "right"
                | "left"
                | "frontal"
                | "parietal"
                | "occipital"
                | "kocher"
                | "kochers"
                | "external"
                | "ventricular"
                | "evd"
                | "ventriculostomy"
                | "placement"
                | "placed"
                | "burr"
                | "hole"
                | "drain"
        );
        if !site && !out.contains(&w) {
            out.push(w);
        }
    }
    out.extend(["drainage", "device"].map(String::from));
    out
}

/// Substances given, by the words of table 3E0's substance values:
/// Thrombolytic (PCS Index: "Thrombolysis, Systemic — see Introduction of
/// substance in or on ... 3E0"; tPA, alteplase and tenecteplase are
/// thrombolytics), Anti-infective, Antineoplastic.
fn substance(w: &str) -> Option<&'static str> {
    Some(match w {
        "tpa" | "alteplase" | "tenecteplase" | "tnk" | "tnkase" | "activase" | "thrombolytic"
        | "thrombolytics" | "thrombolysis" | "lytic" | "lytics" => "thrombolytic",
        "antibiotic" | "antibiotics" | "antimicrobial" | "antimicrobials" | "abx" => {
            "anti infective"
        }
        "chemotherapy" | "chemo" | "antineoplastic" | "chemotherapeutic" => "antineoplastic",
        _ => return None,
    })
}

/// The body part of the route it was given by (table 3E0: Peripheral Vein,
/// Central Vein, Peripheral Artery, Spinal Canal), through the skin:
/// Percutaneous.
fn given_route(words: &[String]) -> Option<&'static str> {
    // "central line" may reach here as one phrase word.
    let any = |list: &[&str]| has(words, list);
    if any(&["intrathecal", "intrathecally"]) {
        Some("spinal canal")
    } else if any(&["arterial", "intraarterial"]) {
        Some("peripheral artery")
    } else if any(&["central", "picc", "port", "cvc", "cvl"]) {
        Some("central vein")
    } else if any(&["iv", "intravenous", "intravenously", "peripheral", "ivpb"]) {
        Some("peripheral vein")
    } else {
        None
    }
}

/// Giving a drug is Administration (section 3), the Introduction of the
/// substance by its route: "tPA given IV through a peripheral line" is
/// 3E03317. When a substance and a route are named, the words are the
/// table's: the operation, the route's body part, the approach and the
/// substance; the rest (the indication, "given", "line") names no
/// character. A thrombolysis directed by a catheter is no Introduction
/// (PCS Index: "Thrombolysis, Catheter-directed — see Fragmentation").
pub(super) fn administration(words: Vec<String>) -> Vec<String> {
    let Some(given) = words.iter().find_map(|w| substance(w)) else {
        return words;
    };
    // "port placement for chemotherapy" puts in a device: not this reader's.
    let directed = words
        .iter()
        .any(|w| w == "directed" || w == "cdt" || w == "ekos")
        || has(&words, &PLACED)
        || has(&words, &NOT_DILATION[..3]);
    let Some(route) = given_route(&words).filter(|_| !directed) else {
        return words;
    };
    let mut out: Vec<String> = vec!["introduction".to_string()];
    out.extend(route.split(' ').map(String::from));
    out.push("percutaneous".to_string());
    out.extend(given.split(' ').map(String::from));
    out
}
