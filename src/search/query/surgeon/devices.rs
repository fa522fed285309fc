//! The devices surgeons' words name (a stent, its kind and count; a plate,
//! a nail, a graft, mesh, a drain) and the 6th character of a PCS code they
//! pick, the cement a joint replacement's qualifier says, and the words of a
//! procedure search that say how rather than what (image guidance, "no stent
//! placed").

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
}

impl Device {
    /// Whether a PCS code's title has this device's label.
    fn in_title(self, title: &str) -> bool {
        match self {
            Device::Stent { drug, count } => {
                let counted = |n: &str| {
                    title.contains(&format!("Intraluminal Device, {n}"))
                        || title.contains(&format!("Drug-eluting, {n}"))
                };
                let count_ok = match count {
                    1 => !["Two", "Three", "Four or More"].iter().any(|n| counted(n)),
                    2 => counted("Two"),
                    3 => counted("Three"),
                    _ => counted("Four or More"),
                };
                title.contains("Intraluminal Device")
                    && title.contains("Drug-eluting") == drug
                    && count_ok
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
            Device::Synthetic => title.contains("Synthetic Substitute"),
            Device::Drainage => title.contains("Drainage Device"),
        }
    }

    /// The device a word names, if any ("stents", "nail", "allograft").
    fn named(w: &str) -> Option<Device> {
        Some(match w {
            "stent" | "stents" | "des" | "bms" => Device::Stent {
                drug: w == "des",
                count: 1,
            },
            // Device Key, Internal Fixation Device: "Bone screw", "Kirschner
            // wire (K-wire)", "Neutralization plate"; Intramedullary:
            // "Intramedullary (IM) rod (nail)".
            "plate" | "plates" | "screw" | "screws" | "plating" | "wire" | "wires" | "wiring"
            | "kwire" => Device::Fixation,
            "nail" | "nailing" | "rod" | "rodding" | "intramedullary" | "cephalomedullary"
            | "im rod" | "im nail" => Device::Intramedullary,
            "autograft" | "autografts" => Device::Autologous,
            "allograft" | "allografts" | "xenograft" => Device::Nonautologous,
            "mesh" => Device::Synthetic,
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

/// Whether a word says none: "no stent placed", "without mesh", "w/o drain".
fn is_none_word(w: &str) -> bool {
    matches!(w, "no" | "without" | "wo" | "not" | "nor")
}

impl PcsWords {
    /// The device, its count and kind, and the cement the words say: the
    /// first device word not negated by one of the two words before it; a
    /// nail or rod over a plate or screws ("cephalomedullary nail with
    /// interlocking screws").
    pub(super) fn read_devices(&mut self, singles: &[&str]) {
        for (i, &w) in singles.iter().enumerate() {
            match w {
                "cemented" => self.cemented = Some(true),
                "uncemented" | "cementless" | "noncemented" => self.cemented = Some(false),
                // A press-fit component holds without cement.
                "press" if singles.get(i + 1) == Some(&"fit") => self.cemented = Some(false),
                _ => {}
            }
            let Some(mut d) = Device::named(w) else {
                continue;
            };
            let before = &singles[i.saturating_sub(3)..i];
            let after = singles.get(i + 1).copied();
            if before.iter().any(|b| is_none_word(b)) || after == Some("not") {
                self.no_device = true;
                continue;
            }
            if let Device::Stent { drug, count } = &mut d {
                *drug |= before.contains(&"eluting") || before.contains(&"des");
                if before.contains(&"bare") {
                    *drug = false;
                }
                *count = before.iter().find_map(|b| count_word(b)).unwrap_or(1);
            }
            match self.device {
                None | Some(Device::Fixation) => self.device = Some(d),
                Some(_) => {}
            }
        }
        // "a pigtail catheter left in place" ("in" is a stop word): a drain.
        let left_in_place = singles
            .windows(2)
            .any(|x| x == ["left", "place"] || x == ["in", "place"]);
        if left_in_place && self.device.is_none() {
            self.device = Some(Device::Drainage);
        }
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
pub(super) fn drop_said_of_devices(terms: &mut [Term]) {
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
        if Device::named(w).is_some() {
            let before = i.saturating_sub(2)..i;
            let none = before
                .clone()
                .filter(|&j| matches!(word(terms, j), "no" | "not"))
                .collect::<Vec<_>>();
            if !none.is_empty() || next == "not" {
                drop.push(i);
                drop.extend(none);
                if next == "not" {
                    drop.push(i + 1);
                }
            }
            if matches!(w, "stent" | "stents") {
                drop.extend(before.filter(|&j| matches!(word(terms, j), "bare" | "metal")));
            }
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
            bonus += DEVICE_NAMED;
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
        PcsWords::of(&index_words(q))
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
            let mut ts: Vec<Term> = index_words(q).iter().map(|w| term(w)).collect();
            drop_said_of_devices(&mut ts);
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
        // Only in a procedure search.
        let mut ts = vec![term("ct"), term("guided")];
        super::super::soften_surgeon_words(&mut ts, false);
        assert_eq!(ts[0].hi, 1);
        super::super::soften_surgeon_words(&mut ts, true);
        assert_eq!(ts[0].hi, 0);
    }
}
