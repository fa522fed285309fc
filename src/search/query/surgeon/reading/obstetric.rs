//! A laceration repaired after a delivery is coded to the mother's tissue in
//! the Medical and Surgical section, not to Obstetrics: ICD-10-PCS guideline
//! C1, "Procedures performed on the products of conception are coded to the
//! Obstetrics section. Procedures performed on the pregnant female other
//! than the products of conception are coded to the appropriate root
//! operation in the Medical and Surgical section."
//!
//! A perineal laceration's degree names the deepest tissue torn (ICD-10-CM
//! Tabular, inclusion terms of O70.0-O70.3): first degree the skin, labia,
//! fourchette: Skin, Perineum (0HQ9); second degree also the perineal
//! muscles, pelvic floor: Perineum Muscle (0KQM; Body Part Key: the
//! bulbospongiosus, the transverse perineal muscles); third degree also the
//! anal sphincter: Anal Sphincter (0DQR; Index "Sphincterorrhaphy, anal");
//! fourth degree also the rectal mucosa: Rectum (0DQP). A vaginal or a
//! cervical laceration is the Vagina (Index "Colporrhaphy — see Repair,
//! Vagina 0UQG") or the Cervix ("Trachelorrhaphy — see Repair, Cervix
//! 0UQC").

use super::{has, split};

/// Words of a tear.
const TORN: [&str; 6] = [
    "laceration",
    "lacerations",
    "tear",
    "tears",
    "rupture",
    "torn",
];

/// Words of the delivery the tear came with: the occasion, not the body
/// part ("after vaginal delivery", "postpartum", "obstetric").
const DELIVERY: [&str; 10] = [
    "delivery",
    "birth",
    "childbirth",
    "postpartum",
    "obstetric",
    "obstetrical",
    "svd",
    "nsvd",
    "after",
    "following",
];

/// Words of a repair (PCS Index: "Suture, Laceration repair — see Repair").
const REPAIRED: [&str; 5] = ["repair", "repaired", "suture", "sutured", "closure"];

/// The tissue each degree reaches, as the tables name it.
fn degree_tissue(w: &str) -> Option<&'static str> {
    Some(match w {
        "1st" | "first" | "1" | "i" => "skin perineum",
        "2nd" | "second" | "2" | "ii" => "perineum muscle",
        "3rd" | "third" | "3" | "iii" => "anal sphincter",
        "4th" | "fourth" | "4" | "iv" => "rectum",
        _ => return None,
    })
}

/// The tissue of a tear that names no degree: the vagina, the cervix.
fn torn_organ(w: &str) -> Option<&'static str> {
    Some(match w {
        "vaginal" | "vagina" => "vagina",
        "cervical" | "cervix" => "cervix",
        _ => return None,
    })
}

/// "Repair second degree perineal laceration after vaginal delivery":
/// "repair perineum muscle". A tear of the vagina or the cervix "after
/// delivery" is that organ's repair. Other words come back unchanged.
pub(super) fn laceration_repair(words: Vec<String>) -> Vec<String> {
    if !has(&words, &TORN) {
        return words;
    }
    let typed = words;
    let words = split(typed.clone());
    let at = |i: usize| words.get(i).map_or("", String::as_str);
    let degree = (1..words.len())
        .find(|&i| at(i) == "degree" && degree_tissue(at(i - 1)).is_some())
        .and_then(|i| degree_tissue(at(i - 1)));
    let delivered = words.iter().any(|w| DELIVERY[..8].contains(&w.as_str()));
    let perineal = words.iter().any(|w| w == "perineal" || w == "perineum");
    let organ = words.iter().find_map(|w| torn_organ(w));
    let tissue = match (degree, organ) {
        (Some(t), _) if perineal || delivered => t,
        (None, Some(o)) if delivered => o,
        _ => return typed,
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    if !has(&words, &REPAIRED) {
        out.push("repair".to_string());
    }
    for (i, w) in words.iter().enumerate() {
        let w = w.as_str();
        let of_delivery = (w == "vaginal" || w == "vagina")
            && matches!(at(i + 1), "delivery" | "birth" | "childbirth");
        let read = TORN.contains(&w)
            || DELIVERY.contains(&w)
            || of_delivery
            || matches!(w, "perineal" | "perineum" | "degree")
            || (at(i + 1) == "degree" && degree_tissue(w).is_some())
            || torn_organ(w).is_some();
        if !read {
            out.push(w.to_string());
        }
    }
    out.extend(tissue.split(' ').map(String::from));
    out
}

#[cfg(test)]
mod tests {
    use super::super::words;
    use super::laceration_repair;

    fn read(q: &str) -> String {
        laceration_repair(words(q)).join(" ")
    }

    #[test]
    fn a_degree_is_the_tissue_torn() {
        assert_eq!(
            read("repair second degree perineal laceration after vaginal delivery"),
            "repair perineum muscle"
        );
        assert_eq!(
            read("1st degree perineal tear repair"),
            "repair skin perineum"
        );
        assert_eq!(
            read("third degree laceration repair postpartum"),
            "repair anal sphincter"
        );
        assert_eq!(read("fourth degree perineal laceration"), "repair rectum");
    }

    #[test]
    fn a_vaginal_or_cervical_tear_after_delivery_is_the_organ() {
        assert_eq!(
            read("repair of vaginal laceration after vaginal delivery"),
            "repair of vagina"
        );
        assert_eq!(
            read("cervical laceration repair following delivery"),
            "repair cervix"
        );
    }

    #[test]
    fn other_tears_are_as_typed() {
        assert_eq!(
            read("repair of vaginal laceration"),
            "repair of vaginal laceration"
        );
        assert_eq!(read("rotator cuff tear repair"), "rotator cuff tear repair");
        assert_eq!(
            read("second degree burn of hand"),
            "second degree burn of hand"
        );
    }
}
