//! The ear's ossicles replaced by a prosthesis. Body Part Key: Auditory
//! Ossicle includes "Incus", "Malleus", "Stapes". The PCS Index sends
//! "Stapedectomy" and "Ossiculectomy" to Excision (09B) and Resection (09T)
//! of the Ear, Nose, Sinus; but a prosthesis put where the ossicle was (a
//! piston after a stapedectomy, a partial or total ossicular replacement
//! prosthesis) "physically takes the place and/or function of all or a
//! portion of a body part": Replacement (Definitions), table 09R, Auditory
//! Ossicle, Right 9 / Left A, Open only, Synthetic Substitute (J).

use super::operations::{has, split};

/// Words naming the ossicles or an operation on them.
const OSSICLE_WORDS: [&str; 11] = [
    "stapedectomy",
    "stapedotomy",
    "stapes",
    "incus",
    "malleus",
    "ossicle",
    "ossicles",
    "ossicular",
    "ossiculectomy",
    "ossiculoplasty",
    "incudectomy",
];

/// Words naming the synthetic part put in.
const PROSTHESIS_WORDS: [&str; 6] = [
    "prosthesis",
    "prostheses",
    "prosthetic",
    "piston",
    "torp",
    "porp",
];

/// "Left stapedectomy with Teflon piston prosthesis": the Replacement of
/// the Auditory Ossicle, Left, with a Synthetic Substitute; the side kept.
/// Other words are returned unchanged.
pub(super) fn prosthesis(words: Vec<String>) -> Vec<String> {
    if !has(&words, &OSSICLE_WORDS) || !has(&words, &PROSTHESIS_WORDS) {
        return words;
    }
    let mut out: Vec<String> = [
        "replacement",
        "auditory",
        "ossicle",
        "synthetic",
        "substitute",
    ]
    .map(String::from)
    .to_vec();
    out.extend(
        split(words)
            .into_iter()
            .filter(|w| matches!(w.as_str(), "left" | "right" | "bilateral")),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(q: &str) -> Vec<String> {
        prosthesis(q.split(' ').map(String::from).collect())
    }

    #[test]
    fn an_ossicle_with_a_prosthesis_is_its_replacement() {
        assert_eq!(
            of("left stapedectomy with teflon piston prosthesis"),
            [
                "replacement",
                "auditory",
                "ossicle",
                "synthetic",
                "substitute",
                "left"
            ]
        );
        assert_eq!(of("incus prosthesis right")[5], "right");
        // No prosthesis: the Index's Excision or Resection, as typed.
        assert_eq!(of("right stapedectomy"), ["right", "stapedectomy"]);
        // A prosthesis elsewhere is not the ear's.
        assert_eq!(of("hip prosthesis"), ["hip", "prosthesis"]);
    }
}
