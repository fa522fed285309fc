//! A scope named for its organ enters that organ: "hysteroscopic" is the
//! uterus (PCS Index: "Hysteroscopy 0UJD8ZZ", Inspection of the Uterus and
//! Cervix, Via Natural or Artificial Opening Endoscopic), so what is done
//! through it is done to the uterus when the words name no other part of
//! it. Table 0UB (Excision) has no Endometrium value: a polyp of the
//! endometrium cut out is an Excision of the Uterus (Definitions,
//! Excision: "Cutting out or off ... a portion of a body part").

use super::has;

/// The hysteroscope's words.
const HYSTEROSCOPE: [&str; 3] = ["hysteroscopic", "hysteroscopy", "hysteroscopically"];

/// Words naming the uterus or one of its parts (or a neighbour) that the
/// tables code apart: the words already say the body part.
const PARTS: [&str; 12] = [
    "uterus",
    "uterine",
    "endometrium",
    "endometrial",
    "cervix",
    "cervical",
    "tube",
    "tubes",
    "tubal",
    "fallopian",
    "ovary",
    "iud",
];

/// Words of a lesion cut out ("endometrial polyp"): the Uterus of table
/// 0UB, not the endometrium.
const LESIONS: [&str; 6] = [
    "polyp",
    "polyps",
    "polypectomy",
    "fibroid",
    "fibroids",
    "myoma",
];

/// Words that are not an operation of their own.
const NOT_OPERATION: [&str; 4] = ["diagnostic", "with", "and", "w"];

/// "hysteroscopic myomectomy": "hysteroscopic myomectomy uterus";
/// "hysteroscopic resection of endometrial polyp": "... uterine polyp".
pub(super) fn scope_organ(mut words: Vec<String>) -> Vec<String> {
    if !has(&words, &HYSTEROSCOPE) {
        return words;
    }
    if has(&words, &LESIONS) {
        for w in &mut words {
            if w == "endometrial" || w == "endometrium" {
                *w = "uterine".to_string();
            }
        }
    }
    let other = words
        .iter()
        .any(|w| !HYSTEROSCOPE.contains(&w.as_str()) && !NOT_OPERATION.contains(&w.as_str()));
    if other && !has(&words, &PARTS) {
        words.push("uterus".to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::scope_organ;

    fn read(q: &str) -> String {
        scope_organ(words(q)).join(" ")
    }

    #[test]
    fn the_hysteroscope_names_the_uterus() {
        assert_eq!(
            read("hysteroscopic myomectomy"),
            "hysteroscopic myomectomy uterus"
        );
        assert_eq!(
            read("hysteroscopic resection of endometrial polyp"),
            "hysteroscopic resection of uterine polyp"
        );
        assert_eq!(
            read("hysteroscopic endometrial ablation"),
            "hysteroscopic endometrial ablation"
        );
        assert_eq!(read("diagnostic hysteroscopy"), "diagnostic hysteroscopy");
        assert_eq!(read("laparoscopic myomectomy"), "laparoscopic myomectomy");
    }
}
