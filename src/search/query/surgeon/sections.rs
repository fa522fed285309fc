//! Which code set and which section characters answer a procedure search
//! when the words name none: an HCPCS Level II service or device category
//! comes after the ICD-10-PCS procedure unless the words name the service
//! itself; a measurement (section 4) is taken from the skin; an image
//! (section B) is taken without contrast unless the words say contrast.

use super::negation::Raw;

/// Points an HCPCS Level II code loses in a search of procedures when the
/// words do not name an HCPCS service or supply: ICD-10-PCS is the code set
/// of inpatient procedures (HIPAA code sets: ICD-10-PCS for hospital
/// inpatient procedures; HCPCS Level II for the services, supplies and
/// device categories, C codes, of outpatient claims). "IVC filter
/// placement" is the Insertion 06H03DZ, not C1880's "Vena cava filter".
pub(super) const HCPCS_SERVICE: f32 = 30.0;
/// Points an Imaging code (section B) loses when its contrast (5th
/// character) is not the one the words ask for, None (Z) when they name no
/// contrast and the table offers the body part without contrast (ERCP's
/// Biliary and Pancreatic Ducts row, BF11, has contrast only, so its codes
/// lose nothing); and when its 7th character is not None (Z) though the words
/// name no qualifier ("Intravascular", "Densitometry" are matched as words
/// of the title). Losses, not gains: the code that fits keeps the score its
/// words give it against the other sections' codes.
const CONTRAST: f32 = 15.0;
const QUALIFIER_NONE: f32 = 1.0;
/// Points a Measurement and Monitoring code (section 4) loses when the
/// words name no approach and its row also has the External approach (X).
pub(super) const MEASURED_EXTERNAL: f32 = 3.0;

/// Whether a word names an HCPCS Level II service or supply itself, as the
/// HCPCS descriptors count them: a supply, a kit, a dose ("per 10 mg"), a
/// unit of time or a visit ("per diem", "15 minutes", "per visit"), or an
/// HCPCS code typed (a letter and four digits).
pub(super) fn names_hcpcs(w: &str) -> bool {
    let code = w.len() == 5 && {
        let b = w.as_bytes();
        b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
    };
    code || matches!(
        w,
        "supply"
            | "supplies"
            | "kit"
            | "per"
            | "each"
            | "visit"
            | "mg"
            | "mcg"
            | "ml"
            | "unit"
            | "units"
            | "minutes"
            | "min"
            | "hour"
            | "hours"
            | "diem"
            | "hcpcs"
    )
}

/// What the words say of an image's contrast: the 5th character of the
/// Imaging section (table B: 0 High Osmolar, 1 Low Osmolar, Y Other
/// Contrast, Z None) and its 6th (0 Unenhanced and Enhanced, Z None).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Contrast {
    /// No word of contrast: None (Z).
    #[default]
    Unsaid,
    Without,
    With,
    /// "With and without contrast": a contrast, Unenhanced and Enhanced (0).
    Both,
}

impl Contrast {
    /// Read from the words as typed.
    pub(super) fn of(raw: &Raw) -> Contrast {
        let w: Vec<&str> = raw.words.iter().map(String::as_str).collect();
        let has = |x: &str| w.contains(&x);
        let contrast = has("contrast")
            || has("enhanced")
            || has("gadolinium")
            || has("iodinated")
            // Barium: the Contrast value Other Contrast (Y) of Fluoroscopy
            // (Index "Barium swallow - see Fluoroscopy, Gastrointestinal
            // System BD1").
            || has("barium")
            || w.iter()
                .any(|x| super::other_sections::names_contrast_agent(x));
        // "With and without", "w/wo": both said.
        let both = (has("with") || has("w")) && (has("without") || has("wo"));
        let without = has("noncontrast")
            || has("unenhanced")
            || w.windows(2).any(|t| {
                matches!(t[0], "without" | "wo" | "no" | "non" | "o") && t[1] == "contrast"
            });
        if contrast && both {
            Contrast::Both
        } else if without {
            Contrast::Without
        } else if contrast {
            Contrast::With
        } else {
            Contrast::Unsaid
        }
    }

    /// Points an Imaging code (section B, complete) loses for its contrast
    /// and qualifier characters (none or less). `exists` says whether a code
    /// is in the tables: with no contrast named, only a code whose body part
    /// is also imaged without contrast (the same key with contrast and its
    /// qualifier None) loses.
    pub(super) fn bonus(self, key: &[u8], exists: impl Fn(&[u8]) -> bool) -> f32 {
        if key.len() != 7 || key[0] != b'B' {
            return 0.0;
        }
        let (contrast, enhanced) = (key[4], key[5]);
        let fits = match self {
            Contrast::Unsaid | Contrast::Without => contrast == b'Z',
            Contrast::With => contrast != b'Z' && enhanced == b'Z',
            Contrast::Both => contrast != b'Z' && enhanced == b'0',
        };
        let plain = || {
            let mut k = [0u8; 7];
            k.copy_from_slice(key);
            k[4] = b'Z';
            k[5] = b'Z';
            exists(&k)
        };
        let mut loss = if fits || (self == Contrast::Unsaid && !plain()) {
            0.0
        } else {
            CONTRAST
        };
        if key[6] != b'Z' {
            loss += QUALIFIER_NONE;
        }
        -loss
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contrast(q: &str) -> Contrast {
        Contrast::of(&Raw::of(q))
    }

    #[test]
    fn contrast_words_pick_the_fifth_and_sixth_characters() {
        assert_eq!(contrast("ct head"), Contrast::Unsaid);
        assert_eq!(contrast("CT head without contrast"), Contrast::Without);
        assert_eq!(contrast("ct abdomen w/o contrast"), Contrast::Without);
        assert_eq!(contrast("mri brain with contrast"), Contrast::With);
        assert_eq!(contrast("barium swallow"), Contrast::With);
        assert_eq!(contrast("barium enema"), Contrast::With);
        assert_eq!(contrast("upper gi with barium"), Contrast::With);
        assert_eq!(
            contrast("MRI brain with and without contrast"),
            Contrast::Both
        );
        // B030: Y Other Contrast with 0 Unenhanced and Enhanced, or Z None.
        let all = |_: &[u8]| true;
        assert!(Contrast::Both.bonus(b"B030Y0Z", all) > Contrast::Both.bonus(b"B030YZZ", all));
        assert!(Contrast::With.bonus(b"B030YZZ", all) > Contrast::With.bonus(b"B030ZZZ", all));
        assert!(Contrast::Unsaid.bonus(b"B030ZZZ", all) > Contrast::Unsaid.bonus(b"B030YZZ", all));
        // ERCP: the Biliary and Pancreatic Ducts row (BF11) has no
        // contrast-None code, so its contrast codes lose nothing.
        let no_plain_ducts = |k: &[u8]| k != b"BF11ZZZ";
        assert_eq!(Contrast::Unsaid.bonus(b"BF111ZZ", no_plain_ducts), 0.0);
        assert!(Contrast::Unsaid.bonus(b"BF151ZZ", all) < 0.0);
        // B34: the 7th character Intravascular (3) only when said.
        assert!(Contrast::Unsaid.bonus(b"B345ZZZ", all) > Contrast::Unsaid.bonus(b"B345ZZ3", all));
        assert_eq!(Contrast::Unsaid.bonus(b"0DTJ4ZZ", all), 0.0);
    }

    #[test]
    fn hcpcs_words_are_supplies_doses_visits_and_codes() {
        for w in ["supply", "per", "visit", "mg", "g0439", "j2405"] {
            assert!(names_hcpcs(w), "{w}");
        }
        for w in ["filter", "placement", "ekg", "block", "12345", "lead"] {
            assert!(!names_hcpcs(w), "{w}");
        }
    }
}
