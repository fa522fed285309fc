//! Finding a phrase in document text, case-insensitively, with the places
//! given in the original text. Lower-casing changes byte lengths (the Kelvin
//! sign U+212A becomes the one-byte "k", U+0130 "İ" becomes three bytes), so an
//! offset found in the lower-cased text is not an offset in the original: every
//! place here is mapped back character by character and lies on a character
//! boundary of the original.

use std::ops::Range;

/// Each character of `text` lower-cased (a character may become several),
/// with the byte range of the original character it came from.
fn lowered(text: &str) -> Vec<(char, Range<usize>)> {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let range = i..i + c.len_utf8();
        out.extend(c.to_lowercase().map(|l| (l, range.clone())));
    }
    out
}

/// The byte ranges of `text` (whole characters) where `phrase` occurs,
/// ignoring case, left to right and not overlapping. An empty phrase is found
/// nowhere.
pub fn find_all_ignore_case(text: &str, phrase: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = phrase.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let hay = lowered(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()]
            .iter()
            .zip(&needle)
            .all(|((h, _), n)| h == n)
        {
            let start = hay[i].1.start;
            let end = hay[i + needle.len() - 1].1.end;
            // A match that ends inside a character's expansion takes the
            // whole character; the next search starts after it.
            if found
                .last()
                .is_none_or(|prev: &Range<usize>| prev.end <= start)
            {
                found.push(start..end);
            }
            i += needle.len();
        } else {
            i += 1;
        }
    }
    found
}

/// The first place of `phrase` in `text`, ignoring case.
pub fn find_ignore_case(text: &str, phrase: &str) -> Option<Range<usize>> {
    find_all_ignore_case(text, phrase).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_in_the_original_text_when_lower_casing_changes_lengths() {
        let text = "\u{212A}bnp elevated İİ. BNP again";
        let all = find_all_ignore_case(text, "bnp");
        assert_eq!(all.len(), 2);
        assert_eq!(&text[all[0].clone()], "bnp");
        assert_eq!(&text[all[1].clone()], "BNP");
        let k = find_ignore_case(text, "kbnp").unwrap();
        assert_eq!(&text[k], "\u{212A}bnp");
        let i = find_ignore_case(text, "i").unwrap();
        assert_eq!(
            &text[i], "İ",
            "a match inside an expansion takes the character"
        );
        assert!(find_ignore_case(text, "").is_none());
        assert!(find_ignore_case(text, "troponin").is_none());
    }
}
