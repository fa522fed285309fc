//! Surgeons' words at query time: phrases of several words the synonym lists
//! know ("hernia repair", "chest tube", "Foley catheter") taken as one term,
//! and the approach and qualifier an ICD-10-PCS code's characters must have
//! when the words say so ("laparoscopic" is Percutaneous Endoscopic, a
//! "-centesis" a puncture through the skin, a biopsy Diagnostic).

mod device_work;
mod devices;
mod donor;
mod implants;
mod joints;
mod negation;
mod other_sections;
mod qualifiers;
mod reading;
mod removal;
mod sections;
mod steer;
mod substance;

pub(super) use donor::graft_donor_apart;
pub(super) use negation::{Said, read as read_negation};
pub(super) use other_sections::title_labels;
pub(super) use reading::read as read_operative_words;
pub(super) use removal::device_removal_apart;

use super::substring::find;
use super::{Searcher, Term, title_facts};
use crate::search::synonyms::MAX_KEY_WORDS;
use crate::search::text::words;
use crate::search::text::{index_words, is_soft_word, is_stop_word};
use crate::search::{System, range};
use device_work::DeviceWork;
use devices::Device;
use implants::Implant;
use joints::Joint;
use negation::Raw;
use qualifiers::Qualifiers;
use sections::Contrast;

/// Points a complete PCS code earns when its approach (5th character) is the
/// one the words name, or imply.
const APPROACH_NAMED: f32 = 4.0;
const APPROACH_IMPLIED: f32 = 3.0;
/// A scope named (Via Natural or Artificial Opening Endoscopic, 8) also
/// counts as the words its label in the code's title has beyond the
/// shortest label's two ("Open Approach"): "cystoscopy" says
/// "Via Natural or Artificial Opening Endoscopic Approach". Points per share
/// of the title's words those take, as a text's coverage of the query earns
/// them (the weight of coverage in `Searcher::score`). Without them a long
/// approach label loses to a short one on coverage alone.
const APPROACH_WORDS: f32 = 30.0;
/// Points for the qualifier (7th character) the words ask for: Diagnostic
/// (X) for a biopsy, not Diagnostic when "therapeutic".
const QUALIFIER: f32 = 4.0;
/// Points for the External approach in the mouth and throat when the words
/// name none (a tie-break among the row's approaches).
const MUCOSA_EXTERNAL: f32 = 0.5;
/// Points for Excision (root operation B) when the words say biopsy: the PCS
/// Index sends "Biopsy" to Drainage or Excision, Diagnostic; a piece of
/// tissue cut out is Excision, Drainage the fluid taken (PCS Definitions).
const BIOPSY_EXCISION: f32 = 1.0;
/// Points for the Peripheral Vein (body part 3) of an Introduction (3E0) or a
/// Transfusion (302) when the words name no central vein or line: a drug or
/// blood product "IV" runs into a peripheral vein (the PCS Index lists
/// "Vein, Peripheral" and "Vein, Central" under each substance; the central
/// one needs a central line). A tie-break among the rows the words reach.
const PERIPHERAL_VEIN: f32 = 0.5;
/// Points for an Administration (section 3) through the skin, Percutaneous,
/// when the words name no approach: an IV line or a needle is a puncture
/// (PCS Definitions, Percutaneous: "entry, by puncture or minor incision");
/// and for its "Other" substance value when no word names the substance
/// (the tables' catch-all: "Other Hormone", "Other Antineoplastic"). Tie-breaks.
const ADMINISTRATION_PERCUTANEOUS: f32 = 0.5;
const OTHER_SUBSTANCE: f32 = 0.3;
/// Points for a Transfusion (302) of Nonautologous blood (qualifier 1) when
/// the words do not say autologous: banked donor blood is what a transfusion
/// order gives unless the record says the patient's own (PCS Definitions,
/// qualifier of Transfusion: Autologous, Nonautologous). A tie-break.
const NONAUTOLOGOUS: f32 = 0.5;
/// Points for a Bypass (root operation 1) to Cutaneous when the words name
/// a stoma, and for an Internal Fixation Device when they say ORIF.
const STOMA: f32 = 3.0;
const INTERNAL_FIXATION: f32 = 3.0;
/// Points an HCPCS supply or quality-data code loses in a procedure search.
const NOT_A_PROCEDURE: f32 = 20.0;
/// Points a New Technology (section X) code loses: the section holds codes
/// for technologies a coder reports only when the record names them
/// (ICD-10-PCS guideline: section X codes "for new technology", e.g. a
/// named device or substance); the words naming it outweigh this, and
/// "new technology" said waives it.
const NEW_TECHNOLOGY: f32 = 25.0;
/// Points for a code whose body part the surgeon's "-ectomy" names
/// ("hemithyroidectomy": Thyroid Gland Lobe; "vasectomy": Vas Deferens),
/// among the body parts of the table the Index sends it to.
const ORGAN_NAMED: f32 = 3.0;

/// What a query's words say of a PCS code's characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PcsWords {
    /// The approach (5th character) and whether the words named it.
    approach: Option<(u8, bool)>,
    /// Diagnostic (true) or therapeutic (false).
    diagnostic: Option<bool>,
    /// The words say biopsy: tissue taken.
    biopsy: bool,
    /// The words name a central vein or a central line.
    central: bool,
    /// The words say the patient's own blood or tissue.
    autologous: bool,
    /// The words name a stoma made to the skin ("ileostomy").
    stoma: bool,
    /// The words say internal fixation ("ORIF").
    internal_fixation: bool,
    /// The device (6th character) the words name.
    device: Option<Device>,
    /// The implants the words name by what they are (a PICC, a port, a
    /// pacemaker and its leads): `implants`.
    implants: Vec<Implant>,
    /// No approach named, and the words say a catheter's work in a vessel
    /// (`implants::through_a_vessel`): Percutaneous in the heart and vessels.
    vessel_puncture: bool,
    /// The words say no device was left ("no stent placed", "without mesh"):
    /// No Device (Z). A negated device word names no device.
    no_device: bool,
    /// Cemented (true) or uncemented (false): the qualifier of a joint
    /// replacement (table 0SR: 9 Cemented, A Uncemented).
    cemented: Option<bool>,
    /// A total joint and its bearing surface (`joints`).
    joint: Joint,
    /// What each "-ectomy" word holds before its ending ("hemithyroid").
    organs: Vec<String>,
    /// The qualifiers a few tables give by surgeons' words.
    qualifiers: Qualifiers,
    /// A device put in, taken out or revised; a clip or band named.
    device_work: DeviceWork,
    /// The query's words, phrases joined (`substance`).
    words: Vec<String>,
    /// The words name an HCPCS service or supply itself (`sections`).
    names_hcpcs: bool,
    /// The words say "new technology" (section X).
    new_technology: bool,
    /// What the words say of an image's contrast (section B).
    contrast: Contrast,
    /// What the words say of the other sections' axes (`other_sections`).
    other: other_sections::OtherSections,
    /// A search of procedures: HCPCS supplies, equipment and quality-data
    /// codes come after the procedures the words name.
    pub(crate) procedures: bool,
}

/// The approach a word names (PCS Definitions, approach axis; the PCS Index:
/// "laparoscopic" is Percutaneous Endoscopic).
fn named_approach(w: &str) -> Option<u8> {
    let w = scope_form(w);
    Some(match w.as_ref() {
        // ORIF: open reduction internal fixation.
        "open" | "laparotomy" | "ex lap" | "exlap" | "thoracotomy" | "craniotomy"
        | "arthrotomy" | "orif" => b'0',
        // The abbreviation spells it out: percutaneous coronary intervention,
        // percutaneous endoscopic gastrostomy, peripherally inserted central
        // catheter, transcatheter aortic valve replacement.
        // PTA: percutaneous transluminal angioplasty.
        "percutaneous" | "perc" | "transfemoral" | "transcatheter" | "endovascular" | "needle"
        | "pci" | "ptca" | "pta" | "transluminal" | "peg" | "picc" | "tavr" | "tavi"
        // Endovenous: a catheter through a puncture of the vein.
        | "endovenous" => b'3',
        // Scopes entered through a small incision of the skin, not a natural
        // opening: the mediastinum, the pleura, the peritoneum.
        "laparoscopic" | "laparoscopically" | "lap" | "laparoscopy" | "arthroscopic"
        | "arthroscopy" | "thoracoscopic" | "thoracoscopy" | "vats" | "robotic"
        | "mediastinoscopy" | "mediastinoscopic" | "pleuroscopy" | "peritoneoscopy" => b'4',
        // Through a natural opening, no scope: the nose, the urethra, the
        // vagina (a LEEP, a D&C).
        "vaginal" | "transvaginal" | "ng tube" | "nasogastric" | "nasogastric tube" | "foley"
        | "foley catheter" | "leep" | "dc" => b'7',
        // BAL: the PCS Index's "Lavage, Bronchial alveolar, diagnostic", done
        // through the bronchoscope.
        "transurethral" | "egd" | "ercp" | "cysto" | "turp" | "turbt" | "bal" => b'8',
        "closed" | "external" | "extracorporeal" | "eswl" => b'X',
        // A scope through a natural opening ("colonoscopy", "ureteroscopic").
        _ if (w.ends_with("oscopy") || w.ends_with("oscopic")) => b'8',
        _ => return None,
    })
}

/// A scope's instrument or adverb as its procedure's word: "through the
/// anoscope" is an anoscopy, "arthroscopically" arthroscopic (the approach
/// the instrument enters by is the scope's).
fn scope_form(w: &str) -> std::borrow::Cow<'_, str> {
    if let Some(stem) = w.strip_suffix("oscope").filter(|s| s.len() >= 2) {
        format!("{stem}oscopy").into()
    } else if let Some(stem) = w.strip_suffix("oscopically").filter(|s| s.len() >= 2) {
        format!("{stem}oscopic").into()
    } else {
        w.into()
    }
}

/// The share of a PCS title's searchable words its approach label (after the
/// last ", ", ending in "Approach") has beyond two: 4 of 11 for "Dilation of
/// Ureter, Left, Intraluminal Device, Via Natural or Artificial Opening
/// Endoscopic Approach" ("or" and "of" are stop words), none for "Open
/// Approach" or "Percutaneous Approach".
pub(super) fn approach_share(title: &str) -> f32 {
    let Some((_, label)) = title.rsplit_once(", ") else {
        return 0.0;
    };
    if !label.ends_with(" Approach") {
        return 0.0;
    }
    let all = index_words(title).len().max(1);
    index_words(label).len().saturating_sub(2) as f32 / all as f32
}

/// The approach a word implies: a "-centesis" or a puncture is through the
/// skin (Percutaneous: "entry, by puncture or minor incision").
fn implied_approach(w: &str) -> Option<u8> {
    let through_skin = w.ends_with("centesis")
        || matches!(
            w,
            "puncture" | "tap" | "aspiration" | "cath" | "catheterization" | "iv" | "intravenous"
            // A burr hole or twist drill hole is a minor incision; a
            // pigtail catheter goes in over a needle's wire.
            | "burr" | "twist" | "pigtail"
            // Image-guided ("CT guided", "ultrasound guided"): a needle or
            // catheter through the skin under the image.
            | "guided" | "guidance"
            // A core biopsy, a fine needle aspiration (FNA) and a lumbar
            // puncture (LP) are needle work; bone marrow is reached by a
            // needle through the bone (table 07D Extraction of Bone Marrow:
            // Open or Percutaneous only).
            | "core" | "fna" | "lp" | "marrow"
        );
    through_skin.then_some(b'3')
}

/// Whether the words send fluid "for culture(s)" from the procedure itself
/// ("aspiration of the knee for culture"): taken to diagnose. Cultures sent
/// from a procedure done to treat ("I&D of abscess, cultures sent", "fluid
/// sent for culture") do not make it Diagnostic.
fn taken_for_cultures(raw: &Raw) -> bool {
    (2..raw.words.len()).any(|j| {
        matches!(raw.word(j), "culture" | "cultures")
            && raw.word(j - 1) == "for"
            && !matches!(
                raw.word(j - 2),
                "sent"
                    | "send"
                    | "sending"
                    | "obtained"
                    | "taken"
                    | "collected"
                    | "specimen"
                    | "specimens"
                    | "sample"
                    | "samples"
                    | "swab"
                    | "swabs"
            )
    })
}

impl PcsWords {
    /// What the query's words (phrases kept whole) say; `query` as typed
    /// gives the clauses and the stop words ("for cultures").
    pub(crate) fn of(query: &str, words: &[String]) -> PcsWords {
        let mut out = PcsWords::default();
        let raw = Raw::of(query);
        let singles = || {
            words
                .iter()
                .flat_map(|w| std::iter::once(w.as_str()).chain(w.split(' ')))
        };
        let named: Vec<u8> = singles().filter_map(named_approach).collect();
        let lap = named.contains(&b'4');
        out.approach = if lap && named.contains(&b'7') {
            // Laparoscopic-assisted vaginal: Via Natural or Artificial
            // Opening With Percutaneous Endoscopic Assistance.
            Some((b'F', true))
        } else if let Some(&a) = named.first() {
            Some((a, true))
        } else {
            singles()
                .find_map(implied_approach)
                .or_else(|| qualifiers::implied_by_procedure(&singles().collect::<Vec<_>>()))
                .map(|a| (a, false))
        };
        let flat: Vec<&str> = words.iter().flat_map(|w| w.split(' ')).collect();
        let said = negation::read(query, words);
        out.read_devices(words, &said, &raw);
        out.implants = implants::read(&flat);
        out.joint = Joint::of(&flat);
        let stent = matches!(
            out.device,
            Some(Device::Stent { .. } | Device::Branched { .. })
        );
        out.vessel_puncture =
            out.approach.is_none() && implants::through_a_vessel(&flat, &out.implants, stent);
        out.qualifiers = Qualifiers::of(&flat, &raw, out.device);
        out.device_work = DeviceWork::of(&flat);
        out.words = words.to_vec();
        if taken_for_cultures(&raw) {
            out.diagnostic = Some(true);
        }
        // The PCS Index: "Aspiration, fine needle, Tissue biopsy — see
        // Excision with qualifier Diagnostic".
        if flat.contains(&"fna") || flat.windows(2).any(|t| t == ["fine", "needle"]) {
            out.diagnostic = Some(true);
        }
        // The surgeon's pins or wires read as the device they are
        // ("pinning": "internal fixation device", pcs_surgeon_terms.tsv).
        if flat.windows(2).any(|t| t == ["internal", "fixation"]) {
            out.internal_fixation = true;
        }
        out.names_hcpcs = other_sections::names_hcpcs(&raw.words);
        out.other = other_sections::OtherSections::of(&raw.words);
        out.new_technology = flat.windows(2).any(|t| t == ["new", "technology"]);
        out.contrast = Contrast::of(&raw);
        for w in singles() {
            match w {
                "biopsy" | "bx" => {
                    out.diagnostic = Some(true);
                    out.biopsy = true;
                }
                // The PCS Index: "Lavage, Bronchial alveolar, diagnostic".
                // ("for cultures": `taken_for_cultures`.)
                "diagnostic" | "dx" | "sampling" | "bal" => out.diagnostic = Some(true),
                // A central venous catheter's tip is in a central vein; a
                // PICC's too (the PCS Index: PICC, use Infusion Device, in
                // the Superior Vena Cava).
                "central" | "cvc" | "picc" | "port" => out.central = true,
                "autologous" | "autotransfusion" | "own" => out.autologous = true,
                "orif" | "internal fixation" => out.internal_fixation = true,
                // Pins and wires left in a bone hold it: the Device Key,
                // "Kirschner wire (K-wire) use Internal Fixation Device"
                // (pinning with or without a reduction, tables 0PS / 0PH).
                "pinning" | "pinned" | "pins" | "kwire" | "kwires" | "kirschner" | "wire"
                | "wires" => {
                    out.internal_fixation = true;
                }
                // An "-ostomy" brings a tubular body part to the skin: a
                // Bypass to Cutaneous (PCS Index: "Ileostomy — see Bypass,
                // Ileum 0D1B"; "Tracheostomy Device, Bypass, Trachea" 0B110F4,
                // qualifier Cutaneous).
                _ if w.ends_with("ostomy") => out.stoma = true,
                _ if w.len() >= 9 && w.ends_with("ectomy") => {
                    out.organs.push(w.trim_end_matches("ectomy").to_string());
                }
                // A large-volume paracentesis takes fluid off to treat.
                "therapeutic" | "large volume" => out.diagnostic = Some(false),
                _ => {}
            }
        }
        out
    }
}

/// A scope through a natural opening ("cystoscopy", "EGD", "cysto"): the
/// approach, not the procedure, when another procedure is done "with" it.
fn is_scope(w: &str) -> bool {
    let w = scope_form(w);
    matches!(w.as_ref(), "egd" | "cysto" | "ercp")
        || w.ends_with("oscopy")
        || w.ends_with("oscopic")
}

/// "Cystoscopy with biopsy", "EGD with control of bleeding": two procedures
/// in one phrase; the one done through the scope is the code (ICD-10-PCS
/// guideline B3.11a: "Inspection of a body part(s) performed in order to
/// achieve the objective of a procedure is not coded separately"), the scope
/// names its approach and, when the words name none, its body part. The
/// scope's word narrows.
///
/// In a search of procedures, "fracture" (or "fx") says why, not what: the
/// root operation is in the other words ("ORIF right lateral malleolus
/// fracture"), as "aneurysm" ("coiling of basilar artery aneurysm"); and a
/// flexible or rigid scope is the same approach.
pub(super) fn soften_surgeon_words(terms: &mut [Term], said: &[Said], procedures: bool) {
    let scope = terms.iter().position(|t| is_scope(&t.word));
    let typed: Vec<String> = terms.iter().map(|t| t.word.clone()).collect();
    // A clot taken out: the PCS Index's "Thrombectomy — see Extirpation",
    // "Embolectomy — see Extirpation" (Definitions, Extirpation: "The solid
    // matter may be ... a blood clot"). The vessel's "occlusion" or
    // "thrombosis" beside it is what the clot did, not the Occlusion done.
    let clot_out = typed
        .iter()
        .any(|w| matches!(w.as_str(), "thrombectomy" | "embolectomy"));
    for (i, t) in terms.iter_mut().enumerate() {
        // An aneurysm is why a vessel is clipped, coiled or stented: no
        // PCS title names it (the PCS Index: "Clipping, aneurysm — see
        // Occlusion using Extraluminal Device"), the artery is the body part.
        let why = matches!(
            t.word.as_str(),
            "fracture" | "fractures" | "fx" | "aneurysm" | "aneurysms" | "aneurysmal"
        );
        let instrument = matches!(t.word.as_str(), "flexible" | "rigid" | "fiberoptic");
        let setting =
            other_sections::names_setting(&t.word) || other_sections::record_quantity(&typed, i);
        let clot = clot_out
            && matches!(
                t.word.as_str(),
                "occlusion" | "occluded" | "occlusive" | "thrombosis" | "thrombus" | "clot"
            );
        if procedures && (why || clot || setting || (instrument && scope.is_some())) {
            t.soft = true;
        }
    }
    if procedures {
        soften_digit_names(terms);
        devices::drop_said_of_devices(terms, said);
        joints::drop_prosthesis_words(terms);
    }
    let Some(scope) = scope else {
        return;
    };
    let with = terms[scope + 1..]
        .iter()
        .position(|t| matches!(t.word.as_str(), "with" | "w"));
    let done_with = with.is_some_and(|at| terms[scope + 1 + at + 1..].iter().any(|t| !t.soft));
    // A device placed ("cystoscopy, left ureteral stent placed"): through the
    // scope, as after "with".
    let device = terms.iter().zip(said).any(|(t, s)| {
        procedures
            && !s.denied_device
            && t.word != terms[scope].word
            && negation::names_device(&t.word)
    });
    // The instrument the work went through ("ligation through an
    // anoscope", "biopsy via bronchoscopy"): the approach, not a procedure.
    let through = terms[..scope]
        .iter()
        .rev()
        .find(|t| !is_stop_word(&t.word))
        .is_some_and(|t| matches!(t.word.as_str(), "through" | "via" | "using"));
    let other = |t: &Term| {
        !t.soft
            && !is_scope(&t.word)
            && !is_stop_word(&t.word)
            && !matches!(t.word.as_str(), "through" | "using")
    };
    if through && terms.iter().any(other) {
        terms[scope].soft = true;
        let at = terms[..scope].iter().rposition(|t| !is_stop_word(&t.word));
        if let Some(at) = at {
            match_nothing(&mut terms[at]);
        }
    }
    if done_with || device {
        terms[scope].soft = true;
        // The "with" joins the two procedures: it is not the "With" of an
        // approach ("With Percutaneous Endoscopic Assistance") to match.
        if let Some(at) = with {
            match_nothing(&mut terms[scope + 1 + at]);
        }
    }
}

/// Which metacarpal or metatarsal ("fifth metatarsal", "2nd metacarpal"):
/// the tables' body part values are the bone and its side (0PSP Metacarpal,
/// Right; 0QSN Metatarsal, Right), so the ray's number narrows nothing a
/// title holds. (Fingers and toes keep theirs: Detachment names them, 0X6
/// Index Finger, 0Y6 2nd Toe.)
fn soften_digit_names(terms: &mut [Term]) {
    for i in 1..terms.len() {
        let bone = matches!(terms[i].word.as_str(), "metacarpal" | "metatarsal");
        let named = matches!(
            terms[i - 1].word.as_str(),
            "first"
                | "second"
                | "third"
                | "fourth"
                | "fifth"
                | "1st"
                | "2nd"
                | "3rd"
                | "4th"
                | "5th"
        );
        if bone && named {
            terms[i - 1].soft = true;
        }
    }
}

/// A term that no word of a text holds, and that narrows: what it said is
/// read elsewhere (by `PcsWords`), not matched against titles.
fn match_nothing(t: &mut Term) {
    (t.lo, t.hi, t.exact, t.plural) = (0, 0, None, None);
    (t.stem_lo, t.stem_hi) = (0, 0);
    t.fuzzy.clear();
    t.phrases.clear();
    t.soft = true;
}

impl Searcher<'_> {
    /// Runs of words the synonym lists know as one phrase ("hernia repair"),
    /// longest first, joined into one word with spaces; a phrase ending in a
    /// plural is known by its singular ("saphenous vein grafts").
    pub(super) fn join_phrases(&self, words: Vec<String>) -> Vec<String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let longest = (2..=MAX_KEY_WORDS.min(words.len() - i))
                .rev()
                .find_map(|n| self.phrase_key(&words[i..i + n]).map(|k| (n, k)));
            match longest {
                Some((n, key)) => {
                    out.push(key);
                    i += n;
                }
                None => {
                    out.push(words[i].clone());
                    i += 1;
                }
            }
        }
        out
    }

    /// The synonym key a run of words is, as typed or with its last word
    /// singular.
    fn phrase_key(&self, run: &[String]) -> Option<String> {
        let joined = run.join(" ");
        if self.is_synonym(&joined) {
            return Some(joined);
        }
        let singular = joined.strip_suffix('s').filter(|s| !s.ends_with('s'))?;
        self.is_synonym(singular).then(|| singular.to_string())
    }

    /// The term of a phrase of several words: its own words together, or one
    /// of the phrases it stands for.
    pub(super) fn phrase_term(&self, w: &str) -> Term {
        let mut t = Term {
            len: w.len(),
            word: w.to_string(),
            ..Term::default()
        };
        let own: Option<Vec<u32>> = w.split(' ').map(|x| self.vocab_id(x)).collect();
        if let Some(own) = own {
            t.phrases.push(own);
        }
        let own = t.phrases.len();
        if let Some(k) = self.synonym_key(w) {
            for p in range(&self.ix.synonym_phrase_ends, k) {
                let phrase = &self.ix.phrase_words[range(&self.ix.phrase_word_ends, p)];
                if !phrase.is_empty()
                    && phrase.iter().all(|&x| x != u32::MAX)
                    && !t.phrases.iter().any(|q| q == phrase)
                {
                    t.phrases.push(phrase.to_vec());
                }
            }
        }
        // A phrase standing only for words that narrow ("both eyes":
        // bilateral) narrows too.
        let synonyms = &t.phrases[own.min(t.phrases.len())..];
        t.soft = !synonyms.is_empty()
            && synonyms
                .iter()
                .flatten()
                .all(|&x| is_soft_word(self.ix.vocab.get(x as usize)));
        t.estimate = t
            .phrases
            .iter()
            .map(|p| p.iter().map(|&x| self.postings(x).len()).min().unwrap_or(0))
            .sum();
        t
    }

    /// Points an HCPCS Level II code loses in a search of procedures when it
    /// is no procedure: medical and surgical supplies (A4000-A9999), durable
    /// medical equipment (E), temporary DME codes (K), orthotics and
    /// prosthetics (L), drugs (J: "drugs administered other than oral
    /// method", chemotherapy drugs), the Q codes of drugs and vaccines (Q20),
    /// casting and splint supplies (Q40), skin substitutes (Q41) and
    /// biosimilars (Q5), and the quality-data codes reported with a service
    /// (G8xxx, G9xxx): "diagnostic colonoscopy" is the procedure, not G9937;
    /// "short arm cast" is Immobilization (2W3), not Q4009's supplies.
    fn not_a_procedure(&self, e: usize) -> f32 {
        let key = self.ix.keys.get(e).as_bytes();
        let supply = match key.first() {
            Some(b'A') => key.get(1).is_some_and(|&c| (b'4'..=b'9').contains(&c)),
            Some(b'E' | b'J' | b'K' | b'L') => true,
            Some(b'G') => matches!(key.get(1), Some(b'8' | b'9')),
            Some(b'Q') => {
                matches!(key.get(1..3), Some(b"20" | b"40" | b"41")) || key.get(1) == Some(&b'5')
            }
            // Vision supplies (V2xxx): lenses, frames, intraocular lenses.
            Some(b'V') => key.get(1) == Some(&b'2'),
            _ => false,
        };
        let service = if self.pcs_words.names_hcpcs {
            0.0
        } else {
            sections::HCPCS_SERVICE
        };
        service + if supply { NOT_A_PROCEDURE } else { 0.0 }
    }

    /// Whether a word of the query ending in "-ectomy" holds a word of the
    /// code's title that names its body part ("hemithyroidectomy" holds
    /// "thyroid"; "vasectomy" "vas"; "appendectomy" "appen(dix)").
    fn ectomy_names_organ(&self, e: usize) -> bool {
        let organs = &self.pcs_words.organs;
        if organs.is_empty() {
            return false;
        }
        let ix = self.ix;
        // A titled code's body part is its 4th character's value: the codes
        // of a row share it, and it is read once a row a search (a code the
        // tables give no title is read alone).
        let titled = ix.entry_title.get(e).is_some_and(|&t| t != u32::MAX);
        let row = ix.keys.get(e).as_bytes().get(..4).filter(|_| titled);
        let row = row.map(|k| u32::from_be_bytes([k[0], k[1], k[2], k[3]]));
        if let Some(row) = row
            && let Some(&held) = self.organ_bodies.borrow().get(&row)
        {
            return held;
        }
        let title = ix.title(e);
        // The body part: "Resection of Thyroid Gland Lobe, Left, ..."
        // (`substring::find`: no string searcher built per title).
        let body = find(title, ", ").map_or(title, |i| &title[..i]);
        let body = find(body, " of ").map_or(body, |i| &body[i + " of ".len()..]);
        let held = words(body).iter().filter(|w| w.len() >= 3).any(|w| {
            let head = w.get(..5).unwrap_or(w);
            organs.iter().any(|o| o.contains(head))
        });
        if let Some(row) = row {
            self.organ_bodies.borrow_mut().insert(row, held);
        }
        held
    }

    /// Whether a key built from another code's characters is an ICD-10-PCS
    /// code of the tables (the External row of a measurement, the
    /// contrast-None image of a body part).
    fn pcs_exists(&self, key: &[u8]) -> bool {
        std::str::from_utf8(key).is_ok_and(|k| self.ix.find(System::Icd10Pcs, k).is_some())
    }

    /// Points an Administration (section 3) code earns: its peripheral
    /// vein, its percutaneous approach and its "Other" substance value when
    /// the words name none, its nonautologous blood unless they say
    /// autologous (tie-breaks).
    fn administration_bonus(&self, e: usize, key: &[u8]) -> f32 {
        let w = &self.pcs_words;
        let mut bonus = 0.0;
        if !w.central && (key.starts_with(b"3E03") || key.starts_with(b"3023")) {
            bonus += PERIPHERAL_VEIN;
        }
        if w.approach.is_none() && key[4] == b'3' {
            bonus += ADMINISTRATION_PERCUTANEOUS;
        }
        if self.title_has(e, title_facts::OTHER) {
            bonus += OTHER_SUBSTANCE;
        }
        if !w.autologous && key.starts_with(b"302") && key[6] == b'1' {
            bonus += NONAUTOLOGOUS;
        }
        bonus
    }

    /// Points a complete ICD-10-PCS code earns for the approach and
    /// qualifier the words say (none for other codes).
    pub(super) fn pcs_bonus(&self, e: usize) -> f32 {
        let w = &self.pcs_words;
        if self.ix.system(e) == System::Hcpcs && w.procedures {
            return -self.not_a_procedure(e);
        }
        if self.ix.system(e) != System::Icd10Pcs {
            return 0.0;
        }
        let key = self.ix.keys.get(e).as_bytes();
        if key.len() != 7 {
            return 0.0;
        }
        let mut bonus = 0.0;
        if key[0] == b'X' {
            bonus += self.new_technology(e, key);
        }
        if key[0] == b'0' && self.ectomy_names_organ(e) {
            bonus += ORGAN_NAMED;
        }
        if key[0] == b'3' {
            bonus += self.administration_bonus(e, key);
        }
        if w.stoma && key[0] == b'0' && key[2] == b'1' && self.title_has(e, title_facts::CUTANEOUS)
        {
            bonus += STOMA;
        }
        if w.internal_fixation
            && key[0] == b'0'
            && self.title_has(e, title_facts::INTERNAL_FIXATION)
        {
            bonus += INTERNAL_FIXATION;
        }
        // No approach said: in the mouth and throat (body system C), a
        // procedure on the mucous membrane is External (ICD-10-PCS
        // guideline B5.3a: "Resection of tonsils is coded to the approach
        // External").
        if w.approach.is_none() && key.starts_with(b"0C") && key[4] == b'X' {
            bonus += MUCOSA_EXTERNAL;
        }
        // Measurement and Monitoring (section 4) with no approach named:
        // taken from the skin, External (PCS Definitions, External:
        // "procedures performed directly on the skin or mucous membrane"),
        // where the table has it (EEG 4A00X4Z, Holter 4A12X45).
        // A loss for the other approaches of a row that has External, not a
        // gain: the External code keeps its score against other sections.
        if w.approach.is_none() && key[0] == b'4' && key[4] != b'X' {
            let mut external = *b"4000000";
            external.copy_from_slice(key);
            external[4] = b'X';
            if self.pcs_exists(&external) {
                bonus -= sections::MEASURED_EXTERNAL;
            }
        }
        // Heart and great vessels, arteries and veins (body systems 2-6).
        if w.vessel_puncture && key[0] == b'0' && (b'2'..=b'6').contains(&key[1]) && key[4] == b'3'
        {
            bonus += APPROACH_IMPLIED;
        }
        if let Some((a, named)) = w.approach
            && key[4] == a
        {
            bonus += if named {
                APPROACH_NAMED
                    + if a == b'8' {
                        APPROACH_WORDS * self.approach_share_of(e)
                    } else {
                        0.0
                    }
            } else {
                APPROACH_IMPLIED
            };
        }
        // Diagnostic is qualifier X in the Medical and Surgical section.
        if let Some(d) = w.diagnostic
            && key[0] == b'0'
            && (key[6] == b'X') == d
        {
            bonus += QUALIFIER;
        }
        if w.biopsy && key[0] == b'0' && key[2] == b'B' {
            bonus += BIOPSY_EXCISION;
        }
        bonus
            + self.device_bonus(e, key)
            + implants::bonus(&w.implants, key, self.ix.title(e))
            + w.qualifiers.bonus(key, self.ix.title(e))
            + w.joint.bonus(key, self.ix.title(e))
            + w.contrast.bonus(key, |k| self.pcs_exists(k))
            + w.device_work.bonus(key)
            + w.other
                .bonus(key, self.ix.title(e), &|held| self.any_title_label(e, held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(q: &str) -> PcsWords {
        PcsWords::of(q, &q.split(' ').map(String::from).collect::<Vec<_>>())
    }

    /// As a query's words reach `PcsWords`: hyphens and commas cut, stop
    /// words ("in", "of", "for") dropped.
    fn typed(q: &str) -> PcsWords {
        PcsWords::of(q, &crate::search::text::index_words(q))
    }

    #[test]
    fn scopes_image_guidance_and_pta_name_the_approach() {
        // PTA: percutaneous transluminal angioplasty (Definitions,
        // Percutaneous: "entry, by puncture or minor incision").
        for q in [
            "PTA right popliteal artery",
            "percutaneous transluminal angioplasty",
        ] {
            assert_eq!(typed(q).approach, Some((b'3', true)), "{q}");
        }
        // Image guidance implies a needle or catheter through the skin.
        for q in ["CT guided liver biopsy", "ultrasound guided thoracentesis"] {
            assert_eq!(typed(q).approach, Some((b'3', false)), "{q}");
        }
        // A named approach beats the guidance.
        assert_eq!(
            typed("ultrasound guided laparoscopic biopsy").approach,
            Some((b'4', true))
        );
        // Scopes through a natural opening (8); scopes through the skin (4).
        for q in [
            "hysteroscopy",
            "ERCP",
            "flexible sigmoidoscopy",
            "bronchoscopy",
        ] {
            assert_eq!(typed(q).approach, Some((b'8', true)), "{q}");
        }
        for q in ["mediastinoscopy", "thoracoscopic lobectomy", "VATS wedge"] {
            assert_eq!(typed(q).approach, Some((b'4', true)), "{q}");
        }
        // Fluid "for cultures" is taken to diagnose.
        assert_eq!(
            typed("bronchoalveolar lavage for cultures").diagnostic,
            Some(true)
        );
    }

    #[test]
    fn approach_words_name_the_fifth_character() {
        for (q, a) in [
            ("laparoscopic cholecystectomy", b'4'),
            ("lap appendectomy", b'4'),
            ("robotic prostatectomy", b'4'),
            ("open appendectomy", b'0'),
            ("ureteroscopy lithotripsy", b'8'),
            ("cystoscopy biopsy", b'8'),
            ("closed reduction radius", b'X'),
            ("percutaneous nephrostomy", b'3'),
            // The instrument and the adverb say the scope's approach.
            ("hemorrhoid banding through an anoscope", b'8'),
            ("biopsy via the bronchoscope", b'8'),
            ("appendectomy with the laparoscope", b'4'),
            ("rotator cuff repaired arthroscopically", b'4'),
        ] {
            assert_eq!(of(q).approach, Some((a, true)), "{q}");
        }
        assert_eq!(
            of("laparoscopic assisted vaginal hysterectomy").approach,
            Some((b'F', true))
        );
        // Implied: a puncture through the skin.
        for q in [
            "thoracentesis",
            "paracentesis left",
            "lumbar puncture",
            "arthrocentesis knee",
        ] {
            assert_eq!(of(q).approach, Some((b'3', false)), "{q}");
        }
        // A named approach wins over an implied one.
        assert_eq!(of("open thoracentesis").approach, Some((b'0', true)));
        assert_eq!(of("appendectomy").approach, None);
    }

    #[test]
    fn a_biopsy_is_diagnostic() {
        assert_eq!(of("liver biopsy").diagnostic, Some(true));
        assert!(of("bladder bx").biopsy);
        assert!(!of("diagnostic paracentesis").biopsy);
        assert_eq!(of("diagnostic paracentesis").diagnostic, Some(true));
        assert_eq!(of("therapeutic paracentesis").diagnostic, Some(false));
        let large = ["large volume".to_string(), "paracentesis".to_string()];
        assert_eq!(
            PcsWords::of("large volume paracentesis", &large).diagnostic,
            Some(false)
        );
        assert_eq!(of("cholecystectomy").diagnostic, None);
        // Cultures sent from a procedure done to treat do not make it
        // Diagnostic; fluid taken "for culture" does.
        for q in [
            "incision and drainage of abscess, cultures sent",
            "thoracentesis, fluid sent for culture",
        ] {
            assert_eq!(typed(q).diagnostic, None, "{q}");
        }
        assert_eq!(typed("knee aspiration for culture").diagnostic, Some(true));
        // BAL: "Lavage, Bronchial alveolar, diagnostic", through the scope.
        assert_eq!(of("bal right lower lobe").diagnostic, Some(true));
        assert_eq!(of("bal").approach, Some((b'8', true)));
    }

    #[test]
    fn stomas_fixation_and_the_blood_source_are_read_from_the_words() {
        assert!(of("loop ileostomy").stoma && of("end colostomy").stoma);
        assert!(!of("ileum resection").stoma);
        assert!(of("orif radius").internal_fixation);
        assert_eq!(of("orif radius").approach, Some((b'0', true)));
        assert!(!of("closed reduction radius").internal_fixation);
        assert!(typed("closed reduction and percutaneous pinning of radius").internal_fixation);
        assert!(typed("K-wire fixation of metacarpal").internal_fixation);
        // As the search reads them: the pins routed to their device's words.
        let q = "closed reduction percutaneous pinning right supracondylar humerus fracture";
        let routed = super::super::surgeon_route::route(index_words(q), true, true);
        assert!(PcsWords::of(q, &routed).internal_fixation);
        assert!(of("autologous transfusion").autologous);
        assert!(!of("transfusion red cells").autologous);
        assert!(of("central line transfusion").central && of("picc").central);
        assert!(!of("iv chemotherapy").central);
    }

    fn term(w: &str, soft: bool) -> Term {
        Term {
            word: w.to_string(),
            soft,
            ..Term::default()
        }
    }

    #[test]
    fn a_named_approach_counts_as_its_label_words() {
        // "Dilation of Ureter, Left, Intraluminal Device, Via Natural or
        // Artificial Opening Endoscopic Approach": 11 searchable words
        // (dilation ureter left intraluminal device via natural artificial
        // opening endoscopic approach), 6 of them the approach's: 4 beyond
        // the two of "Open Approach".
        let scope = "Dilation of Ureter, Left, Intraluminal Device, Via Natural or Artificial \
                     Opening Endoscopic Approach";
        assert!((approach_share(scope) - 4.0 / 11.0).abs() < 1e-6);
        // "Percutaneous Endoscopic Approach": 1 of 7 (resection fallopian
        // tubes bilateral percutaneous endoscopic approach).
        let lap = "Resection of Fallopian Tubes, Bilateral, Percutaneous Endoscopic Approach";
        assert!((approach_share(lap) - 1.0 / 7.0).abs() < 1e-6);
        let open = "Dilation of Ureter, Left, Intraluminal Device, Open Approach";
        assert_eq!(approach_share(open), 0.0);
        // Not an approach (Administration: the last axis is a qualifier).
        assert_eq!(
            approach_share("Introduction of Hormone into Peripheral Vein"),
            0.0
        );
    }

    #[test]
    fn a_scope_with_another_procedure_only_narrows() {
        let soft = |ws: &[(&str, bool)], procedures: bool| {
            let mut ts: Vec<Term> = ws.iter().map(|&(w, s)| term(w, s)).collect();
            let said = vec![Said::default(); ts.len()];
            soften_surgeon_words(&mut ts, &said, procedures);
            ts.iter().map(|t| t.soft).collect::<Vec<_>>()
        };
        // "cystoscopy with biopsy": the biopsy is the code.
        assert_eq!(
            soft(
                &[("cystoscopy", false), ("with", true), ("biopsy", false)],
                true
            ),
            [true, true, false]
        );
        // Nothing named after "with": the scope stays the procedure.
        assert_eq!(
            soft(
                &[("cystoscopy", false), ("with", true), ("left", true)],
                true
            ),
            [false, true, true]
        );
        assert_eq!(soft(&[("cystoscopy", false)], true), [false]);
        // The instrument narrows only beside a scope; "fracture" only among
        // procedures.
        assert_eq!(
            soft(&[("flexible", false), ("sigmoidoscopy", false)], true),
            [true, false]
        );
        assert_eq!(
            soft(&[("flexible", false), ("flatfoot", false)], true),
            [false, false]
        );
        assert_eq!(
            soft(&[("orif", false), ("fracture", false)], true),
            [false, true]
        );
        assert_eq!(soft(&[("fracture", false)], false), [false]);
        // An aneurysm, as a fracture, says why the artery is worked on.
        assert_eq!(
            soft(
                &[("coiling", false), ("basilar", false), ("aneurysm", false)],
                true
            ),
            [false, false, true]
        );
        assert_eq!(soft(&[("aneurysm", false)], false), [false]);
        // Beside a thrombectomy, the occlusion is what the clot did.
        assert_eq!(
            soft(
                &[
                    ("thrombectomy", false),
                    ("mca", false),
                    ("occlusion", false)
                ],
                true
            ),
            [false, false, true]
        );
        assert_eq!(
            soft(&[("embolectomy", false), ("thrombus", false)], true),
            [false, true]
        );
        assert_eq!(
            soft(&[("occlusion", false), ("tubes", false)], true),
            [false, false]
        );
        // Which digit narrows nothing a title holds.
        assert_eq!(
            soft(&[("fifth", false), ("metatarsal", false)], true),
            [true, false]
        );
        assert_eq!(
            soft(&[("second", false), ("toe", false)], true),
            [false, false]
        );
        // The scope the work went through is its approach.
        assert_eq!(
            soft(
                &[
                    ("ligation", false),
                    ("hemorrhoids", false),
                    ("through", false),
                    ("an", false),
                    ("anoscope", false)
                ],
                true
            ),
            [false, false, true, false, true]
        );
        // Nothing else named: the scope is the procedure.
        assert_eq!(
            soft(&[("through", false), ("bronchoscopy", false)], true),
            [false, false]
        );
    }
}
