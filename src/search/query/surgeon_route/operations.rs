//! The root operation a surgeon's words name when they are not the PCS
//! Index's main terms, read from each root operation's definition (PCS
//! Definitions, Medical and Surgical, 3rd character) and the PCS Index, and
//! the words of a phrase that name no character at all (anesthesia, device
//! sizes). Each reader looks for its trigger words first and returns the
//! words unchanged when they are absent.

/// Whether any word (or any word of a joined phrase word, "hernia repair")
/// is one of `list`.
pub(in crate::search::query) fn has(words: &[String], list: &[&str]) -> bool {
    words
        .iter()
        .any(|w| w.split(' ').any(|p| list.contains(&p)))
}

/// The words, each joined phrase word ("hernia repair") cut into its words.
pub(in crate::search::query) fn split(words: Vec<String>) -> Vec<String> {
    if !words.iter().any(|w| w.contains(' ')) {
        return words;
    }
    words
        .into_iter()
        .flat_map(|w| w.split(' ').map(String::from).collect::<Vec<_>>())
        .collect()
}

/// Words that deny what follows them ("no mesh", "without reduction").
const DENIALS: [&str; 4] = ["no", "without", "wo", "not"];

/// Whether the word at `i` is denied by one of the two words before it
/// ("without mesh", "no mesh used").
pub(super) fn denied(words: &[String], i: usize) -> bool {
    words[i.saturating_sub(2)..i]
        .iter()
        .any(|w| DENIALS.contains(&w.as_str()))
}

/// Units of a device's size ("10 French x 7 cm", "6 Fr", "15 x 20 cm
/// mesh"): the device character is the kind of device (PCS Definitions,
/// Device: "Identifies a device that remains after the procedure"), never
/// its size.
const UNITS: [&str; 8] = ["fr", "french", "cm", "mm", "gauge", "ga", "inch", "inches"];

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A number with its unit written together ("26cm", "6fr").
fn is_size(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &w[digits.len()..];
    is_number(digits) && UNITS.contains(&unit)
}

/// Sizes go: a number and its unit, and the numbers an "x" joins to them.
pub(super) fn sizes_apart(words: Vec<String>) -> Vec<String> {
    if !words
        .iter()
        .any(|w| UNITS.contains(&w.as_str()) || is_size(w))
    {
        return words;
    }
    let mut keep = vec![true; words.len()];
    for i in 0..words.len() {
        let w = words[i].as_str();
        if is_size(w) {
            keep[i] = false;
        } else if UNITS.contains(&w) && i > 0 && is_number(&words[i - 1]) {
            keep[i] = false;
            keep[i - 1] = false;
            // "15 x 20 cm": the number before the "x" is the same size's.
            let mut j = i - 1;
            while j >= 2 && words[j - 1] == "x" && is_number(&words[j - 2]) {
                keep[j - 1] = false;
                keep[j - 2] = false;
                j -= 2;
            }
        }
    }
    // "10 French x 7 cm": the "x" between two sizes.
    for i in 1..words.len().saturating_sub(1) {
        if words[i] == "x" && !keep[i - 1] && !keep[i + 1] {
            keep[i] = false;
        }
    }
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

/// Anesthesia is no part of an ICD-10-PCS code (no root operation of the
/// Medical and Surgical section is anesthesia; the tables have no such
/// value): "under general anesthesia", "under sedation", "under MAC".
const ANESTHESIA: [&str; 6] = [
    "anesthesia",
    "anaesthesia",
    "sedation",
    "anesthetic",
    "mac",
    "gen",
];

/// Words that say which anesthesia ("general", "local", "conscious").
const ANESTHESIA_KINDS: [&str; 7] = [
    "general",
    "local",
    "regional",
    "conscious",
    "moderate",
    "monitored",
    "spinal",
];

pub(super) fn anesthesia_apart(words: Vec<String>) -> Vec<String> {
    let Some(at) = words
        .iter()
        .position(|w| ANESTHESIA[..4].contains(&w.as_str()))
    else {
        return words;
    };
    // "under general anesthesia": "under" and the kind before it go too.
    let mut start = at;
    while start > 0 && ANESTHESIA_KINDS.contains(&words[start - 1].as_str()) {
        start -= 1;
    }
    if start > 0 && words[start - 1] == "under" {
        start -= 1;
    }
    let mut out = words[..start].to_vec();
    out.extend(words[at + 1..].iter().cloned());
    if out.is_empty() { words } else { out }
}

/// What a hernia repair puts in to reinforce the wall: mesh (Device Key:
/// "Bard Composix mesh", "Bard Ventralex hernia patch", "PROLENE
/// Polypropylene Hernia System" — use Synthetic Substitute).
const SYNTHETIC: [&str; 9] = [
    "mesh",
    "patch",
    "plug",
    "prolene",
    "polypropylene",
    "marlex",
    "ventralex",
    "composix",
    "synthetic",
];

/// A biologic graft (Device Key, Nonautologous Tissue Substitute includes
/// "Acellular Hydrated Dermis", "Cook Biodesign(R) Hernia Graft(s)", "Tissue
/// bank graft").
const BIOLOGIC: [&str; 4] = ["biologic", "biodesign", "allograft", "acellular"];

/// Hernias by where the tables put them: 0YQ/0YU Inguinal Region, Femoral
/// Region; 0WQ/0WU Abdominal Wall (umbilical, ventral, incisional,
/// epigastric and spigelian hernias are of the abdominal wall).
fn hernia_region(w: &str) -> Option<&'static [&'static str]> {
    match w {
        "inguinal" => Some(&["inguinal", "region"]),
        "femoral" => Some(&["femoral", "region"]),
        "umbilical" | "periumbilical" | "paraumbilical" | "ventral" | "incisional"
        | "epigastric" | "spigelian" => Some(&["abdominal", "wall"]),
        _ => None,
    }
}

/// Words of the repair itself that name no character: the operation is
/// decided by the material, the body part by the region.
const HERNIA_WORDS: [&str; 16] = [
    "hernia",
    "hernias",
    "herniorrhaphy",
    "hernioplasty",
    "repair",
    "repaired",
    "recurrent",
    "direct",
    "indirect",
    "primary",
    "suture",
    "fascial",
    "closure",
    "defect",
    "used",
    "placed",
];

/// PCS Definitions, Supplement: "Putting in or on biological or synthetic
/// material that physically reinforces ... a portion of a body part",
/// includes "Herniorrhaphy using mesh"; PCS Index: "Herniorrhaphy — see
/// Repair, Anatomical Regions, General 0WQ / Lower Extremities 0YQ; With
/// synthetic substitute — see Supplement ... 0WU / 0YU". A hernia of a named
/// region repaired with mesh is the region's Supplement with the material;
/// without (or with the material denied), its Repair.
pub(super) fn hernia_repair(words: Vec<String>) -> Vec<String> {
    let hernia = ["hernia", "hernias", "herniorrhaphy", "hernioplasty"];
    if !has(&words, &hernia) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    if !words.iter().any(|w| hernia_region(w).is_some()) {
        return typed;
    }
    let material = |list: &[&str]| {
        words
            .iter()
            .enumerate()
            .any(|(i, w)| list.contains(&w.as_str()) && !denied(&words, i))
    };
    let (operation, device): (&str, &[&str]) = if material(&BIOLOGIC) {
        ("supplement", &["nonautologous", "tissue", "substitute"])
    } else if material(&SYNTHETIC) {
        ("supplement", &["synthetic", "substitute"])
    } else {
        ("repair", &[])
    };
    let mut out: Vec<String> = vec![operation.to_string()];
    // The device's words where the material was typed: words after it
    // ("no bowel compromise found") say nothing of the device.
    let mut device_said = false;
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        let names_material =
            |n: Option<&str>| n.is_some_and(|n| SYNTHETIC.contains(&n) || BIOLOGIC.contains(&n));
        let is_material = SYNTHETIC.contains(&w.as_str()) || BIOLOGIC.contains(&w.as_str());
        if let Some(region) = hernia_region(w) {
            out.extend(region.iter().map(|r| r.to_string()));
        } else if is_material && !denied(&words, i) && !device_said {
            out.extend(device.iter().map(|d| d.to_string()));
            device_said = true;
        } else if HERNIA_WORDS.contains(&w.as_str())
            || is_material
            || (matches!(w.as_str(), "with" | "using" | "w") && names_material(next))
            || (DENIALS.contains(&w.as_str()) && names_material(next))
        {
        } else if !out.contains(w) {
            out.push(w.clone());
        }
    }
    if !device_said {
        out.extend(device.iter().map(|d| d.to_string()));
    }
    out
}

/// The constraint a release frees and the body part it holds: the carpal
/// tunnel the median nerve, the cubital tunnel the ulnar nerve, the tarsal
/// tunnel the tibial nerve (PCS Index: "Neurolysis — see Release, Peripheral
/// Nervous System 01N"; Definitions, Release includes "carpal tunnel
/// release"), the A1 pulley of a trigger finger or thumb the flexor tendon
/// (table 0LN, Hand Tendon), the first dorsal compartment of de Quervain's
/// the thumb's tendons at the wrist (0LN, Lower Arm and Wrist Tendon).
const CONSTRAINTS: [(&str, &str, &str); 9] = [
    ("carpal", "tunnel", "median nerve"),
    ("cubital", "tunnel", "ulnar nerve"),
    ("tarsal", "tunnel", "tibial nerve"),
    ("trigger", "finger", "hand tendon"),
    ("trigger", "thumb", "hand tendon"),
    ("trigger", "digit", "hand tendon"),
    ("a1", "pulley", "hand tendon"),
    ("de", "quervain", "lower arm wrist tendon"),
    ("dorsal", "compartment", "lower arm wrist tendon"),
];

/// Where the constraint is, in the words of the region and the digit: the
/// site of the release, not its body part (the finger is no Finger Phalanx).
const RELEASE_SITES: [&str; 20] = [
    "finger",
    "fingers",
    "thumb",
    "digit",
    "index",
    "middle",
    "long",
    "ring",
    "small",
    "little",
    "wrist",
    "hand",
    "elbow",
    "ankle",
    "foot",
    "first",
    "1st",
    "quervains",
    "pulley",
    "compartment",
];

/// PCS Definitions, Release: "Freeing a body part from an abnormal physical
/// constraint by cutting or by the use of force ... none of the body part is
/// taken out": the body part is what the constraint held.
pub(super) fn release_site(words: Vec<String>) -> Vec<String> {
    let release = ["release", "released", "releases", "decompression"];
    if !has(&words, &release) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    let Some(&(_, _, body)) = CONSTRAINTS
        .iter()
        .find(|(a, b, _)| pair(a, b) || (*a == "de" && words.iter().any(|w| w == "quervains")))
    else {
        return typed;
    };
    let names: Vec<&str> = CONSTRAINTS.iter().flat_map(|(a, b, _)| [*a, *b]).collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 2);
    for w in &words {
        let w = w.as_str();
        if release.contains(&w) {
            out.push("release".to_string());
        } else if !(names.contains(&w) || RELEASE_SITES.contains(&w) || w == "tendon") {
            out.push(w.to_string());
        }
    }
    out.extend(body.split(' ').map(String::from));
    out
}

/// Organs by their adjectives, as the tables name them (body part values of
/// tables 0D, 0F, 0B, 0T): read only beside a lesion taken out or a stent.
pub(super) fn organ(w: &str) -> Option<&'static str> {
    Some(match w {
        "gastric" => "stomach",
        "rectal" => "rectum",
        "colonic" => "colon",
        "duodenal" => "duodenum",
        "esophageal" => "esophagus",
        "cecal" => "cecum",
        "ileal" => "ileum",
        "jejunal" => "jejunum",
        "tracheal" => "trachea",
        "ureteral" => "ureter",
        "urethral" => "urethra",
        "biliary" => "common bile duct",
        _ => return None,
    })
}

/// The organ adjective at `i`, unless a vessel word follows ("esophageal
/// varices" are veins, "gastric artery" an artery).
pub(super) fn organ_at(words: &[String], i: usize) -> Option<&'static str> {
    let next = words.get(i + 1).map(String::as_str);
    if matches!(
        next,
        Some("artery" | "arteries" | "vein" | "veins" | "varices" | "varix")
    ) {
        return None;
    }
    organ(&words[i])
}

/// A part of an organ taken out: a polyp or a lesion.
const LESIONS: [&str; 4] = ["polyp", "polyps", "lesion", "lesions"];

/// The surgeon's words for taking it out, whatever the tables call it.
const TAKEN: [&str; 7] = [
    "resection",
    "resected",
    "removal",
    "removed",
    "excision",
    "excised",
    "polypectomy",
];

/// A growth cut out of an organ, named as the taking's object ("transurethral
/// resection of bladder tumor", "excision of breast mass", "thyroid nodule
/// removed"): a portion of the organ, as a lesion is.
const GROWTHS: [&str; 6] = ["tumor", "tumors", "mass", "masses", "nodule", "nodules"];

/// The sides the tables' body part values name (Right, Left, Bilateral).
const SIDES: [&str; 3] = ["left", "right", "bilateral"];

/// Whether a growth is what was taken: one of the two words after a taking
/// word ("resection bladder tumor", the stop words gone), or the word just
/// before it ("bladder tumor resected"). Further off it is the reason, not
/// the object: "resection of sigmoid colon for tumor" takes the whole
/// segment (guideline B3.8: a subdivision with a body part value of its own
/// taken whole is its Resection).
fn growth_taken(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        if !TAKEN.contains(&w.as_str()) {
            return false;
        }
        let before = i > 0 && GROWTHS.contains(&words[i - 1].as_str());
        // A side between says where, not what: "excision of left breast
        // mass" takes the mass as "excision of breast mass" does.
        let after = words[i + 1..]
            .iter()
            .filter(|x| !SIDES.contains(&x.as_str()))
            .take(2)
            .any(|x| GROWTHS.contains(&x.as_str()));
        before || after
    })
}

/// PCS Definitions, Excision: "Cutting out or off, without replacement, a
/// portion of a body part"; Resection is "all of a body part". A polyp or a
/// lesion cut out ("resection of rectal polyp", "removal of gastric polyp",
/// "polypectomy"; PCS Index: "Polypectomy, gastrointestinal — see Excision,
/// Gastrointestinal System 0DB") leaves the organ: Excision of the organ
/// the adjective names. So does a tumor, mass or nodule the words take
/// (`growth_taken`): "cystoscopy with transurethral resection of bladder
/// tumor" is the Excision of the Bladder (0TBB8ZZ). The growth taken is no
/// body part value (the tables name the organ; Definitions, Excision) and
/// its word is left out: "mass" must not match the Masseter Muscle nor
/// join "breast" to the diagnosis "breast mass".
pub(super) fn lesion_excision(words: Vec<String>) -> Vec<String> {
    let polypectomy = has(&words, &["polypectomy"]);
    let lesion = has(&words, &LESIONS) && has(&words, &TAKEN);
    let growth = has(&words, &GROWTHS) && growth_taken(&split(words.clone()));
    if !(polypectomy || lesion || growth) {
        return words;
    }
    let words = split(words);
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    let mut done = false;
    for (i, w) in words.iter().enumerate() {
        if growth && GROWTHS.contains(&w.as_str()) {
            continue;
        }
        if TAKEN.contains(&w.as_str()) {
            if !done {
                out.push("excision".to_string());
            }
            done = true;
        } else if let Some(o) = organ_at(&words, i) {
            out.extend(o.split(' ').map(String::from));
        } else {
            out.push(w.clone());
        }
    }
    out
}

/// A portion of an organ ("partial nephrectomy", "subtotal gastrectomy"):
/// Excision (PCS Definitions; the PCS Index lists both for the organ's
/// "-ectomy": "Nephrectomy — see Excision, Urinary System 0TB / see
/// Resection, Urinary System 0TT"). Not a colectomy: the colon's segments
/// are body parts of their own, each resected whole (guideline B3.8).
const PORTIONS: [&str; 4] = ["partial", "subtotal", "segmental", "segmentectomy"];

pub(super) fn portion_excision(words: Vec<String>) -> Vec<String> {
    if !has(&words, &PORTIONS) {
        return words;
    }
    let ectomy = |w: &String| {
        w.ends_with("ectomy") && !w.contains("colectomy") && w.as_str() != "segmentectomy"
    };
    let segmentectomy = words.iter().any(|w| w == "segmentectomy");
    if !segmentectomy && !words.iter().any(ectomy) {
        return words;
    }
    // Guideline B3.8: a segment of a lung lobe is a portion of the lobe:
    // "right upper lobe segmentectomy" is the Excision of the lobe.
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    for w in words {
        if PORTIONS.contains(&w.as_str()) {
            if !out.iter().any(|o| o == "excision") {
                out.push("excision".to_string());
            }
        } else {
            out.push(w);
        }
    }
    out
}

/// VATS is video-assisted thoracoscopic surgery: the word it abbreviates
/// (the synonym list: "vats — thoracoscopy | percutaneous endoscopic"),
/// which leaves the operation's words to name the operation.
pub(super) fn vats(words: Vec<String>) -> Vec<String> {
    if !words.iter().any(|w| w == "vats") {
        return words;
    }
    words
        .into_iter()
        .map(|w| {
            if w == "vats" {
                "thoracoscopic".to_string()
            } else {
                w
            }
        })
        .collect()
}

/// A valve repaired with a clip (Device Key: "MitraClip valve repair system
/// — use Synthetic Substitute"; the edge-to-edge repair joins the leaflets
/// with it): the clip reinforces the valve, the Supplement of it (PCS
/// Definitions, Supplement includes "mitral valve ring annuloplasty"; table
/// 02U, Synthetic Substitute J), not its Repair.
pub(super) fn valve_clip(words: Vec<String>) -> Vec<String> {
    let clip = ["mitraclip", "triclip", "clip", "clips", "pascal"];
    if !has(&words, &clip) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let mitral = words.iter().any(|w| w == "mitraclip" || w == "mitral");
    let tricuspid = words.iter().any(|w| w == "triclip" || w == "tricuspid");
    if !(mitral || tricuspid) {
        return typed;
    }
    let mut out: Vec<String> = vec!["supplement".to_string()];
    out.extend(
        words
            .into_iter()
            .filter(|w| !clip.contains(&w.as_str()))
            .filter(|w| !matches!(w.as_str(), "repair" | "edge" | "with")),
    );
    if mitral && !out.iter().any(|w| w == "mitral") {
        out.push("mitral".to_string());
    }
    if tricuspid && !out.iter().any(|w| w == "tricuspid") {
        out.push("tricuspid".to_string());
    }
    if !out.iter().any(|w| w == "valve") {
        out.push("valve".to_string());
    }
    out.extend(["synthetic", "substitute"].map(String::from));
    out
}

/// Whether the words drain something ("incision and drainage", "drained").
fn drains(words: &[String]) -> bool {
    has(words, &["drainage", "drained", "drain", "id", "incision"])
}

/// The gauze an incised abscess is packed with closes the drainage (PCS
/// guideline B3.1b: steps to reach and close the operative site are not
/// coded apart); section 2's Packing is of a body region from outside.
pub(super) fn packing_apart(words: Vec<String>) -> Vec<String> {
    let packing = ["packed", "packing", "gauze", "iodoform"];
    if !has(&words, &packing) || !drains(&words) {
        return words;
    }
    let keep: Vec<bool> = (0..words.len())
        .map(|i| {
            let w = words[i].as_str();
            let next = words.get(i + 1).map(String::as_str);
            !(packing.contains(&w) || (w == "with" && next.is_some_and(|n| packing.contains(&n))))
        })
        .collect();
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

/// A pelvic abscess drained is in the Pelvic Cavity (table 0W9, Pelvic
/// Cavity J), not the pelvic bone (0Q9) nor a region's subcutaneous tissue.
pub(super) fn pelvic_abscess(words: Vec<String>) -> Vec<String> {
    let at = words
        .windows(2)
        .position(|p| p[0] == "pelvic" && (p[1] == "abscess" || p[1] == "abscesses"));
    let Some(at) = at.filter(|_| drains(&words)) else {
        return words;
    };
    let mut out = words;
    out.insert(at + 1, "cavity".to_string());
    out
}

/// Words saying tissue was cut out or sampled: the Index's "Biopsy — see
/// Excision with qualifier Diagnostic", Excision's own words, a polyp's.
const TISSUE_TAKEN: [&str; 9] = [
    "biopsy",
    "biopsies",
    "biopsied",
    "bx",
    "excision",
    "excised",
    "polypectomy",
    "resection",
    "resected",
];

/// The instruments that cut or grasp tissue, and the current they carry:
/// how, not what. No character of a Medical and Surgical code names the
/// instrument (PCS Definitions: the body part, approach, device left in and
/// qualifier); "forceps" alone would read as the obstetric forceps of an
/// Extraction of Products of Conception, "snare" as nothing the tables say.
const CUTTING_INSTRUMENTS: [&str; 4] = ["forceps", "snare", "snares", "cautery"];
const CURRENT: [&str; 2] = ["cold", "hot"];

/// "EGD with cold forceps biopsies taken from the gastric antrum": the
/// biopsy is an Excision, Diagnostic, of the Stomach (0DB68ZX); the forceps
/// and their temperature are left out when the words say tissue was taken.
pub(super) fn instruments_apart(words: Vec<String>) -> Vec<String> {
    if !has(&words, &TISSUE_TAKEN) || !has(&words, &CUTTING_INSTRUMENTS) {
        return words;
    }
    let words = split(words);
    let instrument_at = |i: usize| {
        words
            .get(i)
            .is_some_and(|w| CUTTING_INSTRUMENTS.contains(&w.as_str()))
    };
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let current = CURRENT.contains(&w.as_str()) && instrument_at(i + 1);
        if !current && !instrument_at(i) {
            out.push(w.clone());
        }
    }
    out
}

/// "Biopsies taken", "biopsied": the PCS Index's main term is "Biopsy" and
/// the Body Part Key texts carry that word (src/search/build_pcs_values.rs);
/// several samples of one body part are one code.
pub(super) fn biopsy_word(words: Vec<String>) -> Vec<String> {
    if !has(&words, &["biopsies", "biopsied"]) {
        return words;
    }
    split(words)
        .into_iter()
        .map(|w| match w.as_str() {
            "biopsies" | "biopsied" => "biopsy".to_string(),
            _ => w,
        })
        .collect()
}

/// "Robotic-assisted laparoscopic right hemicolectomy": the robot is a code
/// of its own (PCS Index: "Robotic Assisted Procedure ... 8E0"), and its
/// "assisted" is not the Hand-Assisted qualifier (G) of a laparoscopic
/// Resection or Excision (tables 0DT, 0DB: Percutaneous Endoscopic with
/// G Hand-Assisted), which needs the surgeon's hand in the abdomen. With an
/// operation named beside the robot, "assisted" is left out.
pub(super) fn robot_apart(words: Vec<String>) -> Vec<String> {
    let robot = |w: &str| matches!(w, "robotic" | "robot" | "robotically");
    let operation = |w: &String| {
        ["ectomy", "otomy", "ostomy", "plasty", "pexy", "rrhaphy"]
            .iter()
            .any(|end| w.ends_with(end))
            || matches!(w.as_str(), "laparoscopic" | "laparoscopy" | "repair")
    };
    // Phrases joined earlier ("foley catheter insertion") stay whole
    // unless a robot is said.
    if !has(&words, &["assisted"]) || !has(&words, &["robotic", "robot", "robotically"]) {
        return words;
    }
    let words = split(words);
    let assisted_robot = |i: usize| {
        i > 0 && words[i] == "assisted" && robot(&words[i - 1]) && words.iter().any(operation)
    };
    if !(0..words.len()).any(assisted_robot) {
        return words;
    }
    let keep: Vec<bool> = (0..words.len()).map(|i| !assisted_robot(i)).collect();
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}
