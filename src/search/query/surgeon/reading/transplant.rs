//! A transplanted organ comes from another person unless the words say a
//! twin or an animal: PCS Definitions, Transplantation, "Putting in or on
//! all or a portion of a living body part taken from another individual or
//! animal"; the tables' qualifier (0?Y) is 0 Allogeneic (another human), 1
//! Syngeneic (an identical twin), 2 Zooplastic (an animal). "Liver
//! transplant" is the Allogeneic one; the word is added for the titles to
//! match. Cells (stem cells, marrow, islets) are Transfusions whose donor
//! the words must say (autologous is common there): left as typed.

use super::has;

/// Words of a transplant.
const TRANSPLANT: [&str; 5] = [
    "transplant",
    "transplants",
    "transplantation",
    "transplanted",
    "allotransplant",
];

/// Words saying the donor or the tissue: the qualifier is the words', or
/// not an organ's.
const SAID: [&str; 17] = [
    "allogeneic",
    "allogenic",
    "syngeneic",
    "twin",
    "zooplastic",
    "xenograft",
    "xenotransplant",
    "porcine",
    "animal",
    "autologous",
    "autotransplant",
    "stem",
    "marrow",
    "cell",
    "cells",
    "cord",
    "islet",
];

/// "Orthotopic heart transplant": "orthotopic heart transplant allogeneic".
pub(super) fn donor_allogeneic(mut words: Vec<String>) -> Vec<String> {
    if has(&words, &TRANSPLANT) && !has(&words, &SAID) {
        words.push("allogeneic".to_string());
    }
    // An identical twin's organ is the Syngeneic one (the tables' label).
    if has(&words, &TRANSPLANT) && has(&words, &["twin"]) && !has(&words, &["syngeneic"]) {
        words.push("syngeneic".to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::donor_allogeneic;

    fn read(q: &str) -> String {
        donor_allogeneic(words(q)).join(" ")
    }

    #[test]
    fn an_organ_from_another_person_is_allogeneic() {
        assert_eq!(read("liver transplant"), "liver transplant allogeneic");
        assert_eq!(
            read("kidney transplant from identical twin"),
            "kidney transplant from identical twin syngeneic"
        );
        assert_eq!(
            read("autologous stem cell transplant"),
            "autologous stem cell transplant"
        );
        assert_eq!(read("liver biopsy"), "liver biopsy");
    }
}
