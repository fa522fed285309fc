//! The devices the words imply without naming them (a skin graft is the
//! patient's own skin, a kyphoplasty's cement a Synthetic Substitute, a
//! bypass "with reversed saphenous vein" Autologous Venous Tissue) and the
//! qualifiers (7th character) a few tables give by words surgeons write: the
//! thickness of a skin graft (0HR), the approach and column of a spinal
//! fusion (0RG, 0SG), a drug-coated balloon (047), the kind of ECMO (5A15).

use super::negation::Raw;
use super::{Device, PcsWords};

/// Points for the qualifier the words name, as a device's (the tables'
/// labels, one per code).
const QUALIFIER_NAMED: f32 = 4.0;
/// Points for the duration ECMO runs when the words do not say it was only
/// during the operation: Continuous (5A1522-). A tie-break.
const CONTINUOUS: f32 = 0.5;

/// Qualifier labels of the spinal fusion tables 0RG and 0SG (ICD-10-PCS
/// guideline B3.10c: the qualifier says the approach and the column).
const ANTERIOR: &str = "Anterior Approach, Anterior Column";
const POSTERIOR: &str = "Posterior Approach, Posterior Column";
const POSTERIOR_ANTERIOR: &str = "Posterior Approach, Anterior Column";

/// What the words say of a qualifier a few tables give.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Qualifiers {
    /// Full (true) or partial, split (false) thickness of a skin graft:
    /// table 0HR, 3 Full Thickness, 4 Partial Thickness.
    thickness: Option<bool>,
    /// The fusion qualifier's label (`ANTERIOR`, ...).
    column: Option<&'static str>,
    /// Table 047's qualifier 1 Drug-Coated Balloon.
    drug_balloon: bool,
    /// ECMO's qualifier (5A15: F Membrane, Central; G Membrane, Peripheral
    /// Veno-arterial; H Membrane, Peripheral Veno-venous) and whether it ran
    /// during the operation only (5th character A Intraoperative, else 2
    /// Continuous).
    ecmo: Option<u8>,
    intraoperative: bool,
    /// The words say ECMO.
    ecmo_said: bool,
}

fn has(flat: &[&str], w: &str) -> bool {
    flat.contains(&w)
}

/// Whether two words follow each other.
fn pair(flat: &[&str], a: &str, b: &str) -> bool {
    flat.windows(2).any(|x| x[0] == a && x[1] == b)
}

/// Words that say a bypass or its conduit.
fn conduit(flat: &[&str]) -> bool {
    flat.iter().any(|w| {
        matches!(
            *w,
            "graft" | "grafts" | "grafting" | "bypass" | "conduit" | "cabg" | "situ"
        )
    })
}

/// A skin graft: "STSG", "FTSG", "skin graft".
fn skin_graft(flat: &[&str]) -> bool {
    has(flat, "stsg") || has(flat, "ftsg") || (has(flat, "skin") && has(flat, "graft"))
}

impl PcsWords {
    /// The device the words imply when they name none (or only screws):
    /// - "in situ" or "reversed" saphenous vein, a vein graft: Autologous
    ///   Venous Tissue (Device Key: "Autologous vein graft"); a pedicled
    ///   internal mammary artery is no device (021: No Device with the
    ///   qualifier Internal Mammary);
    /// - autologous bone ("iliac crest bone graft", "local bone"): Autologous
    ///   Tissue Substitute; bone bank bone: Nonautologous ("Bone bank bone
    ///   graft"); a skin substitute: Nonautologous;
    /// - a skin graft, the patient's own skin: Autologous Tissue Substitute
    ///   (0HR: 7; an allograft or a substitute says so);
    /// - a kyphoplasty or vertebroplasty fills the body with cement: Synthetic
    ///   Substitute (Device Key: "Polymethylmethacrylate (PMMA)");
    /// - a pigtail catheter "left in place" ("in" is a stop word): a drain.
    pub(super) fn implied_device(&mut self, flat: &[&str]) {
        let vein = ["vein", "veins", "saphenous", "venous"]
            .iter()
            .any(|v| has(flat, v));
        let own_bone = has(flat, "icbg")
            || pair(flat, "iliac", "crest")
            || pair(flat, "local", "bone")
            || ((has(flat, "autologous") || has(flat, "autogenous")) && has(flat, "bone"));
        let implied = if vein && conduit(flat) {
            Some(Device::VenousGraft)
        } else if own_bone {
            Some(Device::Autologous)
        } else if pair(flat, "bone", "bank") || pair(flat, "skin", "substitute") {
            Some(Device::Nonautologous)
        } else if skin_graft(flat) {
            Some(Device::Autologous)
        } else if has(flat, "kyphoplasty")
            || has(flat, "vertebroplasty")
            || pair(flat, "intraocular", "lens")
            || pair(flat, "lens", "implant")
        {
            Some(Device::Synthetic)
        } else if pair(flat, "left", "place") || pair(flat, "in", "place") {
            Some(Device::Drainage)
        } else {
            None
        };
        if let Some(d) = implied
            && self
                .device
                .is_none_or(|cur| cur == Device::Fixation && d != Device::Drainage)
        {
            self.device = Some(d);
        }
    }
}

impl Qualifiers {
    /// What the query's words (`flat`, single words) and the words as typed
    /// (`raw`, stop words and hyphenated pieces kept: "V-A") say.
    pub(super) fn of(flat: &[&str], raw: &Raw, device: Option<Device>) -> Qualifiers {
        let mut q = Qualifiers::default();
        if has(flat, "ftsg") || pair(flat, "full", "thickness") {
            q.thickness = Some(true);
        } else if has(flat, "stsg")
            || pair(flat, "split", "thickness")
            || pair(flat, "partial", "thickness")
        {
            q.thickness = Some(false);
        }
        let posterior = ["posterior", "posterolateral", "pslf"]
            .iter()
            .any(|w| has(flat, w));
        q.column = if ["tlif", "plif", "transforaminal"]
            .iter()
            .any(|w| has(flat, w))
            || (posterior && device == Some(Device::Interbody))
        {
            Some(POSTERIOR_ANTERIOR)
        } else if posterior {
            Some(POSTERIOR)
        } else if ["anterior", "alif", "acdf"].iter().any(|w| has(flat, w))
            // A lateral or oblique interbody fusion reaches the anterior
            // column from the front of the psoas, not from behind: the
            // tables' Anterior Approach, Anterior Column.
            || ["xlif", "llif", "olif", "dlif"].iter().any(|w| has(flat, w))
        {
            Some(ANTERIOR)
        } else {
            None
        };
        q.drug_balloon = has(flat, "dcb")
            || (has(flat, "balloon") && (has(flat, "coated") || has(flat, "paclitaxel")));
        let ws: Vec<&str> = raw.words.iter().map(String::as_str).collect();
        let ecmo = has(&ws, "ecmo") || pair(&ws, "membrane", "oxygenation");
        q.ecmo_said = ecmo;
        if ecmo {
            let va = has(&ws, "va")
                || has(&ws, "venoarterial")
                || pair(&ws, "veno", "arterial")
                || pair(&ws, "v", "a");
            let vv = has(&ws, "vv")
                || has(&ws, "venovenous")
                || pair(&ws, "veno", "venous")
                || pair(&ws, "v", "v");
            q.ecmo = if has(&ws, "central") {
                Some(b'F')
            } else if va {
                Some(b'G')
            } else if vv {
                Some(b'H')
            } else {
                None
            };
            q.intraoperative = ["intraoperative", "intraop", "intraoperatively"]
                .iter()
                .any(|w| has(&ws, w));
        }
        q
    }

    /// Points a complete PCS code earns for the qualifiers the words say.
    pub(super) fn bonus(&self, key: &[u8], title: &str) -> f32 {
        let mut bonus = 0.0;
        if key.starts_with(b"5A15") {
            // PCS Index: "ECMO — see Performance, Circulatory 5A15".
            if self.ecmo_said {
                bonus += QUALIFIER_NAMED;
            }
            if self.ecmo.is_some_and(|e| key.get(6) == Some(&e)) {
                bonus += QUALIFIER_NAMED;
            }
            let duration = if self.intraoperative { b'A' } else { b'2' };
            if key.get(4) == Some(&duration) {
                bonus += if self.intraoperative {
                    QUALIFIER_NAMED
                } else {
                    CONTINUOUS
                };
            }
            return bonus;
        }
        if key.first() != Some(&b'0') {
            return 0.0;
        }
        if let Some(full) = self.thickness
            && title.contains(if full {
                "Full Thickness"
            } else {
                "Partial Thickness"
            })
        {
            bonus += QUALIFIER_NAMED;
        }
        if let Some(label) = self.column
            && title.contains(label)
        {
            bonus += QUALIFIER_NAMED;
        }
        if self.drug_balloon && title.contains("Drug-Coated Balloon") {
            bonus += QUALIFIER_NAMED;
        }
        bonus
    }
}

/// The approach the words imply: a skin graft is laid on the skin
/// (External, 0HR's only approach); a phacoemulsification and a kyphoplasty
/// or vertebroplasty go in by puncture (Percutaneous: "entry, by puncture or
/// minor incision"; 08R's lens row has only Percutaneous).
pub(super) fn implied_by_procedure(flat: &[&str]) -> Option<u8> {
    if skin_graft(flat) {
        return Some(b'X');
    }
    let puncture = [
        "phaco",
        "phacoemulsification",
        "kyphoplasty",
        "vertebroplasty",
    ];
    puncture.iter().any(|w| has(flat, w)).then_some(b'3')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn words(q: &str) -> PcsWords {
        PcsWords::of(q, &index_words(q))
    }

    #[test]
    fn grafts_cement_and_skin_imply_their_device() {
        for (q, d) in [
            // Table 041 (Bypass, Lower Arteries): 9 Autologous Venous Tissue.
            (
                "femoral popliteal bypass with reversed saphenous vein",
                Device::VenousGraft,
            ),
            ("in situ saphenous vein bypass", Device::VenousGraft),
            // B3.10c: autologous bone only, Autologous Tissue Substitute.
            (
                "posterior lumbar fusion with iliac crest bone graft",
                Device::Autologous,
            ),
            // PTFE: Synthetic Substitute (J).
            (
                "femoral to popliteal bypass with PTFE graft",
                Device::Synthetic,
            ),
            ("cryopreserved vein bypass", Device::Nonautologous),
            ("split thickness skin graft left thigh", Device::Autologous),
            ("kyphoplasty L1", Device::Synthetic),
            ("phacoemulsification with IOL right eye", Device::Synthetic),
            // B3.10c: an interbody device over the bone graft in it, and
            // over the screws.
            (
                "TLIF L4-L5 with pedicle screws and local bone graft",
                Device::Interbody,
            ),
            // B3.10c: pedicle screws are no interbody device; the bone graft
            // is the fusion's device. Cages hold the graft: the cage wins.
            (
                "posterior lumbar fusion L4-L5 with pedicle screws and local bone graft",
                Device::Autologous,
            ),
            (
                "L4-L5 TLIF with PEEK cages and local autograft",
                Device::Interbody,
            ),
            (
                "posterolateral fusion L5-S1 with pedicle screws and allograft",
                Device::Nonautologous,
            ),
        ] {
            assert_eq!(words(q).device, Some(d), "{q}");
        }
        // No graft, no conduit: the vein is a body part.
        assert_eq!(
            words("stripping of left greater saphenous vein").device,
            None
        );
        // A pedicled mammary artery is no device (021 ... Z, qualifier 9).
        assert_eq!(words("CABG LIMA to LAD").device, None);
    }

    #[test]
    fn qualifiers_are_read_from_the_words() {
        let q = |s: &str| words(s).qualifiers;
        assert_eq!(q("STSG right lower leg").thickness, Some(false));
        assert_eq!(q("full thickness skin graft face").thickness, Some(true));
        assert_eq!(q("TLIF L4-L5").column, Some(POSTERIOR_ANTERIOR));
        assert_eq!(
            q("posterior spinal fusion T10 to L2").column,
            Some(POSTERIOR)
        );
        assert_eq!(
            q("posterior lumbar interbody fusion L5-S1").column,
            Some(POSTERIOR_ANTERIOR)
        );
        assert_eq!(
            q("anterior cervical discectomy and fusion C5-C6").column,
            Some(ANTERIOR)
        );
        assert_eq!(q("XLIF L3-L4 with interbody device").column, Some(ANTERIOR));
        assert!(q("PTA with drug-coated balloon left SFA").drug_balloon);
        assert!(!q("PTA left SFA").drug_balloon);
        assert_eq!(q("V-A ECMO").ecmo, Some(b'G'));
        assert_eq!(q("veno-venous ECMO").ecmo, Some(b'H'));
        assert_eq!(q("central ECMO").ecmo, Some(b'F'));
        assert!(q("intraoperative ECMO").intraoperative);
        assert_eq!(q("VA ECMO").ecmo, Some(b'G'));
    }

    #[test]
    fn qualifier_points_follow_the_table_labels() {
        let q = words("V-A ECMO").qualifiers;
        // 5A1522G: Continuous, Peripheral Veno-arterial; 5A1522H veno-venous;
        // 5A15A2G intraoperative.
        assert!(q.bonus(b"5A1522G", "") > q.bonus(b"5A1522H", ""));
        assert!(q.bonus(b"5A1522G", "") > q.bonus(b"5A15A2G", ""));
        let q = words("STSG left lower leg").qualifiers;
        // 0HRLX74 Partial Thickness over 0HRLX73 Full Thickness.
        let partial = "Replacement of Left Lower Leg Skin with Autologous Tissue Substitute, \
                       Partial Thickness, External Approach";
        let full = "Replacement of Left Lower Leg Skin with Autologous Tissue Substitute, Full \
                    Thickness, External Approach";
        assert!(q.bonus(b"0HRLX74", partial) > q.bonus(b"0HRLX73", full));
        assert_eq!(implied_by_procedure(&["stsg", "leg"]), Some(b'X'));
        assert_eq!(implied_by_procedure(&["kyphoplasty", "l1"]), Some(b'3'));
        assert_eq!(implied_by_procedure(&["appendectomy"]), None);
    }
}
