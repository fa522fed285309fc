//! What the search tests share.

use chartcoder::search::Hit;
use chartcoder::search::text::words;

/// Whether a hit's title or its why line holds every word of one of a
/// synonym entry's phrases (each word the start of a word of the text): the
/// check that a shorthand entry leads where its phrases say.
pub fn holds_a_phrase(hit: &Hit, phrases: &[Vec<String>]) -> bool {
    let text = format!("{} {}", hit.title, hit.matched).to_lowercase();
    let words = words(&text);
    phrases.iter().any(|p| {
        p.iter()
            .all(|w| words.iter().any(|t| t.starts_with(w.as_str())))
    })
}
