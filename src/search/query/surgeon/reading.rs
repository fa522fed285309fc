//! Surgeons' words read before the root operation and body part are chosen
//! (src/search/query/surgeon_route.rs), in a search of procedures only:
//! an obstetric laceration's degree as the tissue repaired, the steps that
//! open and close the site as no operation of their own, a scope as the
//! organ it enters, the femoral artery by its clinical names, a plain
//! balloon, a transplant's donor and a myringotomy's middle ear.

mod arteries;
mod ear;
mod obstetric;
mod scopes;
mod steps;
mod transplant;

use super::super::surgeon_route::operations::{has, split};

/// The query's words with the surgeon's words read as the tables' words.
pub(in crate::search::query) fn read(words: Vec<String>) -> Vec<String> {
    let words = steps::closure_apart(steps::incision_as_approach(words));
    let words = arteries::plain_balloon_apart(arteries::femoral_artery(words));
    let words = ear::middle_ear_drainage(transplant::donor_allogeneic(words));
    scopes::scope_organ(obstetric::laceration_repair(words))
}

#[cfg(test)]
fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
