//! The devices surgeons' words name (a stent, its kind and count; a plate,
//! a nail, a graft, mesh, a drain) and the 6th character of a PCS code they
//! pick, the cement a joint replacement's qualifier says, and the words of a
//! procedure search that say how rather than what (image guidance, "no stent
//! placed").

use super::negation::{Raw, Said};
use super::{PcsWords, match_nothing};
use crate::search::query::{Searcher, Term};

/// Points for the device (6th character) the words name: a stent is an
/// Intraluminal Device, "drug-eluting" its Drug-eluting kind, "two stents"
/// its Two; a plate or screws an Internal Fixation Device, a nail or rod its
/// Intramedullary kind; an autograft, an allograft and mesh the Autologous,
/// Nonautologous and Synthetic Substitutes; a drain left in place a Drainage
/// Device (PCS Index: "Stent — use Intraluminal Device", "Autograft — use
/// Autologous Tissue Substitute", "Allograft — use Nonautologous Tissue
/// Substitute"; Definitions, Device Aggregation). And for No Device when the
/// words say none was left ("no stent placed", "without mesh"), and for the
/// Cemented or Uncemented qualifier of a joint replacement.
const DEVICE_NAMED: f32 = 4.0;
/// Points per share of a title's words a named device's label of three
/// words or more takes (the weight of coverage, as `super::APPROACH_WORDS`).
const DEVICE_WORDS: f32 = super::APPROACH_WORDS;
const CEMENT: f32 = 4.0;

/// A device the words name, by the label of the 6th character it is in the
/// PCS tables (the same label in every table that has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Device {
    /// A stent: an Intraluminal Device, drug-eluting or not (bare metal, or
    /// the kind unsaid), and how many (1 to 4, "Four or More").
    Stent { drug: bool, count: u8 },
    /// A plate or screws: an Internal Fixation Device, not intramedullary.
    Fixation,
    /// A nail or rod in the medullary canal: Internal Fixation Device,
    /// Intramedullary.
    Intramedullary,
    /// An autograft: Autologous Tissue Substitute.
    Autologous,
    /// An allograft: Nonautologous Tissue Substitute.
    Nonautologous,
    /// Mesh: Synthetic Substitute.
    Synthetic,
    /// A drain or catheter left in place: Drainage Device.
    Drainage,
    /// An interbody cage (Device Key: "Interbody fusion (spine) cage"; a
    /// TLIF, PLIF or ALIF places one): Interbody Fusion Device.
    Interbody,
    /// A fenestrated or branched aortic endograft (table 04V: Intraluminal
    /// Device, Branched or Fenestrated, One or Two Arteries, or Three or More
    /// Arteries).
    Branched { many: bool },
    /// The patient's own vein as a bypass conduit: Autologous Venous Tissue
    /// (Device Key: "Autologous vein graft").
    VenousGraft,
}

impl Device {
    /// Whether a PCS code's title has this device's label.
    fn in_title(self, title: &str) -> bool {
        match self {
            Device::Stent { drug, count } => {
                // The count after either label, spelled out whole: `contains`
                // of a short literal is a quick scan where `match_indices`
                // builds a string searcher per title.
                let counted =
                    |[device, drug]: [&str; 2]| title.contains(device) || title.contains(drug);
                const TWO: [&str; 2] = ["Intraluminal Device, Two", "Drug-eluting, Two"];
                const THREE: [&str; 2] = ["Intraluminal Device, Three", "Drug-eluting, Three"];
                const FOUR: [&str; 2] = [
                    "Intraluminal Device, Four or More",
                    "Drug-eluting, Four or More",
                ];
                // (The count last: most titles have no Intraluminal Device.)
                let count_ok = || match count {
                    1 => ![TWO, THREE, FOUR].into_iter().any(counted),
                    2 => counted(TWO),
                    3 => counted(THREE),
                    _ => counted(FOUR),
                };
                title.contains("Intraluminal Device")
                    && !title.contains("Branched or Fenestrated")
                    && title.contains("Drug-eluting") == drug
                    && count_ok()
            }
            Device::Fixation => {
                title.contains("Internal Fixation Device") && !title.contains("Intramedullary")
            }
            Device::Intramedullary => {
                title.contains("Internal Fixation Device, Intramedullary")
                    && !title.contains("Limb Lengthening")
            }
            Device::Autologous => title.contains("Autologous Tissue Substitute"),
            Device::Nonautologous => title.contains("Nonautologous Tissue Substitute"),
            // A telescope is named as one (08R: Synthetic Substitute,
            // Intraocular Telescope); a lens, mesh or cement is the plain J.
            Device::Synthetic => {
                title.contains("Synthetic Substitute") && !title.contains("Intraocular Telescope")
            }
            Device::Drainage => title.contains("Drainage Device"),
            Device::Interbody => title.contains("Interbody Fusion Device"),
            Device::Branched { many } => title.contains(if many {
                "Branched or Fenestrated, Three or More Arteries"
            } else {
                "Branched or Fenestrated, One or Two Arteries"
            }),
            Device::VenousGraft => title.contains("Autologous Venous Tissue"),
        }
    }

    /// The words of the device's label in a title ("Autologous Venous
    /// Tissue": 3), as `index_words` counts them.
    fn label_words(self) -> usize {
        match self {
            Device::Stent { drug, .. } => 2 + usize::from(drug),
            Device::Fixation | Device::Drainage => 2,
            Device::Intramedullary => 4,
            Device::Synthetic => 2,
            Device::Autologous | Device::Nonautologous | Device::Interbody => 3,
            Device::VenousGraft => 3,
            Device::Branched { .. } => 8,
        }
    }

    /// Which of two devices named the code takes: a nail over the screws
    /// that lock it; in a spinal fusion (ICD-10-PCS guideline B3.10c) an
    /// interbody device over the bone graft in it, and autologous bone over
    /// nonautologous when mixed; any graft over the screws or plate. Else
    /// the first named.
    fn rank(self) -> u8 {
        match self {
            Device::Fixation => 0,
            Device::Autologous | Device::Intramedullary => 2,
            Device::Interbody => 3,
            _ => 1,
        }
    }

    /// The device a word names, if any ("stents", "nail", "allograft").
    pub(super) fn named(w: &str) -> Option<Device> {
        Some(match w {
            // Device Key, Intraluminal Device: "Stent, intraluminal",
            // "Embolization coil(s)", the AAA endovascular grafts (an EVAR's
            // stent graft); a vena cava filter is an Intraluminal Device in
            // the Inferior Vena Cava (table 06H: D).
            "stent" | "stents" | "stenting" | "stented" | "des" | "bms" | "filter" | "coil"
            | "coils" | "endograft" | "endografts" | "evar" | "tevar" => Device::Stent {
                drug: w == "des",
                count: 1,
            },
            "fenestrated" | "branched" | "fevar" | "bevar" => Device::Branched { many: false },
            "interbody" | "cage" | "cages" | "tlif" | "plif" | "alif" | "xlif" | "dlif"
            | "llif" | "olif" => Device::Interbody,
            // Device Key, Synthetic Substitute: "Polymethylmethacrylate
            // (PMMA)" (bone cement), "Polypropylene mesh", the PTFE vascular
            // grafts (GORE PROPATEN); an intraocular lens (08R: J).
            "iol" | "pmma" | "cement" | "ptfe" | "eptfe" | "dacron" | "polypropylene" => {
                Device::Synthetic
            }
            // Device Key, Nonautologous Tissue Substitute: "Tissue bank
            // graft", "Bone bank bone graft", "Acellular Hydrated Dermis",
            // "Fish skin" (Kerecis).
            "cadaveric" | "cadaver" | "cryopreserved" | "homograft" | "nonautologous"
            | "kerecis" => Device::Nonautologous,
            "svg" | "gsv" => Device::VenousGraft,
            // Device Key, Internal Fixation Device: "Bone screw", "Kirschner
            // wire (K-wire)", "Neutralization plate"; Intramedullary:
            // "Intramedullary (IM) rod (nail)".
            "plate" | "plates" | "screw" | "screws" | "plating" | "wire" | "wires" | "wiring"
            | "kwire" => Device::Fixation,
            "nail" | "nailing" | "rod" | "rodding" | "intramedullary" | "cephalomedullary"
            | "im rod" | "im nail" => Device::Intramedullary,
            "autograft" | "autografts" => Device::Autologous,
            "allograft" | "allografts" | "xenograft" => Device::Nonautologous,
            // Device Key, Synthetic Substitute: "MitraClip valve repair
            // system".
            "mesh" | "mitraclip" => Device::Synthetic,
            "drain" | "drains" | "pigtail" => Device::Drainage,
            _ => return None,
        })
    }
}

/// How many a number word says ("two stents"), 2 to 4.
fn count_word(w: &str) -> Option<u8> {
    match w {
        "two" | "2" | "double" => Some(2),
        "three" | "3" => Some(3),
        "four" | "4" | "five" | "5" | "multiple" => Some(4),
        _ => None,
    }
}

/// Whether "drain" is the verb here, not the device: "to drain", "incise
/// and drain", "drain the abscess" (a Drainage, not a Drainage Device left).
fn drain_is_a_verb(raw: &Raw, j: usize) -> bool {
    let before = if j > 0 { raw.word(j - 1) } else { "" };
    matches!(before, "to" | "and" | "will" | "then" | "i" | "we")
        || matches!(
            raw.word(j + 1),
            "the" | "a" | "an" | "this" | "that" | "it" | "its" | "fluid" | "pus" | "abscess"
        )
}

/// One word of the query, with what the negation reader said of its word and
/// where it was typed.
struct Single<'a> {
    word: &'a str,
    denied: bool,
    raw: Option<usize>,
}

impl PcsWords {
    /// The device, its count and kind, and the cement the words say: each
    /// device word the negation reader did not deny (a denied one says No
    /// Device), the one the code takes by `Device::rank`; then the devices
    /// the words imply (`PcsWords::implied_device`).
    pub(super) fn read_devices(&mut self, words: &[String], said: &[Said], raw: &Raw) {
        let at = raw.align(words);
        let mut singles: Vec<Single> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let denied = said.get(i).is_some_and(|s| s.denied_device);
            for (k, p) in w.split(' ').enumerate() {
                let raw = at.get(i).copied().flatten().map(|j| j + k);
                singles.push(Single {
                    word: p,
                    denied,
                    raw,
                });
            }
        }
        let flat: Vec<&str> = singles.iter().map(|s| s.word).collect();
        for (i, s) in singles.iter().enumerate() {
            let w = s.word;
            match w {
                "cemented" => self.cemented = Some(true),
                "uncemented" | "cementless" | "noncemented" => self.cemented = Some(false),
                // A press-fit component holds without cement.
                "press" if flat.get(i + 1) == Some(&"fit") => self.cemented = Some(false),
                _ => {}
            }
            let Some(mut d) = Device::named(w) else {
                continue;
            };
            if w == "drain" && s.raw.is_some_and(|j| drain_is_a_verb(raw, j)) {
                continue;
            }
            if w == "cement" {
                // "without cement": uncemented, not No Device.
                self.cemented = Some(!s.denied);
                if s.denied {
                    continue;
                }
            }
            if s.denied {
                self.no_device = true;
                continue;
            }
            let before = &flat[i.saturating_sub(3)..i];
            match &mut d {
                Device::Stent { drug, count } => {
                    *drug |= before.contains(&"eluting") || before.contains(&"des");
                    if before.contains(&"bare") {
                        *drug = false;
                    }
                    // A double-J stent is one stent of that shape.
                    *count = (i.saturating_sub(3)..i)
                        .filter(|&k| !(flat[k] == "double" && flat.get(k + 1) == Some(&"j")))
                        .find_map(|k| count_word(flat[k]))
                        .unwrap_or(1);
                }
                // "fenestrated EVAR with three fenestrations", "four vessel".
                Device::Branched { many } => {
                    *many = flat.iter().filter_map(|b| count_word(b)).any(|n| n >= 3);
                }
                _ => {}
            }
            if self.device.is_none_or(|cur| d.rank() > cur.rank()) {
                self.device = Some(d);
            }
        }
        self.implied_device(&flat);
        // A catheter or tube said not to be left ("no catheter left").
        // ("without cement" says uncemented, above.)
        self.no_device |= said
            .iter()
            .zip(words)
            .any(|(s, w)| s.denied_device && !w.split(' ').any(|p| p == "cement"));
        if self.device.is_some() {
            self.no_device = false;
        }
    }
}

/// Words of a procedure search that say how, not what, and that no PCS
/// title holds as they mean it; `PcsWords` reads them:
/// - the imaging that guided a needle ("CT guided", "under ultrasound"):
///   the approach is Percutaneous, the imaging a code of its own (section
///   B), not the procedure;
/// - a device said not to be left ("no stent placed", "stent not placed"):
///   No Device, not the device's codes ("without" has its own reading);
/// - the kind of a stent no title names ("bare metal": Intraluminal Device);
/// - a drain "left in place": not the left side.
pub(super) fn drop_said_of_devices(terms: &mut [Term], said: &[Said]) {
    fn word(terms: &[Term], i: usize) -> &str {
        terms.get(i).map_or("", |t| t.word.as_str())
    }
    let mut drop = Vec::new();
    for i in 0..terms.len() {
        let (w, next) = (word(terms, i), word(terms, i + 1));
        let imaging = matches!(
            w,
            "ct" | "ultrasound"
                | "us"
                | "sonographic"
                | "fluoroscopic"
                | "fluoroscopy"
                | "fluoro"
                | "image"
                | "imaging"
                | "mri"
                | "cat"
        );
        if (imaging && matches!(next, "guided" | "guidance"))
            || matches!(w, "guided" | "guidance")
            || (imaging && i > 0 && word(terms, i - 1) == "under")
            || (w == "under" && imaging_next(next))
        {
            drop.push(i);
        }
        // What the negation reader said not to be there, and its "no",
        // "not", "none" ("without" keeps its own reading).
        if said.get(i).is_some_and(|s| s.unsaid) {
            drop.push(i);
        }
        if matches!(w, "stent" | "stents") {
            drop.extend(
                (i.saturating_sub(2)..i).filter(|&j| matches!(word(terms, j), "bare" | "metal")),
            );
        }
        if w == "left" && matches!(next, "place" | "inplace") {
            drop.extend([i, i + 1]);
        }
        if w == "placed" {
            drop.push(i);
        }
    }
    for i in drop {
        if let Some(t) = terms.get_mut(i) {
            match_nothing(t);
        }
    }
}

fn imaging_next(w: &str) -> bool {
    matches!(
        w,
        "ct" | "ultrasound" | "us" | "fluoroscopy" | "fluoro" | "imaging" | "mri"
    )
}

impl Searcher<'_> {
    /// Points a complete Medical and Surgical code earns for the device (6th
    /// character) and the cement (7th, in a joint replacement) the words say.
    pub(super) fn device_bonus(&self, e: usize, key: &[u8]) -> f32 {
        let w = &self.pcs_words;
        if key.first() != Some(&b'0')
            || (w.device.is_none() && !w.no_device && w.cemented.is_none())
        {
            return 0.0;
        }
        let title = self.ix.title(e);
        let mut bonus = 0.0;
        if let Some(d) = w.device
            && d.in_title(title)
        {
            // A label longer than the shortest (two words: "Drainage
            // Device") counts as the words that named it, as a named scope's
            // does (`super::approach_share`): against the row's No Device
            // code, which has no label, "Autologous Venous Tissue" is not put
            // below for its length. A two-word label earns only
            // `DEVICE_NAMED`.
            let all = self.title_word_count(e).max(1);
            let long = d.label_words();
            let long = if long > 2 { long } else { 0 };
            bonus += DEVICE_NAMED + DEVICE_WORDS * long as f32 / all as f32;
        }
        if w.no_device && key.get(5) == Some(&b'Z') {
            bonus += DEVICE_NAMED;
        }
        let cement = |c: bool| title.contains(if c { ", Cemented" } else { ", Uncemented" });
        if let Some(c) = w.cemented
            && cement(c)
        {
            bonus += CEMENT;
        }
        bonus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    /// As a query's words reach `PcsWords`: hyphens and commas cut, stop
    /// words ("in", "of", "for") dropped.
    fn typed(q: &str) -> PcsWords {
        PcsWords::of(q, &index_words(q))
    }

    fn term(w: &str) -> Term {
        Term {
            word: w.to_string(),
            hi: 1,
            ..Term::default()
        }
    }

    #[test]
    fn stents_are_read_with_their_kind_and_count() {
        let stent = |drug, count| Some(Device::Stent { drug, count });
        assert_eq!(
            typed("PTA with drug-eluting stent, right SFA").device,
            stent(true, 1)
        );
        assert_eq!(typed("PCI with one DES").device, stent(true, 1));
        assert_eq!(
            typed("PTA with two drug-eluting stents").device,
            stent(true, 2)
        );
        assert_eq!(
            typed("angioplasty with two bare metal stents").device,
            stent(false, 2)
        );
        assert_eq!(typed("three stents").device, stent(false, 3));
        // A double-J stent is one (0T7: Intraluminal Device, D).
        assert_eq!(
            typed("right double-J ureteral stent").device,
            stent(false, 1)
        );
        assert_eq!(typed("MitraClip").device, Some(Device::Synthetic));
        // A stent of unsaid kind is the Intraluminal Device (D).
        assert_eq!(
            typed("cystoscopy with left ureteral stent placement").device,
            stent(false, 1)
        );
        // Negation wins: No Device.
        for q in [
            "balloon angioplasty, no stent placed",
            "hernia repair without mesh",
            "PTA without stent",
            "stent not placed",
        ] {
            let w = typed(q);
            assert!(w.no_device && w.device.is_none(), "{q}: {w:?}");
        }
        assert!(!typed("PTA with stent").no_device);
    }

    #[test]
    fn a_drain_verb_filters_endografts_and_cement_are_read_as_the_tables_say() {
        // "drain" the verb is the Drainage, not a Drainage Device left.
        for q in [
            "incise and drain the abscess",
            "drain the liver abscess",
            "to drain fluid",
        ] {
            assert_eq!(typed(q).device, None, "{q}");
        }
        assert_eq!(typed("JP drain placed").device, Some(Device::Drainage));
        // Table 06H: a vena cava filter is the Intraluminal Device (D).
        assert_eq!(
            typed("IVC filter placement").device,
            Some(Device::Stent {
                drug: false,
                count: 1
            })
        );
        // Table 04V: E One or Two Arteries, F Three or More Arteries.
        assert_eq!(
            typed("fenestrated EVAR with two fenestrations").device,
            Some(Device::Branched { many: false })
        );
        assert_eq!(
            typed("fenestrated EVAR, four vessel").device,
            Some(Device::Branched { many: true })
        );
        let plain = "Restriction of Abdominal Aorta, Intraluminal Device, Percutaneous Approach";
        let fenestrated = "Restriction of Abdominal Aorta, Intraluminal Device, Branched or \
                           Fenestrated, One or Two Arteries, Percutaneous Approach";
        let stent = Device::Stent {
            drug: false,
            count: 1,
        };
        assert!(stent.in_title(plain) && !stent.in_title(fenestrated));
        assert!(Device::Branched { many: false }.in_title(fenestrated));
        // 08R: an IOL is J, not the telescope (0).
        let telescope = "Replacement of Lens, Right, Synthetic Substitute, Intraocular Telescope, \
                         Percutaneous Approach";
        assert!(!Device::Synthetic.in_title(telescope));
        // "without cement": Uncemented, not No Device.
        let hip = typed("total hip arthroplasty without cement");
        assert_eq!(hip.cemented, Some(false));
        assert!(!hip.no_device);
    }

    #[test]
    fn fixation_grafts_drains_and_cement_are_read_from_the_words() {
        assert_eq!(
            typed("ORIF with plate and screws").device,
            Some(Device::Fixation)
        );
        // A nail with interlocking screws is the nail.
        assert_eq!(
            typed("ORIF with cephalomedullary nail and interlocking screws").device,
            Some(Device::Intramedullary)
        );
        assert_eq!(
            typed("screws and intramedullary rod").device,
            Some(Device::Intramedullary)
        );
        assert_eq!(
            typed("hamstring autograft").device,
            Some(Device::Autologous)
        );
        assert_eq!(typed("ACL allograft").device, Some(Device::Nonautologous));
        assert_eq!(typed("repair with mesh").device, Some(Device::Synthetic));
        assert_eq!(
            typed("drainage, pigtail catheter left in place").device,
            Some(Device::Drainage)
        );
        assert_eq!(typed("drainage of abscess").device, None);
        assert_eq!(typed("total knee cemented").cemented, Some(true));
        assert_eq!(typed("total hip uncemented").cemented, Some(false));
        assert_eq!(typed("total hip, press fit").cemented, Some(false));
        assert_eq!(typed("total hip").cemented, None);
    }

    #[test]
    fn a_device_is_found_by_its_label_in_the_code_title() {
        // Titles as the tables give them (codeset::pcs: operation of body
        // part, device, qualifier, approach): 047K34Z, 047K35Z, 047K3DZ,
        // 02713DZ.
        let des = "Dilation of Femoral Artery, Right, Intraluminal Device, Drug-eluting, \
                   Percutaneous Approach";
        let des2 = "Dilation of Femoral Artery, Right, Intraluminal Device, Drug-eluting, Two, \
                    Percutaneous Approach";
        let bare = "Dilation of Femoral Artery, Right, Intraluminal Device, Percutaneous Approach";
        let coronary2 =
            "Dilation of Coronary Artery, Two Arteries, Intraluminal Device, Percutaneous Approach";
        let stent = |drug, count| Device::Stent { drug, count };
        assert!(stent(true, 1).in_title(des) && !stent(true, 1).in_title(des2));
        assert!(stent(true, 2).in_title(des2) && !stent(false, 2).in_title(des2));
        assert!(stent(false, 1).in_title(bare) && !stent(false, 1).in_title(des));
        // "Two Arteries" is the body part, not two stents.
        assert!(stent(false, 1).in_title(coronary2) && !stent(false, 2).in_title(coronary2));
        // 0QS606Z / 0QS604Z.
        let nail = "Reposition of Upper Femur, Right, Internal Fixation Device, Intramedullary, \
                    Open Approach";
        let plate = "Reposition of Upper Femur, Right, Internal Fixation Device, Open Approach";
        assert!(Device::Intramedullary.in_title(nail) && !Device::Intramedullary.in_title(plate));
        assert!(Device::Fixation.in_title(plate) && !Device::Fixation.in_title(nail));
        // 0MRN47Z / 0MRN4KZ: "Nonautologous" is not "Autologous".
        let auto = "Replacement of Knee Bursa and Ligament, Right, Autologous Tissue Substitute, \
                    Percutaneous Endoscopic Approach";
        let allo = "Replacement of Knee Bursa and Ligament, Right, Nonautologous Tissue \
                    Substitute, Percutaneous Endoscopic Approach";
        assert!(Device::Autologous.in_title(auto) && !Device::Autologous.in_title(allo));
        assert!(Device::Nonautologous.in_title(allo) && !Device::Nonautologous.in_title(auto));
        assert!(
            Device::Drainage
                .in_title("Drainage of Pelvic Cavity, Drainage Device, Percutaneous Approach")
        );
    }

    #[test]
    fn guidance_negated_devices_and_a_drain_left_in_place_match_nothing() {
        let kept = |q: &str| {
            let ws = index_words(q);
            let mut ts: Vec<Term> = ws.iter().map(|w| term(w)).collect();
            drop_said_of_devices(&mut ts, &super::super::read_negation(q, &ws));
            ts.iter()
                .filter(|t| t.hi != 0)
                .map(|t| t.word.clone())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(kept("CT guided liver biopsy"), "liver biopsy");
        assert_eq!(kept("PICC line under ultrasound"), "picc line");
        assert_eq!(
            kept("balloon angioplasty popliteal artery, no stent placed"),
            "balloon angioplasty popliteal artery"
        );
        assert_eq!(kept("stent not placed"), "");
        // "without" keeps its own reading (a code naming the device
        // contradicts it).
        assert_eq!(kept("repair without mesh"), "repair without mesh");
        assert_eq!(kept("PTA with bare metal stent"), "pta with stent");
        assert_eq!(
            kept("right pleural drainage, pigtail catheter left in place"),
            "right pleural drainage pigtail catheter"
        );
        // A left side stays.
        assert_eq!(kept("left chest tube"), "left chest tube");
        // The review's case: the stent of another clause stays.
        assert_eq!(kept("no drain; stent placed"), "stent");
        assert_eq!(kept("drains: none left"), "");
        // Only in a procedure search.
        let mut ts = vec![term("ct"), term("guided")];
        let said = vec![Said::default(); 2];
        super::super::soften_surgeon_words(&mut ts, &said, false);
        assert_eq!(ts[0].hi, 1);
        super::super::soften_surgeon_words(&mut ts, &said, true);
        assert_eq!(ts[0].hi, 0);
    }
}
