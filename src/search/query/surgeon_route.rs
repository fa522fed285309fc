//! Where a surgeon's phrase leads in ICD-10-PCS: the root operation and body
//! part the phrase names in words the tables do not use.
//!
//! - A central line is coded where its tip lies, not where it entered
//!   (guideline B6.1b; the PCS Index: "Non-tunneled central venous catheter —
//!   use Infusion Device", "Insertion of device in, Vena Cava, Superior
//!   02HV"): "right internal jugular central line, tip in SVC" is 02HV33Z,
//!   not the internal jugular vein's 05HM33Z. When the words name a line and
//!   then its tip ("tip in", "tip at", "terminating in"), the entry vein and
//!   its side are left out and the tip's site is the body part; with no tip
//!   named, the words are searched as typed (the entry vein is the body part).
//! - In a procedure search, solid matter taken out ("extraction of common bile
//!   duct stones", "removal of foreign body") is Extirpation (Definitions:
//!   "Taking or cutting out solid matter from a body part"; the tables title
//!   it "Extirpation of Matter from ..."), not Extraction; a reconstruction
//!   with a graft is Replacement (Definitions: Replacement includes "bone
//!   graft, free skin graft"; the PCS Index: "Graft — see Replacement"); an
//!   incision and drainage of an abscess of a region is Drainage of that
//!   region's Subcutaneous Tissue and Fascia (table 0J9; Definitions: Drainage
//!   includes "incision and drainage").
//! - Also in a procedure search: imaging after "with" is coded apart, the
//!   vessel a catheter goes "via" is the access, "right and left" is the
//!   tables' Bilateral, and an amputation through a toe's or finger's base
//!   joint is the Complete level.

mod named;
pub(in crate::search::query) mod operations;
mod ossicles;
mod placements;
#[cfg(test)]
mod route_tests;

/// Rewrites a query's words (phrases kept whole) to the words of the root
/// operation and body part they lead to; `procedures`: the search is of
/// procedures only (the operation rules would change a diagnosis search).
pub(super) fn route(words: Vec<String>, procedures: bool, any_procedures: bool) -> Vec<String> {
    // A catheter's tip names where a line was placed, a procedure; in a
    // search of diagnoses only ("femoral venous catheter tip thrombus") the
    // vein and side are the diagnosis's words.
    let words = if any_procedures {
        route_to_tip(words)
    } else {
        words
    };
    if !procedures {
        return words;
    }
    let words = super::surgeon::read_operative_words(words);
    let words = named::read(operations::anesthesia_apart(operations::sizes_apart(
        ossicles::prosthesis(words),
    )));
    let words = imaging_apart(access_route(super::surgeon_body::route(words)));
    let words = graft_reconstruction(solid_matter(both_sides(words)));
    let words = operations::pelvic_abscess(operations::packing_apart(words));
    let words = amputation_level(abscess_region(words));
    root_operation(words)
}

/// The root operation and body part the surgeon's words name by what was
/// done (src/search/query/surgeon_route/operations.rs, placements.rs): a
/// hernia with or without mesh, a constraint released, a lesion or a
/// portion cut out, a valve clipped, a stent, pins, a ventricular drain, a
/// drug given by a route.
fn root_operation(words: Vec<String>) -> Vec<String> {
    use operations::{hernia_repair, lesion_excision, portion_excision, release_site, valve_clip};
    use placements::{administration, drain_placement, pinning, stent_dilation, ventricular_drain};
    let words = hernia_repair(release_site(operations::vats(operations::robot_apart(
        words,
    ))));
    let words = operations::instruments_apart(operations::biopsy_word(lesion_excision(
        portion_excision(valve_clip(words)),
    )));
    administration(ventricular_drain(drain_placement(pinning(stent_dilation(
        words,
    )))))
}

/// Words that begin the tip's site: "tip (in, at) X", "terminating in X"
/// (the stop words "in", "at", "to" are already gone).
const TIP_WORDS: [&str; 6] = [
    "tip",
    "tips",
    "terminating",
    "terminates",
    "terminated",
    "termination",
];

/// Words naming a line or catheter: only after one of them does "tip" name
/// where a catheter ends ("PICC line", "central venous catheter", "CVC").
const LINE_WORDS: [&str; 9] = [
    "catheter",
    "catheters",
    "line",
    "lines",
    "picc",
    "cvc",
    "cvl",
    "cath",
    "port",
];

/// The entry site: the words of the body part values of the veins a line
/// enters through (tables 05H Insertion, Upper Veins and 06H Insertion,
/// Lower Veins: Subclavian, Axillary, Brachial, Basilic, Cephalic, Internal
/// and External Jugular, Innominate, Vertebral, Femoral, Saphenous, Iliac
/// ...; the Body Part Key: "Brachiocephalic vein — use Innominate Vein"),
/// the veins' sides, and the clinical abbreviations of the internal jugular
/// ("IJ", "IJV"). Before the tip they say where the line went in.
const ENTRY_WORDS: [&str; 28] = [
    "right",
    "left",
    "rt",
    "lt",
    "subclavian",
    "axillary",
    "brachial",
    "basilic",
    "cephalic",
    "internal",
    "external",
    "jugular",
    "ij",
    "ijv",
    "innominate",
    "brachiocephalic",
    "vertebral",
    "femoral",
    "saphenous",
    "iliac",
    "hand",
    "arm",
    "forearm",
    "upper",
    "antecubital",
    "vein",
    "veins",
    "venous",
];

/// Words between the tip and its site that name no place ("tip positioned
/// at", "tip noted in the distal SVC").
const FILLER: [&str; 14] = [
    "positioned",
    "located",
    "lies",
    "lying",
    "sits",
    "placed",
    "noted",
    "seen",
    "projecting",
    "overlying",
    "distal",
    "mid",
    "proximal",
    "low",
];

/// Words that end the tip's site: what follows is how the line was placed
/// ("tip in SVC under ultrasound guidance", "confirmed by chest x-ray").
const SITE_ENDS: [&str; 9] = [
    "with",
    "without",
    "w",
    "under",
    "using",
    "via",
    "confirmed",
    "verified",
    "per",
];

/// The words of a query whose line has a named tip, without the entry site:
/// the line's words, then the tip's site, then what followed it. Other
/// queries come back unchanged.
fn route_to_tip(words: Vec<String>) -> Vec<String> {
    let Some(tip) = words.iter().position(|w| TIP_WORDS.contains(&w.as_str())) else {
        return words;
    };
    let names_line = |w: &String| w.split(' ').any(|p| LINE_WORDS.contains(&p));
    if !words[..tip].iter().any(names_line) {
        return words;
    }
    let site: Vec<String> = words[tip + 1..]
        .iter()
        .skip_while(|w| TIP_WORDS.contains(&w.as_str()) || FILLER.contains(&w.as_str()))
        .take_while(|w| !SITE_ENDS.contains(&w.as_str()))
        .cloned()
        .collect();
    if site.is_empty() {
        return words;
    }
    // "venous" of "central venous catheter" names the line, not its entry:
    // a word is the entry site only while no line word has come.
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut line_seen = false;
    for w in &words[..tip] {
        line_seen |= names_line(w) || w == "central" || w == "peripherally";
        if line_seen || !ENTRY_WORDS.contains(&w.as_str()) {
            out.push(w.clone());
        }
    }
    out.extend(site);
    // The word that ended the site ("under", "with") and what follows it.
    let after: Vec<String> = words[tip + 1..]
        .iter()
        .skip_while(|w| !SITE_ENDS.contains(&w.as_str()))
        .cloned()
        .collect();
    out.extend(after);
    out
}

/// Solid matter (PCS Definitions, Extirpation: "The solid matter may be an
/// abnormal byproduct of a biological function or a foreign body"): stones,
/// calculi, a clot, a thrombus, an embolus, a bezoar, a foreign body.
const SOLID_MATTER: [&str; 13] = [
    "stone",
    "stones",
    "calculus",
    "calculi",
    "clot",
    "clots",
    "thrombus",
    "embolus",
    "emboli",
    "bezoar",
    "fb",
    "foreign body",
    "foreign",
];

/// Words saying it was taken out.
const TAKEN_OUT: [&str; 11] = [
    "extraction",
    "extracted",
    "extract",
    "removal",
    "removed",
    "remove",
    "retrieval",
    "retrieved",
    "evacuation",
    "evacuated",
    "sweep",
];

/// The instruments that take it out: how, not what (a "balloon extraction"
/// of stones is no Dilation, a "basket" no device left in).
const INSTRUMENTS: [&str; 5] = ["balloon", "basket", "snare", "forceps", "fogarty"];

/// "ERCP with balloon extraction of common bile duct stones": the taking out
/// is "extirpation", the stones "matter" (the tables' words: "Extirpation of
/// Matter from Common Bile Duct"), the instrument left out.
fn solid_matter(words: Vec<String>) -> Vec<String> {
    let is = |list: &[&str], w: &str| list.contains(&w);
    let has_matter = words.iter().any(|w| is(&SOLID_MATTER, w));
    let has_taking = words.iter().any(|w| is(&TAKEN_OUT, w));
    if !(has_matter && has_taking) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let (mut operation, mut matter) = (false, false);
    for w in words {
        if is(&TAKEN_OUT, &w) {
            if !operation {
                out.push("extirpation".to_string());
            }
            operation = true;
        } else if is(&SOLID_MATTER, &w)
            || (w == "body" && out.last().is_some_and(|l| l == "matter"))
        {
            if !matter {
                out.push("matter".to_string());
            }
            matter = true;
        } else if !is(&INSTRUMENTS, &w) {
            out.push(w);
        }
    }
    out
}

/// Graft words (the Device Key: "Autograft" is Autologous Tissue Substitute,
/// a bone bank or donor graft Nonautologous Tissue Substitute).
const GRAFTS: [&str; 6] = [
    "graft",
    "grafts",
    "autograft",
    "autografts",
    "allograft",
    "allografts",
];

/// "ACL reconstruction right knee with hamstring autograft": the ligament
/// is replaced by the graft (Replacement, Knee Bursa and Ligament 0MRN47Z).
/// Without a graft a reconstruction stays as typed (the Index sends it to
/// Repair, Replacement or Supplement).
fn graft_reconstruction(mut words: Vec<String>) -> Vec<String> {
    let Some(graft) = words.iter().position(|w| GRAFTS.contains(&w.as_str())) else {
        return words;
    };
    let rebuilt = |w: &str| matches!(w, "reconstruction" | "reconstructed" | "reconstruct");
    if !words.iter().any(|w| rebuilt(w)) {
        return words;
    }
    // The tendon the graft was taken from, typed just before the graft
    // word, is the donor site (an Excision coded apart), not the body part.
    let donor = words[..graft]
        .iter()
        .rev()
        .take_while(|w| DONOR_SITES.contains(&w.as_str()))
        .count();
    words.drain(graft - donor..graft);
    for w in &mut words {
        if rebuilt(w) {
            *w = "replacement".to_string();
        }
    }
    words
}

/// The tendons and bone a ligament graft is taken from ("hamstring",
/// "bone-patellar tendon-bone", "palmaris longus", "quadriceps").
const DONOR_SITES: [&str; 11] = [
    "hamstring",
    "hamstrings",
    "gracilis",
    "semitendinosus",
    "palmaris",
    "longus",
    "patellar",
    "quadriceps",
    "tendon",
    "bone",
    "bptb",
];

/// Words of an incision and drainage ("I&D" is one word, "id").
const DRAINAGE: [&str; 6] = ["id", "incision", "incised", "drainage", "drained", "drain"];

/// The regions of table 0J9 (Drainage, Subcutaneous Tissue and Fascia: Scalp,
/// Face, Neck, Chest, Back, Abdomen, Buttock, Perineum, Pelvic Region, Upper
/// Arm, Lower Arm, Hand, Upper Leg, Lower Leg, Foot) by the words a surgeon
/// writes for them, each with the table's words. "Abdominal" counts only as
/// the abdominal wall (an abdominal abscess is in the peritoneal cavity), an
/// arm or a leg only as typed upper or lower; a pelvic abscess is deep.
const REGIONS: [(&str, &str); 18] = [
    ("scalp", "scalp"),
    ("face", "face"),
    ("facial", "face"),
    ("neck", "neck"),
    ("chest", "chest"),
    ("back", "back"),
    ("abdomen", "abdomen"),
    ("buttock", "buttock"),
    ("buttocks", "buttock"),
    ("gluteal", "buttock"),
    ("perineum", "perineum"),
    ("perineal", "perineum"),
    ("forearm", "lower arm"),
    ("hand", "hand"),
    ("thigh", "upper leg"),
    ("calf", "lower leg"),
    ("foot", "foot"),
    ("feet", "foot"),
];

/// The table's words for the region `words[i]` names, if it names one.
fn region_at(words: &[String], i: usize) -> Option<&'static str> {
    let w = words[i].as_str();
    let prev = i.checked_sub(1).map(|p| words[p].as_str());
    let next = words.get(i + 1).map(String::as_str);
    match w {
        "arm" | "leg" if matches!(prev, Some("upper" | "lower")) => Some(""),
        "abdominal" if next == Some("wall") => Some("abdomen"),
        _ => REGIONS.iter().find(|(k, _)| *k == w).map(|(_, v)| *v),
    }
}

/// "I&D of right thigh abscess": Drainage of Subcutaneous Tissue and Fascia,
/// Right Upper Leg (0J9L0ZZ), not of the hip joint or femur of the region.
/// Only when the words name a region of 0J9: the abscess's words become the
/// body system's ("subcutaneous tissue fascia"), the region's the table's
/// ("thigh" is Upper Leg; an "upper arm" typed stays as typed).
fn abscess_region(words: Vec<String>) -> Vec<String> {
    let abscess = words.iter().any(|w| w == "abscess" || w == "abscesses");
    // "incision and drainage" reaches here as one phrase word.
    let drained = words
        .iter()
        .any(|w| w.split(' ').any(|p| DRAINAGE.contains(&p)));
    if !(abscess && drained && (0..words.len()).any(|i| region_at(&words, i).is_some())) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 2);
    for i in 0..words.len() {
        match (words[i].as_str(), region_at(&words, i)) {
            ("abscess" | "abscesses" | "subcutaneous" | "subq" | "sq" | "wall", _) => {}
            (w, Some("")) | (w, None) => out.push(w.to_string()),
            (_, Some(v)) => out.extend(v.split(' ').map(String::from)),
        }
    }
    out.extend(["subcutaneous", "tissue", "fascia"].map(String::from));
    out
}

/// Imaging named after "with" ("lap chole with intraoperative cholangiogram",
/// "left heart catheterization with selective coronary angiography") is a
/// second procedure, coded apart in section B (the PCS Index: "Cholangiogram
/// — see Fluoroscopy, Hepatobiliary System and Pancreas BF1", "Angiography —
/// see Fluoroscopy / Plain Radiography"): the operation before it is what the
/// words name first. The imaging phrase goes (the imaging word and the words
/// that qualify it just before it); what else followed "with" stays ("lap
/// chole with lysis of adhesions and intraoperative cholangiogram" keeps
/// the lysis of adhesions), and "with" goes only when nothing else followed.
const IMAGING: [&str; 12] = [
    "cholangiogram",
    "cholangiography",
    "angiogram",
    "angiography",
    "arteriogram",
    "arteriography",
    "venogram",
    "venography",
    "ventriculogram",
    "ventriculography",
    "fluoroscopy",
    "aortogram",
];

/// Words that qualify an imaging word typed before it ("intraoperative
/// cholangiogram", "selective left coronary angiography", "completion
/// angiogram"): part of the imaging phrase.
const IMAGING_QUALIFIERS: [&str; 17] = [
    "intraoperative",
    "intra",
    "operative",
    "selective",
    "completion",
    "coronary",
    "cerebral",
    "carotid",
    "pulmonary",
    "renal",
    "mesenteric",
    "aortic",
    "left",
    "right",
    "bilateral",
    "ventricular",
    "diagnostic",
];

fn imaging_apart(words: Vec<String>) -> Vec<String> {
    let Some(with) = words.iter().position(|w| w == "with" || w == "w") else {
        return words;
    };
    let Some(end) = words[with..]
        .iter()
        .position(|w| IMAGING.contains(&w.as_str()))
        .map(|j| with + j)
    else {
        return words;
    };
    if with == 0 {
        return words;
    }
    let mut start = end;
    while start > with + 1 && IMAGING_QUALIFIERS.contains(&words[start - 1].as_str()) {
        start -= 1;
    }
    if start == with + 1 {
        start = with;
    }
    let mut out = words[..start].to_vec();
    out.extend(words[end + 1..].iter().cloned());
    out
}

/// The vessel a catheter is passed through ("via right radial artery",
/// "through the femoral vein") is the access, not the body part worked on
/// (as the entry vein of a central line is not: guideline B6.1b), and its
/// side is not the operation's ("left heart catheterization via right radial
/// artery" is Left Heart, 4A023N7).
const ACCESS_VESSELS: [&str; 8] = [
    "radial",
    "femoral",
    "brachial",
    "ulnar",
    "jugular",
    "subclavian",
    "transradial",
    "transfemoral",
];

fn access_route(words: Vec<String>) -> Vec<String> {
    let Some(via) = words.iter().position(|w| w == "via" || w == "through") else {
        return words;
    };
    let mut end = via + 1;
    while end < words.len()
        && ENTRY_WORDS.contains(&words[end].as_str())
        && !ACCESS_VESSELS.contains(&words[end].as_str())
    {
        end += 1;
    }
    if !words
        .get(end)
        .is_some_and(|w| ACCESS_VESSELS.contains(&w.as_str()))
    {
        return words;
    }
    end += 1;
    while end < words.len()
        && matches!(
            words[end].as_str(),
            "artery" | "vein" | "approach" | "access"
        )
    {
        end += 1;
    }
    let mut out = words[..via].to_vec();
    out.extend(words[end..].iter().cloned());
    out
}

/// The level of a toe's or a finger's amputation through the joint at its
/// base: the ICD-10-PCS Reference Manual's Detachment qualifiers ("Complete":
/// through the metatarsophalangeal joint of a toe, the metacarpophalangeal
/// joint of a finger). The joint names the level, not a body part: the word
/// becomes the qualifier's ("complete").
fn amputation_level(words: Vec<String>) -> Vec<String> {
    let amputation = words
        .iter()
        .any(|w| matches!(w.as_str(), "amputation" | "amputated" | "disarticulation"));
    let base_joint = |w: &str| {
        matches!(
            w,
            "mtp" | "mcp" | "metatarsophalangeal" | "metacarpophalangeal"
        )
    };
    if !amputation || !words.iter().any(|w| base_joint(w)) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        if base_joint(&w) {
            out.push("complete".to_string());
        } else if !(w == "joint" && out.last().is_some_and(|l| l == "complete")) {
            out.push(w);
        }
    }
    out
}

/// "Right and left" is both sides: the tables' "Bilateral" (Inguinal Region,
/// Bilateral; Measurement, Cardiac, qualifier Bilateral: "combined right and
/// left heart catheterization" is 4A023N8). The stop word between them is
/// already gone.
fn both_sides(words: Vec<String>) -> Vec<String> {
    // A bypass goes from one side to the other ("femoral-femoral bypass right
    // to left" is Bypass, Femoral Artery, Right to Femoral Artery, Left
    // 041K0JJ): the two sides are its two ends, not both sides.
    if words.iter().any(|w| w.split(' ').any(|p| p == "bypass")) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let pair = matches!(
            (out.last().map(String::as_str), w.as_str()),
            (Some("right"), "left") | (Some("left"), "right")
        );
        if pair {
            out.pop();
            out.push("bilateral".to_string());
        } else {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn route_tip(q: &str) -> String {
        route_to_tip(index_words(q)).join(" ")
    }

    fn route_px(q: &str) -> String {
        route(index_words(q), true, true).join(" ")
    }

    #[test]
    fn a_named_tip_is_the_body_part_and_the_entry_vein_is_left_out() {
        // Guideline B6.1b: the tip's vein is the body part (02HV33Z), the
        // internal jugular (05HM) only where the line went in.
        assert_eq!(
            route_tip("right internal jugular central venous catheter placement, tip in SVC"),
            "central venous catheter placement svc"
        );
        // The side before the tip is the entry vein's: a left subclavian
        // line ending in the right atrium is Atrium, Right (02H633Z).
        assert_eq!(
            route_tip("left subclavian central line terminating in the right atrium"),
            "central line right atrium"
        );
        assert_eq!(
            route_tip("left basilic vein PICC line, tip at cavoatrial junction under ultrasound"),
            "picc line cavoatrial junction under ultrasound"
        );
        assert_eq!(
            route_tip("right femoral CVC with tip positioned in the distal inferior vena cava"),
            "cvc with inferior vena cava"
        );
    }

    #[test]
    fn without_a_line_or_a_tip_the_words_are_searched_as_typed() {
        // No tip: the entry vein is the body part (05HM33Z).
        assert_eq!(
            route_tip("right internal jugular central venous catheter"),
            "right internal jugular central venous catheter"
        );
        // "tip" of something that is not a line.
        assert_eq!(
            route_tip("amputation right index finger tip"),
            "amputation right index finger tip"
        );
        assert_eq!(route_tip("catheter tip"), "catheter tip");
    }

    #[test]
    fn solid_matter_taken_out_is_extirpation_of_matter() {
        // Definitions, Extirpation: "Taking or cutting out solid matter";
        // table 0FC titles it "Extirpation of Matter from Common Bile Duct".
        assert_eq!(
            route_px("ERCP with balloon extraction of common bile duct stones"),
            "ercp with extirpation common bile duct matter"
        );
        assert_eq!(
            route_px("EGD with removal of foreign body from esophagus"),
            "egd with extirpation matter esophagus"
        );
        // An Extraction without solid matter (Definitions: "Dilation and
        // curettage, vein stripping") and stones broken up (Fragmentation)
        // keep their words; so does a diagnosis search.
        assert_eq!(
            route_px("extraction of products of conception"),
            "extraction products conception"
        );
        assert_eq!(
            route_px("laser lithotripsy left ureteral stone"),
            "laser lithotripsy left ureteral stone"
        );
        assert_eq!(
            route(
                index_words("removal of foreign body esophagus"),
                false,
                true
            )
            .join(" "),
            "removal foreign body esophagus"
        );
        // A search of diagnoses only keeps a catheter's vein and side: the
        // tip is not where a line was placed but where a thrombus sits.
        assert_eq!(
            route(
                index_words("left femoral venous catheter tip thrombus"),
                false,
                false
            )
            .join(" "),
            index_words("left femoral venous catheter tip thrombus").join(" ")
        );
    }

    #[test]
    fn a_reconstruction_with_a_graft_is_replacement() {
        assert_eq!(
            route_px("ACL reconstruction right knee with hamstring autograft"),
            "acl replacement right knee with autograft"
        );
        // No graft: the Index's Repair, Replacement or Supplement decide.
        assert_eq!(route_px("breast reconstruction"), "breast reconstruction");
    }

    #[test]
    fn an_abscess_of_a_region_drained_is_its_subcutaneous_tissue() {
        // Table 0J9: Subcutaneous Tissue and Fascia, Right Upper Leg (L).
        assert_eq!(
            route_px("incision and drainage of right thigh abscess"),
            "incision drainage right upper leg subcutaneous tissue fascia"
        );
        assert_eq!(
            route_px("incision and drainage of abdominal wall abscess"),
            "incision drainage abdomen subcutaneous tissue fascia"
        );
        assert_eq!(
            route_px("incision and drainage of abscess left lower leg"),
            "incision drainage left lower leg subcutaneous tissue fascia"
        );
        // The phrase the synonym list joins is read by its words.
        let joined = vec![
            "incision drainage".to_string(),
            "left".to_string(),
            "thigh".to_string(),
            "subcutaneous".to_string(),
            "abscess".to_string(),
        ];
        assert_eq!(
            route(joined, true, true).join(" "),
            "incision drainage left upper leg subcutaneous tissue fascia"
        );
        // An organ's or a cavity's abscess is not the subcutaneous tissue's.
        assert_eq!(
            route_px("percutaneous drainage of abdominal abscess"),
            "percutaneous drainage abdominal abscess"
        );
        assert_eq!(
            route_px("drainage of liver abscess"),
            "drainage liver abscess"
        );
    }

    #[test]
    fn imaging_after_with_and_the_access_vessel_are_not_the_operation() {
        // The cholangiogram is coded apart (BF1); the Resection is named.
        assert_eq!(
            route_px("lap chole with intraoperative cholangiogram"),
            "lap chole"
        );
        // Left Heart (4A023N7): the radial artery is the way in.
        assert_eq!(
            route_px(
                "left heart catheterization with selective coronary angiography via right radial artery"
            ),
            "left heart catheterization"
        );
        // What else followed "with" stays: only the imaging phrase goes.
        assert_eq!(
            route_px("lap chole with lysis of adhesions and intraoperative cholangiogram"),
            "lap chole with lysis adhesions"
        );
        assert_eq!(
            route_px("open cholecystectomy with intraoperative cholangiogram and liver biopsy"),
            "open cholecystectomy liver biopsy"
        );
        // Imaging alone is the search.
        assert_eq!(
            route_px("intraoperative cholangiogram"),
            "intraoperative cholangiogram"
        );
    }

    #[test]
    fn an_amputation_through_the_base_joint_is_complete() {
        // Reference Manual, Detachment: a toe's Complete level is through
        // the metatarsophalangeal joint (0Y6Q0Z0 for the left great toe).
        assert_eq!(
            route_px("amputation left great toe at the MTP joint"),
            "amputation left great toe complete"
        );
        assert_eq!(route_px("MTP joint arthroplasty"), "mtp joint arthroplasty");
    }

    #[test]
    fn right_and_left_is_bilateral() {
        assert_eq!(
            route_px("combined right and left heart catheterization"),
            "combined bilateral heart catheterization"
        );
        assert_eq!(
            route_px("femoral-femoral bypass right to left"),
            "femoral femoral bypass right left"
        );
        assert_eq!(
            route_px("right heart catheterization"),
            "right heart catheterization"
        );
    }

    #[test]
    fn the_graft_donor_is_not_the_body_part() {
        assert_eq!(
            route_px("ACL reconstruction right knee, bone-patellar tendon-bone autograft"),
            "acl replacement right knee autograft"
        );
        // The patellar tendon rebuilt is the body part: kept.
        assert_eq!(
            route_px("patellar tendon reconstruction with allograft"),
            "patellar tendon replacement with allograft"
        );
    }
}
