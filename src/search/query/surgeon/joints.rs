//! A joint replacement's words: "total" replaces the whole joint, not one of
//! its surfaces, and the prosthesis's components and bearing surface are the
//! device, not the joint's surfaces (tables 0SR and 0RR).

use super::match_nothing;
use crate::search::query::Term;

/// Points a Replacement code (root operation R) of one surface of a joint
/// loses when the words say a total joint: the tables give the whole joint
/// its own body part value (0SR: Hip Joint, Right 9 / Left B, Knee Joint,
/// Right C / Left D; 0RR: Shoulder Joint, Right J / Left K), and the
/// surfaces theirs (Hip Joint, Acetabular Surface A / E, Femoral Surface
/// R / S; Knee Joint, Femoral Surface T / U, Tibial Surface V / W; 0RR's
/// qualifier Humeral Surface 6 / Glenoid Surface 7). A total arthroplasty
/// replaces both sides of the joint (PCS Definitions, Replacement: "all or
/// a portion of a body part"), a hemiarthroplasty one surface.
const SURFACE_NOT_TOTAL: f32 = 6.0;
/// Points for the bearing surface the words name, by the label of table
/// 0SR's device value: 1 Synthetic Substitute, Metal; 2 Metal on
/// Polyethylene; 3 Ceramic; 4 Ceramic on Polyethylene; 6 Oxidized Zirconium
/// on Polyethylene.
const BEARING: f32 = 4.0;

/// The bearing surface of a hip prosthesis (table 0SR, device values 1-6):
/// what the head and the liner are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bearing {
    Metal,
    MetalOnPolyethylene,
    Ceramic,
    CeramicOnPolyethylene,
    OxidizedZirconium,
}

impl Bearing {
    /// The bearing the words name: a polyethylene liner said with a metal or
    /// ceramic head is the "... on Polyethylene" value; "metal on metal" and
    /// "ceramic on ceramic" are the plain Metal and Ceramic values; an
    /// oxidized zirconium (Oxinium) head is only made on polyethylene.
    fn of(flat: &[&str]) -> Option<Bearing> {
        let has = |w: &str| flat.contains(&w);
        let poly = has("polyethylene") || has("poly");
        if has("zirconium") || has("oxinium") {
            Some(Bearing::OxidizedZirconium)
        } else if has("ceramic") {
            Some(if poly {
                Bearing::CeramicOnPolyethylene
            } else {
                Bearing::Ceramic
            })
        } else if has("metal") && (has("bearing") || has("total") || poly) {
            // "metal" alone names a stent's kind or a plate: only with a
            // joint's words.
            Some(if poly {
                Bearing::MetalOnPolyethylene
            } else {
                Bearing::Metal
            })
        } else {
            None
        }
    }

    /// Whether a code's title has this bearing's device label.
    fn in_title(self, title: &str) -> bool {
        match self {
            Bearing::Metal => title.contains("Synthetic Substitute, Metal,"),
            Bearing::MetalOnPolyethylene => title.contains("Metal on Polyethylene"),
            Bearing::Ceramic => title.contains("Synthetic Substitute, Ceramic,"),
            Bearing::CeramicOnPolyethylene => title.contains("Ceramic on Polyethylene"),
            Bearing::OxidizedZirconium => title.contains("Oxidized Zirconium on Polyethylene"),
        }
    }
}

/// What the words say of a joint replacement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Joint {
    /// A total joint: "total", or the shorthand for one (TKA, THA, TSA).
    total: bool,
    bearing: Option<Bearing>,
}

/// Whether a word says a total joint replacement.
fn says_total(w: &str) -> bool {
    matches!(
        w,
        "total" | "tka" | "tha" | "tkr" | "thr" | "tsa" | "tja" | "tjr"
    )
}

/// The parts of a joint prosthesis surgeons name its components by (the
/// surfaces it replaces; the liner and the bearing materials are device
/// words the titles hold).
fn component_part(w: &str) -> bool {
    matches!(
        w,
        "femoral" | "tibial" | "acetabular" | "humeral" | "glenoid" | "patellar" | "patella"
    )
}

impl Joint {
    /// What the query's words (phrases cut into single words) say.
    pub(super) fn of(flat: &[&str]) -> Joint {
        Joint {
            total: flat.iter().any(|w| says_total(w)),
            bearing: Bearing::of(flat),
        }
    }

    /// Points a complete Medical and Surgical code earns (or loses) for the
    /// whole joint and the bearing the words say.
    pub(super) fn bonus(self, key: &[u8], title: &str) -> f32 {
        if key.first() != Some(&b'0') || key.get(2) != Some(&b'R') {
            return 0.0;
        }
        let mut bonus = 0.0;
        if self.total && title.contains(" Surface") {
            bonus -= SURFACE_NOT_TOTAL;
        }
        if let Some(b) = self.bearing
            && b.in_title(title)
        {
            bonus += BEARING;
        }
        bonus
    }
}

/// In a search of procedures, the words that name a total joint's
/// prosthesis rather than the joint: its components ("cemented femoral and
/// tibial components": the parts of the one Synthetic Substitute that
/// replaces the whole joint, not the Femoral and Tibial Surface body parts;
/// a total joint replaces every surface) and its "bearing surface" (the
/// device value's material, not a joint surface) match nothing; `Joint`
/// reads what they say. (The part words go whether or not "components"
/// follows: a long query's last words are cut, `MAX_TERMS`.)
pub(super) fn drop_prosthesis_words(terms: &mut [Term]) {
    let total = terms.iter().any(|t| t.word.split(' ').any(says_total));
    let mut drop = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        let w = t.word.as_str();
        let next = terms.get(i + 1).map_or("", |t| t.word.as_str());
        // (No PCS label says "bearing"; "weight bearing" views of other
        // procedure code sets keep it.)
        let surface = matches!(next, "surface" | "surfaces");
        if w == "bearing" && (surface || total) {
            drop.push(i);
            if surface {
                drop.push(i + 1);
            }
        }
        if total && (component_part(w) || matches!(w, "component" | "components")) {
            drop.push(i);
        }
    }
    for i in drop {
        if let Some(t) = terms.get_mut(i) {
            match_nothing(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn kept(q: &str) -> String {
        let mut ts: Vec<Term> = index_words(q)
            .into_iter()
            .map(|w| Term {
                word: w,
                hi: 1,
                ..Term::default()
            })
            .collect();
        drop_prosthesis_words(&mut ts);
        ts.iter()
            .filter(|t| t.hi != 0)
            .map(|t| t.word.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn joint(q: &str) -> Joint {
        let ws = index_words(q);
        Joint::of(&ws.iter().map(String::as_str).collect::<Vec<_>>())
    }

    #[test]
    fn a_total_joints_components_and_bearing_surface_name_the_device() {
        assert_eq!(
            kept("left total knee arthroplasty with cemented femoral and tibial components"),
            "left total knee arthroplasty with cemented"
        );
        assert_eq!(
            kept("right total hip arthroplasty, metal on metal bearing surface"),
            "right total hip arthroplasty metal metal"
        );
        assert_eq!(
            kept("weight bearing radiograph of knee"),
            "weight bearing radiograph knee"
        );
        // The last words of a long query may be cut: the parts go alone.
        assert_eq!(
            kept("right total knee replacement with uncemented femoral, tibial and patellar"),
            "right total knee replacement with uncemented"
        );
        // One surface replaced: its words stay.
        assert_eq!(
            kept("revision of femoral component right hip"),
            "revision femoral component right hip"
        );
    }

    #[test]
    fn the_bearing_is_read_as_table_0sr_labels_it() {
        assert_eq!(
            joint("ceramic on polyethylene").bearing,
            Some(Bearing::CeramicOnPolyethylene)
        );
        assert_eq!(joint("ceramic on ceramic").bearing, Some(Bearing::Ceramic));
        assert_eq!(
            joint("total hip metal on metal").bearing,
            Some(Bearing::Metal)
        );
        assert_eq!(joint("bare metal stent").bearing, None);
        assert_eq!(
            joint("oxidized zirconium on polyethylene").bearing,
            Some(Bearing::OxidizedZirconium)
        );
        assert!(Bearing::Metal.in_title(
            "Replacement of Hip Joint, Right, Synthetic Substitute, Metal, Cemented, Open Approach"
        ));
        assert!(!Bearing::Metal.in_title(
            "Replacement of Hip Joint, Right, Synthetic Substitute, Metal on Polyethylene, Open Approach"
        ));
    }

    #[test]
    fn a_total_joint_puts_the_surfaces_after_the_whole_joint() {
        let j = joint("left total knee arthroplasty");
        let surface =
            "Replacement of Knee Joint, Tibial Surface, Left, Synthetic Substitute, Open Approach";
        assert!(j.bonus(b"0SRW0JZ", surface) < 0.0);
        assert_eq!(
            j.bonus(
                b"0SRD0JZ",
                "Replacement of Knee Joint, Left, Synthetic Substitute, Open Approach"
            ),
            0.0
        );
        // A hemiarthroplasty keeps its surface.
        assert_eq!(
            joint("left hip hemiarthroplasty").bonus(b"0SRW0JZ", surface),
            0.0
        );
    }
}
