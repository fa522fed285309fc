//! A skin graft is coded to the skin it is put on (table 0HR Replacement,
//! Skin: the RECIPIENT body part; the PCS Index: "Graft — see Replacement",
//! "Autograft — use Autologous Tissue Substitute"); the donor site is an
//! Excision coded apart, so the words naming it ("donor site right thigh",
//! "harvested from the left thigh") must not pick the body part. The skin's
//! regions are the table's (Skin, Right Upper Leg ...): a surgeon's "thigh",
//! "forearm", "calf", "groin" are read as Upper Leg, Lower Arm, Lower Leg,
//! Inguinal. An excisional debridement of a burn (the PCS Index:
//! "Debridement, Excisional — see Excision") excises the burnt skin (table
//! 0HB Excision, Skin), read the same way.

/// Words of a skin graft (single words; a phrase key such as "split
/// thickness" is read by its words).
const GRAFT: [&str; 6] = ["graft", "grafts", "grafting", "stsg", "ftsg", "autograft"];

/// Words that begin the donor site.
const DONOR: [&str; 5] = ["donor", "harvested", "harvest", "harvesting", "taken"];

/// Words that end the donor site: what follows is the graft again or where
/// it went ("harvested from the right thigh and applied to the left arm").
const DONOR_ENDS: [&str; 8] = [
    "applied",
    "placed",
    "grafted",
    "recipient",
    "with",
    "w",
    "stsg",
    "ftsg",
];

/// Words for the state of the skin a graft goes on: no body part.
const RECIPIENT_STATE: [&str; 5] = ["wound", "wounds", "defect", "bed", "site"];

/// Words of a burn's excision.
const BURN: [&str; 3] = ["burn", "burns", "eschar"];
const EXCISED: [&str; 5] = [
    "debridement",
    "debrided",
    "excisional",
    "escharectomy",
    "tangential",
];

/// The skin regions of tables 0HR and 0HB by a surgeon's words, each with the
/// table's words.
const REGIONS: [(&str, &str); 11] = [
    ("thigh", "upper leg"),
    ("forearm", "lower arm"),
    ("calf", "lower leg"),
    ("shin", "lower leg"),
    ("groin", "inguinal"),
    ("gluteal", "buttock"),
    ("buttocks", "buttock"),
    ("feet", "foot"),
    ("facial", "face"),
    ("cheek", "face"),
    ("forehead", "face"),
];

fn any(words: &[String], list: &[&str]) -> bool {
    words
        .iter()
        .flat_map(|w| w.split(' '))
        .any(|w| list.contains(&w))
}

/// The words of a skin graft without its donor site, its regions in the
/// table's words; a burn's excision is of skin. Other queries unchanged.
pub(super) fn recipient_site(words: Vec<String>) -> Vec<String> {
    let graft = any(&words, &GRAFT)
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "split thickness" | "full thickness"));
    let burn = any(&words, &BURN) && any(&words, &EXCISED);
    if !(graft || burn) {
        return words;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 2);
    let mut in_donor = false;
    for w in words {
        if graft && DONOR.contains(&w.as_str()) {
            in_donor = true;
            continue;
        }
        // The recipient site's state ("to left lower leg wound") names no
        // body part.
        if graft && RECIPIENT_STATE.contains(&w.as_str()) {
            continue;
        }
        if in_donor {
            if !DONOR_ENDS.contains(&w.as_str()) && !w.split(' ').any(|p| GRAFT.contains(&p)) {
                continue;
            }
            in_donor = false;
        }
        if burn && BURN.contains(&w.as_str()) {
            if !out.iter().any(|o| o == "skin") {
                out.push("skin".to_string());
            }
            continue;
        }
        match REGIONS.iter().find(|(k, _)| *k == w) {
            Some((_, v)) => out.extend(v.split(' ').map(String::from)),
            None => out.push(w),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn read(q: &str) -> String {
        recipient_site(index_words(q)).join(" ")
    }

    #[test]
    fn the_donor_site_is_not_the_body_part() {
        // Table 0HR: Skin, Left Lower Leg (L), Partial Thickness (0HRLX74);
        // the right thigh is where the graft came from.
        assert_eq!(
            read("split thickness skin graft to left lower leg wound, donor right thigh"),
            "split thickness skin graft left lower leg"
        );
        assert_eq!(
            read("STSG to right forearm burn, donor site left thigh"),
            "stsg right lower arm burn"
        );
        assert_eq!(
            read("full thickness skin graft to face harvested from left groin"),
            "full thickness skin graft face"
        );
        // Donor first, then the graft where it went.
        assert_eq!(
            read("graft harvested from right thigh and applied to left forearm"),
            "graft applied left lower arm"
        );
    }

    #[test]
    fn a_burns_excision_is_of_the_skin() {
        // Table 0HB: Skin, Right Hand (F), Left Upper Leg (J).
        assert_eq!(
            read("excisional debridement of burn right hand"),
            "excisional debridement skin right hand"
        );
        assert_eq!(
            read("excisional debridement of left thigh burn eschar"),
            "excisional debridement left upper leg skin"
        );
    }

    #[test]
    fn other_words_are_left_as_typed() {
        // No graft, no burn: a thigh is searched as typed (an abscess of the
        // thigh is the subcutaneous tissue's, read elsewhere).
        assert_eq!(
            read("excision of right thigh lipoma"),
            "excision right thigh lipoma"
        );
        // A vein harvested for a bypass is no skin graft.
        assert_eq!(
            read("saphenous vein harvest right thigh"),
            "saphenous vein harvest right thigh"
        );
    }
}
