//! Finding a fixed separator in a title, as `str::find` does, without the
//! string searcher std builds at every call (most of the cost of cutting a
//! sixty-byte title read once per candidate code at every keystroke): a
//! search for the separator's first character, then one comparison where it
//! is found.

/// Where `needle` first occurs in `hay` (`hay.find(needle)`).
pub(super) fn find(hay: &str, needle: &str) -> Option<usize> {
    let Some(first) = needle.chars().next() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.find(first) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + first.len_utf8();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_as_str_find_does() {
        let hays = [
            "",
            "a",
            "Bypass of Radial Artery, Left, Open Approach",
            "Insertion of Intraluminal Device, Drug-eluting, Two, Percutaneous",
            "Caf\u{e9}, of \u{e9}t\u{e9}, of",
            ", , of of",
        ];
        let needles = [
            "",
            ", ",
            " of ",
            "Intraluminal Device",
            "Drug-eluting, ",
            "Two",
            "\u{e9}t\u{e9}",
            "of",
            "Left, Open Approach",
            "Left, Open Approachh",
            "zzz",
        ];
        for h in hays {
            for n in needles {
                assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
            }
        }
    }
}
