//! What the words say was done with a device: put in, taken out or
//! revised, and whether what closes a vessel or a tube is left around it.
//!
//! PCS Definitions, root operations that always involve a device:
//! Insertion, "putting in a nonbiological appliance"; Removal, "taking out
//! or off a device from a body part"; Revision, "correcting, to the extent
//! possible, a portion of a malfunctioning device or the position of a
//! displaced device". The three tables of a body system name the same
//! devices ("Insertion of Heart, Short-term External Heart Assist System";
//! "Removal of Heart, ..."), so the title's device is no help between them:
//! the verb is. Occlusion ("completely closing an orifice or the lumen of a
//! tubular body part") and Restriction with a clip, band or ring left on the
//! outside of the body part have the Extraluminal Device (C) as their 6th
//! character (Definitions, Device Key: "LAP-BAND(R) adjustable gastric
//! banding system", "AtriClip LAA Exclusion System" use Extraluminal
//! Device; Index: "Banding, esophageal varices see Occlusion, Vein,
//! Esophageal 06L3").

use super::removal::TAKEN_OUT;

/// Points an Insertion, Removal or Revision code loses when the words say
/// another of the three was done: the root operation (3rd character) the
/// verb names outweighs what an approach or a qualifier earns (4), and
/// the Index entry of the other operation ("Heart Assist System,
/// Short-term External, Removal of device from, Heart 02PA") that the
/// device's words reach as well.
const OTHER_WORK: f32 = 8.0;
/// Points for the Extraluminal Device of an Occlusion or a Restriction when
/// the words name a clip, band or ring: a named device (4) and the two
/// words of its label the words did not spell.
const OUTSIDE: f32 = 8.0;
/// Points a Removal or Revision code loses when no word says what was done
/// with the device (a tie-break: less than an approach's points).
const UNSAID_WORK: f32 = 1.0;

/// Words saying a device was put in.
const PUT_IN: [&str; 10] = [
    "placed",
    "placement",
    "place",
    "inserted",
    "insertion",
    "insert",
    "inserting",
    "implanted",
    "implantation",
    "deployed",
];

/// Words saying a device was corrected or exchanged: Revision, Change or
/// Replacement, not a plain putting in or taking out.
const REVISED: [&str; 10] = [
    "revision",
    "revised",
    "reposition",
    "repositioned",
    "repositioning",
    "exchange",
    "exchanged",
    "replaced",
    "replacement",
    "adjusted",
];

/// What a clip, band or ring is called.
/// The PCS Index: "Clipping, aneurysm — see Occlusion using Extraluminal
/// Device / Restriction using Extraluminal Device".
const AROUND: [&str; 10] = [
    "clip", "clips", "clipping", "clipped", "band", "bands", "ring", "rings", "banding", "banded",
];

/// What the words say was done with a device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct DeviceWork {
    put_in: bool,
    taken_out: bool,
    revised: bool,
    /// A clip, band or ring named.
    around: bool,
}

impl DeviceWork {
    /// What the query's single words say.
    pub(super) fn of(flat: &[&str]) -> DeviceWork {
        let has = |list: &[&str]| flat.iter().any(|w| list.contains(w));
        DeviceWork {
            put_in: has(&PUT_IN),
            taken_out: has(&TAKEN_OUT),
            revised: has(&REVISED),
            around: has(&AROUND),
        }
    }

    /// Points for a Medical and Surgical code (0): Insertion (H), Removal
    /// (P) and Revision (W) by the verb; the Extraluminal Device (C) of an
    /// Occlusion (L) or Restriction (V) by a clip or band named. And for an
    /// Assistance (5A0) when the words say a device was put in.
    pub(super) fn bonus(&self, key: &[u8]) -> f32 {
        if key.len() != 7 || !matches!(key[0], b'0' | b'5') {
            return 0.0;
        }
        let mut bonus = 0.0;
        let op = if key[0] == b'0' { key[2] } else { 0 };
        if !self.revised {
            let lost = match (self.put_in, self.taken_out) {
                (true, false) => matches!(op, b'P' | b'W'),
                (false, true) => matches!(op, b'H' | b'W'),
                _ => false,
            };
            if lost {
                bonus -= OTHER_WORK;
            }
        }
        // Assistance (5A0) is "taking over a portion of a physiological
        // function by extracorporeal means": the support, not a device put
        // in ("Impella placed": Insertion of its Short-term External Heart
        // Assist System, 02HA).
        if self.put_in && !self.taken_out && key.starts_with(b"5A0") {
            bonus -= OTHER_WORK;
        }
        // A device named with no verb at all ("S-ICD lead", "leadless
        // pacemaker"): its Insertion before its Removal and Revision, whose
        // words are not there (a tie-break among the operations the PCS
        // Index lists under the device: "Insertion of device in", "Removal
        // of device from", "Revision of device in").
        if !self.put_in && !self.taken_out && !self.revised && matches!(op, b'P' | b'W') {
            bonus -= UNSAID_WORK;
        }
        if self.around && matches!(op, b'L' | b'V') && key[5] == b'C' {
            bonus += OUTSIDE;
        }
        bonus
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(q: &str) -> DeviceWork {
        DeviceWork::of(&q.split(' ').collect::<Vec<_>>())
    }

    #[test]
    fn the_verb_picks_insertion_removal_or_revision() {
        let placed = of("impella heart pump placed via femoral artery");
        assert_eq!(placed.bonus(b"02HA3RZ"), 0.0);
        assert_eq!(placed.bonus(b"02PA3RZ"), -OTHER_WORK);
        assert_eq!(placed.bonus(b"02WA3RZ"), -OTHER_WORK);
        let removed = of("removal of impella device");
        assert_eq!(removed.bonus(b"02PA3RZ"), 0.0);
        assert_eq!(removed.bonus(b"02HA3RZ"), -OTHER_WORK);
        // Both said, or a revision: the words decide nothing here.
        assert_eq!(
            of("port removed and new port placed").bonus(b"0JHT0WZ"),
            0.0
        );
        assert_eq!(of("revision of impella placed").bonus(b"02PA3RZ"), 0.0);
        // The Impella put in is its Insertion, before its Assistance.
        assert_eq!(placed.bonus(b"5A0221D"), -OTHER_WORK);
        assert_eq!(of("impella support").bonus(b"5A0221D"), 0.0);
        // Other root operations: nothing.
        assert_eq!(placed.bonus(b"02703DZ"), 0.0);
        // No verb: the device's Insertion before its Removal and Revision.
        let named = of("leadless pacemaker");
        assert_eq!(named.bonus(b"02HK3NZ"), 0.0);
        assert_eq!(named.bonus(b"02PA3NZ"), -UNSAID_WORK);
        assert_eq!(named.bonus(b"02WA3NZ"), -UNSAID_WORK);
        assert_eq!(of("s-icd lead").bonus(b"0JPT0FZ"), -UNSAID_WORK);
        assert_eq!(of("s-icd lead").bonus(b"0JH60FZ"), 0.0);
    }

    #[test]
    fn a_clip_or_band_is_the_extraluminal_device_of_an_occlusion() {
        let clips = of("laparoscopic tubal occlusion with clips");
        assert_eq!(clips.bonus(b"0UL74CZ"), OUTSIDE);
        assert_eq!(clips.bonus(b"0UL74ZZ"), 0.0);
        assert_eq!(of("band ligation varices").bonus(b"06L38CZ"), OUTSIDE);
        // A clip on a bleeding ulcer is Control (0W3P), no device.
        assert_eq!(clips.bonus(b"0W3P8ZZ"), 0.0);
        assert_eq!(of("tubal ligation").bonus(b"0UL74CZ"), 0.0);
        // "Clipping, aneurysm — see Occlusion using Extraluminal Device":
        // the clip left on the artery, open or through the skin.
        let clipping = of("craniotomy clipping of mca aneurysm");
        assert_eq!(clipping.bonus(b"03LG0CZ"), OUTSIDE);
        assert_eq!(clipping.bonus(b"03VG0CZ"), OUTSIDE);
        assert_eq!(clipping.bonus(b"03LG0DZ"), 0.0);
        assert_eq!(of("aneurysm clipped").bonus(b"03LG0CZ"), OUTSIDE);
        assert_eq!(of("varices banded").bonus(b"06L38CZ"), OUTSIDE);
    }
}
