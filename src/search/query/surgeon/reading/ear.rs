//! A myringotomy drains the middle ear: PCS Index "Myringotomy",
//! "Tympanotomy — see Drainage, Ear, Nose, Sinus 099". The fluid is the
//! middle ear's (table 099 holds Middle Ear with a Drainage Device), the cut
//! in the drum is how the site is reached (guideline B3.1b: "Procedural
//! steps necessary to reach the operative site ... are also not coded
//! separately"), and the instruments enter through the ear canal: Via
//! Natural or Artificial Opening (Definitions, approach 7: "Entry of
//! instrumentation through a natural or artificial external opening to
//! reach the site of the procedure"). A tube left in the drum (a PE,
//! tympanostomy or ventilation tube, a grommet) is the Drainage Device.

use super::{has, split};

/// Words of the cut in the drum.
const MYRINGOTOMY: [&str; 5] = [
    "myringotomy",
    "myringotomies",
    "tympanotomy",
    "tympanostomy",
    "tympanostomies",
];

/// Words of the tube left in the drum.
const TUBE: [&str; 4] = ["tube", "tubes", "grommet", "grommets"];

/// Words that say only how the tube went in, or name the ear as a whole.
const READ: [&str; 10] = [
    "pe",
    "ventilation",
    "insertion",
    "inserted",
    "placement",
    "placed",
    "ear",
    "ears",
    "with",
    "and",
];

/// Words denying the tube ("without tube", "no tubes").
const DENIED: [&str; 3] = ["without", "no", "wo"];

/// "Left myringotomy with PE tube": "left drainage middle ear drainage
/// device natural opening".
pub(super) fn middle_ear_drainage(words: Vec<String>) -> Vec<String> {
    if !has(&words, &MYRINGOTOMY) {
        return words;
    }
    // "PE tube" may come joined as one phrase word.
    let words = split(words);
    let tube_at = words.iter().position(|w| TUBE.contains(&w.as_str()));
    let denied = tube_at.is_some_and(|t| {
        words[t.saturating_sub(2)..t]
            .iter()
            .any(|w| DENIED.contains(&w.as_str()))
    });
    let mut out: Vec<String> = words
        .into_iter()
        .filter(|w| {
            let w = w.as_str();
            !(MYRINGOTOMY.contains(&w)
                || TUBE.contains(&w)
                || READ.contains(&w)
                || DENIED.contains(&w))
        })
        .collect();
    out.extend(["drainage", "middle", "ear"].map(String::from));
    if tube_at.is_some() && !denied {
        out.extend(["drainage", "device"].map(String::from));
    }
    out.extend(["natural", "opening"].map(String::from));
    out
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::middle_ear_drainage;

    fn read(q: &str) -> String {
        middle_ear_drainage(words(q)).join(" ")
    }

    #[test]
    fn a_myringotomy_drains_the_middle_ear() {
        assert_eq!(
            read("left myringotomy with PE tube"),
            "left drainage middle ear drainage device natural opening"
        );
        assert_eq!(
            read("right myringotomy without tube"),
            "right drainage middle ear natural opening"
        );
        assert_eq!(read("tympanic membrane repair"), "tympanic membrane repair");
    }
}
