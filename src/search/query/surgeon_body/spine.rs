//! Spine levels in a surgeon's words ("ACDF C5-C6", "L4-5 laminectomy", "T12
//! kyphoplasty", "two-level ACDF") read as the body part values of the PCS
//! tables, in a search of procedures.
//!
//! - A fusion's body part is the number of vertebral JOINTS fused (guideline
//!   B3.10a/b; tables 0RG and 0SG): C5-C6 is one Cervical Vertebral Joint,
//!   C4-C6 two ("Cervical Vertebral Joints, 2 or more"); C7-T1 is the
//!   Cervicothoracic Vertebral Joint, T12-L1 the Thoracolumbar Vertebral Joint,
//!   L5-S1 the Lumbosacral Joint; thoracic joints are counted "2 to 7" or "8 or
//!   more". Every operation on the joints (Excision, Release, Reposition of a
//!   vertebral joint in tables 0RB/0SB, 0RN/0SN ...) reads the same values.
//! - A disc named by its two levels is that region's disc (tables 0RB/0SB:
//!   Cervical Vertebral Disc, Cervicothoracic Vertebral Disc, Thoracic
//!   Vertebral Disc, Thoracolumbar Vertebral Disc, Lumbar Vertebral Disc,
//!   Lumbosacral Disc).
//! - An operation on the bone ("T12 kyphoplasty", "L1 vertebroplasty", "L4-L5
//!   laminectomy": PCS Index "Laminectomy — see Excision, Upper Bones 0PB /
//!   Lower Bones 0QB"; Supplement, Upper Bones 0PU / Lower Bones 0QU) names a
//!   vertebra: Cervical Vertebra, Thoracic Vertebra, Lumbar Vertebra, Sacrum
//!   (the first level named).
//!
//! The level words are replaced by the body part's words where the first of
//! them stood; the rest of the query is left as typed.

/// Levels C1-C7, T1-T12, L1-L5, S1 numbered down the spine from 0.
const REGIONS: [(char, u8); 4] = [('c', 7), ('t', 12), ('l', 5), ('s', 1)];

/// What sits between two adjacent levels: the joint (and disc) categories
/// of the tables, in the order they come down the spine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Cervical,
    Cervicothoracic,
    Thoracic,
    Thoracolumbar,
    Lumbar,
    Lumbosacral,
}

/// What the operation works on, from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Joint,
    Disc,
    Vertebra,
}

/// Words of a fusion: the joints are the body part (guideline B3.10a).
const FUSION: [&str; 12] = [
    "fusion",
    "fusions",
    "arthrodesis",
    "acdf",
    "tlif",
    "plif",
    "alif",
    "xlif",
    "llif",
    "olif",
    "dlif",
    "spondylodesis",
];

/// Words of an operation on a disc (PCS Index: "Discectomy, diskectomy — see
/// Excision, Upper Joints 0RB / Lower Joints 0SB").
const DISC: [&str; 8] = [
    "discectomy",
    "diskectomy",
    "microdiscectomy",
    "microdiskectomy",
    "disc",
    "disk",
    "discs",
    "disks",
];

/// Words of an operation on the bone of a vertebra: Laminectomy (Excision,
/// Upper Bones 0PB / Lower Bones 0QB), kyphoplasty and vertebroplasty
/// (Supplement 0PU / 0QU), a corpectomy, a fracture's reduction.
const VERTEBRA: [&str; 12] = [
    "laminectomy",
    "laminectomies",
    "hemilaminectomy",
    "laminotomy",
    "laminoplasty",
    "kyphoplasty",
    "vertebroplasty",
    "corpectomy",
    "vertebrectomy",
    "vertebra",
    "fracture",
    "compression",
];

/// Words between or after level names that say nothing more ("C4 through
/// C6", "at the L4-5 level", "L4-L5 interspace").
const CONNECTORS: [&str; 7] = [
    "through",
    "thru",
    "level",
    "levels",
    "interspace",
    "segment",
    "segments",
];

/// The level a word names ("c5", "t12", "s1"), numbered down the spine.
fn level(w: &str) -> Option<u8> {
    let mut chars = w.chars();
    let region = chars.next()?;
    let number: u8 = chars.as_str().parse().ok()?;
    if chars.as_str().starts_with('0') {
        return None;
    }
    level_in(region, number)
}

fn level_in(region: char, number: u8) -> Option<u8> {
    let mut first = 0u8;
    for (r, count) in REGIONS {
        if r == region {
            return (1..=count).contains(&number).then(|| first + number - 1);
        }
        first += count;
    }
    None
}

/// The region letter of a level.
fn region_of(level: u8) -> char {
    let mut first = 0u8;
    for (r, count) in REGIONS {
        if level < first + count {
            return r;
        }
        first += count;
    }
    's'
}

/// Two levels written as one word ("c5c6", "l5s1", "t12l1": the synonym
/// list's keys join "C5-C6" so).
fn joined_levels(w: &str) -> Option<(u8, u8)> {
    let split = w
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, _)| i)?;
    Some((level(&w[..split])?, level(&w[split..])?))
}

/// The joint between level `upper` and the one below it.
fn segment(upper: u8) -> Segment {
    match (region_of(upper), region_of(upper + 1)) {
        ('c', 'c') => Segment::Cervical,
        ('c', _) => Segment::Cervicothoracic,
        ('t', 't') => Segment::Thoracic,
        ('t', _) => Segment::Thoracolumbar,
        ('l', 'l') => Segment::Lumbar,
        _ => Segment::Lumbosacral,
    }
}

/// The levels a query names, the positions of the words naming them, and
/// where the first of them stood.
struct Named {
    levels: Vec<u8>,
    spent: Vec<usize>,
}

fn named_levels(words: &[String]) -> Named {
    let mut named = Named {
        levels: Vec::new(),
        spent: Vec::new(),
    };
    for (i, w) in words.iter().enumerate() {
        if let Some(l) = level(w) {
            named.levels.push(l);
            named.spent.push(i);
        } else if let Some((a, b)) = joined_levels(w) {
            named.levels.extend([a, b]);
            named.spent.push(i);
        } else if let (Some(&last), Ok(n)) = (named.spent.last(), w.parse::<u8>()) {
            // "L4-5": the number after a level is a level of its region.
            let prev = named.levels.last().copied();
            if last + 1 == i
                && let Some(l) = prev.and_then(|p| level_in(region_of(p), n))
                && prev.is_some_and(|p| l > p)
            {
                named.levels.push(l);
                named.spent.push(i);
            }
        }
    }
    named
}

/// "two-level ACDF", "single level TLIF": the count of joints (or discs)
/// typed in words, with the positions of its words.
fn typed_count(words: &[String]) -> Option<(usize, [usize; 2])> {
    let at = words.iter().position(|w| w == "level")?;
    let count = match at.checked_sub(1).map(|p| words[p].as_str()) {
        Some("one" | "single" | "1") => 1,
        Some("two" | "2") => 2,
        Some("three" | "3") => 3,
        Some("four" | "4") => 4,
        _ => return None,
    };
    Some((count, [at - 1, at]))
}

/// The region a query names in words when it names no level ("cervical",
/// an ACDF's; "lumbar", a TLIF's).
fn typed_segment(words: &[String]) -> Option<Segment> {
    words
        .iter()
        .flat_map(|w| w.split(' '))
        .find_map(|w| match w {
            "cervical" | "acdf" => Some(Segment::Cervical),
            "thoracic" => Some(Segment::Thoracic),
            "lumbar" | "tlif" | "plif" | "alif" | "xlif" | "llif" | "olif" => Some(Segment::Lumbar),
            _ => None,
        })
}

fn target(words: &[String]) -> Option<Target> {
    let has = |list: &[&str]| {
        words
            .iter()
            .flat_map(|w| w.split(' '))
            .any(|w| list.contains(&w))
    };
    if has(&FUSION) {
        Some(Target::Joint)
    } else if has(&DISC) {
        Some(Target::Disc)
    } else if has(&VERTEBRA) {
        Some(Target::Vertebra)
    } else {
        None
    }
}

/// The body part's words for `count` joints of one segment (tables 0RG/0SG).
fn joint_words(segment: Segment, count: usize) -> &'static [&'static str] {
    match (segment, count) {
        (Segment::Cervical, 1) => &["cervical", "vertebral", "joint"],
        (Segment::Cervical, _) => &["cervical", "vertebral", "joints", "2", "more"],
        (Segment::Cervicothoracic, _) => &["cervicothoracic", "vertebral", "joint"],
        (Segment::Thoracic, 1) => &["thoracic", "vertebral", "joint"],
        (Segment::Thoracic, 2..=7) => &["thoracic", "vertebral", "joints", "2", "7"],
        (Segment::Thoracic, _) => &["thoracic", "vertebral", "joints", "8", "more"],
        (Segment::Thoracolumbar, _) => &["thoracolumbar", "vertebral", "joint"],
        (Segment::Lumbar, 1) => &["lumbar", "vertebral", "joint"],
        (Segment::Lumbar, _) => &["lumbar", "vertebral", "joints", "2", "more"],
        (Segment::Lumbosacral, _) => &["lumbosacral", "joint"],
    }
}

/// The disc's region words (tables 0RB/0SB); the query's own disc word
/// ("discectomy", "disc") names the disc.
fn disc_words(segment: Segment) -> &'static [&'static str] {
    match segment {
        Segment::Cervical => &["cervical", "vertebral"],
        Segment::Cervicothoracic => &["cervicothoracic", "vertebral"],
        Segment::Thoracic => &["thoracic", "vertebral"],
        Segment::Thoracolumbar => &["thoracolumbar", "vertebral"],
        Segment::Lumbar => &["lumbar", "vertebral"],
        Segment::Lumbosacral => &["lumbosacral"],
    }
}

/// The vertebra of a level (tables 0PB/0QB, 0PU/0QU, 0PS/0QS).
fn vertebra_words(level: u8) -> &'static [&'static str] {
    match region_of(level) {
        'c' => &["cervical", "vertebra"],
        't' => &["thoracic", "vertebra"],
        'l' => &["lumbar", "vertebra"],
        _ => &["sacrum"],
    }
}

/// The region of a level, as the tables' body parts name it (Lumbar Nerve,
/// Sacral Plexus, Thoracic Spinal Cord).
fn region_words(level: u8) -> &'static [&'static str] {
    match region_of(level) {
        'c' => &["cervical"],
        't' => &["thoracic"],
        'l' => &["lumbar"],
        _ => &["sacral"],
    }
}

/// The segment most of the joints between `top` and `bottom` lie in (the
/// first down the spine on a tie: each segment is coded apart, guideline
/// B3.10b), and how many of them.
fn main_segment(top: u8, bottom: u8) -> (Segment, usize) {
    let mut counts: Vec<(Segment, usize)> = Vec::new();
    for upper in top..bottom {
        let s = segment(upper);
        match counts.iter_mut().find(|(c, _)| *c == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts
        .iter()
        .copied()
        .fold(None, |best: Option<(Segment, usize)>, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        })
        .unwrap_or((segment(top), 1))
}

/// The query's words with its spine levels read as the body part they name.
/// Queries naming no level (and no "two-level" count) come back unchanged.
pub(super) fn read_levels(words: Vec<String>) -> Vec<String> {
    let named = named_levels(&words);
    let target = target(&words);
    let (body, spent): (&[&str], Vec<usize>) =
        match (named.levels.iter().min(), named.levels.iter().max()) {
            (Some(&top), Some(&bottom)) => {
                let first = named.levels[0];
                let body = match (target, top == bottom) {
                    (Some(Target::Vertebra), _) => vertebra_words(first),
                    (Some(Target::Joint | Target::Disc), true) => return words,
                    (Some(Target::Disc), false) => disc_words(main_segment(top, bottom).0),
                    (Some(Target::Joint), false) => {
                        let (segment, count) = main_segment(top, bottom);
                        joint_words(segment, count)
                    }
                    // No operation on a joint, disc or bone named ("L5 nerve
                    // root block", "L4-L5 epidural injection"): the region.
                    (None, true) => region_words(first),
                    (None, false) => &disc_words(main_segment(top, bottom).0)[..1],
                };
                (body, named.spent)
            }
            _ => {
                let Some((count, at)) = typed_count(&words) else {
                    return words;
                };
                let (Some(Target::Joint), Some(segment)) = (target, typed_segment(&words)) else {
                    return words;
                };
                (joint_words(segment, count), at.to_vec())
            }
        };
    let Some(&first) = spent.first() else {
        return words;
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len() + body.len());
    for (i, w) in words.into_iter().enumerate() {
        if i == first {
            out.extend(body.iter().map(|b| b.to_string()));
        }
        if spent.contains(&i) || CONNECTORS.contains(&w.as_str()) {
            continue;
        }
        // The region's word typed beside the levels ("lumbar laminectomy
        // L2-L3") is the body part's already.
        if body.contains(&w.as_str()) && i != first {
            continue;
        }
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn read(q: &str) -> String {
        read_levels(index_words(q)).join(" ")
    }

    #[test]
    fn levels_are_numbered_down_the_spine() {
        assert_eq!(level("c1"), Some(0));
        assert_eq!(level("c7"), Some(6));
        assert_eq!(level("t1"), Some(7));
        assert_eq!(level("t12"), Some(18));
        assert_eq!(level("l1"), Some(19));
        assert_eq!(level("l5"), Some(23));
        assert_eq!(level("s1"), Some(24));
        // No eighth cervical, sixth lumbar or second sacral level here.
        assert_eq!(level("c8"), None);
        assert_eq!(level("l6"), None);
        assert_eq!(level("s2"), None);
        assert_eq!(level("c05"), None);
        assert_eq!(joined_levels("t12l1"), Some((18, 19)));
    }

    #[test]
    fn a_fusion_counts_the_joints_between_the_levels() {
        // Guideline B3.10a/b, table 0RG: C5-C6 one joint (0RG1), C4-C6 two
        // (0RG2 "2 or more").
        assert_eq!(read("ACDF C5-C6"), "acdf cervical vertebral joint");
        assert_eq!(
            read("anterior cervical discectomy and fusion C4-C6"),
            "anterior discectomy fusion cervical vertebral joints 2 more"
        );
        assert_eq!(read("ACDF C5-6"), "acdf cervical vertebral joint");
        // A joint across two regions is the junction's.
        assert_eq!(read("ACDF C7-T1"), "acdf cervicothoracic vertebral joint");
        assert_eq!(
            read("T12-L1 posterior fusion"),
            "thoracolumbar vertebral joint posterior fusion"
        );
        assert_eq!(read("L5-S1 TLIF"), "lumbosacral joint tlif");
        assert_eq!(
            read("L4-L5 posterior lumbar interbody fusion"),
            "lumbar vertebral joint posterior interbody fusion"
        );
        assert_eq!(read("L3 to L5 TLIF"), "lumbar vertebral joints 2 more tlif");
        // Thoracic joints: T4-T10 six (2 to 7, 0RG7), T2-T12 ten (8 or
        // more, 0RG8), T6-T7 one (0RG6).
        assert_eq!(
            read("posterior spinal fusion T4-T10"),
            "posterior spinal fusion thoracic vertebral joints 2 7"
        );
        assert_eq!(
            read("posterior spinal fusion T2 through T12"),
            "posterior spinal fusion thoracic vertebral joints 8 more"
        );
        assert_eq!(read("fusion T6-T7"), "fusion thoracic vertebral joint");
    }

    #[test]
    fn a_range_across_regions_names_the_segment_with_most_joints() {
        // C5-T1: C5-C6, C6-C7 (cervical) and C7-T1 (cervicothoracic).
        assert_eq!(
            read("posterior fusion C5-T1"),
            "posterior fusion cervical vertebral joints 2 more"
        );
        // L4-S1: one lumbar joint and the lumbosacral joint: the first.
        assert_eq!(read("fusion L4-S1"), "fusion lumbar vertebral joint");
    }

    #[test]
    fn a_disc_is_the_regions_disc() {
        // Tables 0RB/0SB: Lumbosacral Disc, Lumbar / Cervical / Thoracolumbar
        // Vertebral Disc.
        assert_eq!(read("L5-S1 microdiscectomy"), "lumbosacral microdiscectomy");
        assert_eq!(read("L4-L5 discectomy"), "lumbar vertebral discectomy");
        assert_eq!(
            read("C6-C7 disc excision"),
            "cervical vertebral disc excision"
        );
        assert_eq!(
            read("T12-L1 discectomy"),
            "thoracolumbar vertebral discectomy"
        );
    }

    #[test]
    fn an_operation_on_the_bone_names_the_vertebra() {
        // Supplement 0PU4 Thoracic Vertebra, 0QU0 Lumbar Vertebra; Excision
        // 0QB0 / 0PB3 for a laminectomy.
        assert_eq!(read("T12 kyphoplasty"), "thoracic vertebra kyphoplasty");
        assert_eq!(read("L1 vertebroplasty"), "lumbar vertebra vertebroplasty");
        assert_eq!(read("L4-L5 laminectomy"), "lumbar vertebra laminectomy");
        assert_eq!(read("C5-C6 laminectomy"), "cervical vertebra laminectomy");
        assert_eq!(
            read("lumbar laminectomy L2-L3"),
            "laminectomy lumbar vertebra"
        );
        assert_eq!(read("S1 fracture"), "sacrum fracture");
        // With no operation on a joint, disc or bone named, the region only.
        assert_eq!(read("T8"), "thoracic");
        assert_eq!(read("L5 nerve root block"), "lumbar nerve root block");
        assert_eq!(
            read("L4-L5 epidural injection"),
            "lumbar epidural injection"
        );
        assert_eq!(read("L5-S1 facet injection"), "lumbosacral facet injection");
    }

    #[test]
    fn a_typed_count_of_levels_is_the_count_of_joints() {
        assert_eq!(
            read("two-level ACDF"),
            "cervical vertebral joints 2 more acdf"
        );
        assert_eq!(read("single level TLIF"), "lumbar vertebral joint tlif");
        // No region to count in: as typed.
        assert_eq!(read("two level fusion"), "two level fusion");
    }

    #[test]
    fn words_naming_no_level_are_left_as_typed() {
        assert_eq!(read("lumbar fusion"), "lumbar fusion");
        assert_eq!(read("c section"), "c section");
        assert_eq!(read("L6 fusion"), "l6 fusion");
        // A single level of a fusion names no joint: as typed.
        assert_eq!(read("L4 fusion"), "l4 fusion");
    }
}
