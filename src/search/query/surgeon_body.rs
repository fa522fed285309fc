//! Body parts a surgeon names in words the PCS tables do not use: spine levels
//! ("ACDF C5-C6", "T12 kyphoplasty"), the recipient site of a skin graft or
//! a burn's excision, and a line's tip or a port's pocket rather than the vein
//! it went in by. Applied in searches of procedures only.

mod access;
mod skin;
mod spine;

/// The query's words with the body part's words of the tables where the
/// surgeon's stood.
pub(super) fn route(words: Vec<String>) -> Vec<String> {
    skin::recipient_site(spine::read_levels(access::read(words)))
}
