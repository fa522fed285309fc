//! A bone's part in a diagnosis query: outside an injury the head, neck or
//! shaft of a bone narrows rather than names, since the Tabular's diseases
//! of bone code the bone (M87 "Osteonecrosis" by bone), while the fracture
//! codes name the part (S72.05- "Fracture of head of femur").

use super::{Searcher, Term};

/// The parts of a long bone an injury code names and a disease code does not
/// ("Fracture of head of left femur" S72.05-, "... of neck ..." S72.00-,
/// "... of shaft ..." S72.3-).
const BONE_PARTS: [&str; 3] = ["head", "neck", "shaft"];

/// Bones (an adjective or the noun) whose parts the injury codes name, and
/// the noun the Tabular's disease codes say.
const BONES: [(&str, &str); 14] = [
    ("femoral", "femur"),
    ("femur", "femur"),
    ("humeral", "humerus"),
    ("humerus", "humerus"),
    ("radial", "radius"),
    ("radius", "radius"),
    ("ulnar", "ulna"),
    ("ulna", "ulna"),
    ("fibular", "fibula"),
    ("fibula", "fibula"),
    ("metatarsal", "metatarsal"),
    ("metacarpal", "metacarpal"),
    ("talar", "talus"),
    ("talus", "talus"),
];

/// The bone's noun, for a bone word.
fn bone_noun(w: &str) -> Option<&'static str> {
    BONES.iter().find(|(b, _)| *b == w).map(|(_, n)| *n)
}

/// The bone a joined phrase names with one of its parts ("femoral head",
/// "head of femur": the femur).
fn bone_of_part(phrase: &str) -> Option<&'static str> {
    let ws: Vec<&str> = phrase.split(' ').filter(|w| *w != "of").collect();
    match ws.as_slice() {
        [a, b] if BONE_PARTS.contains(b) => bone_noun(a),
        [a, b] if BONE_PARTS.contains(a) => bone_noun(b),
        _ => None,
    }
}

/// The parts of bones the words name beside a bone ("avn l femoral head":
/// "head"), outside an injury.
fn bone_parts(ws: &[String]) -> Vec<&str> {
    if super::ed_note::names_injury(ws) {
        return Vec::new();
    }
    let bone = |i: usize| ws.get(i).is_some_and(|w| bone_noun(w).is_some());
    let beside = |i: usize| {
        (i > 0 && bone(i - 1))
            || bone(i + 1)
            || (ws.get(i + 1).is_some_and(|w| w == "of") && bone(i + 2))
    };
    (0..ws.len())
        .filter(|&i| BONE_PARTS.contains(&ws[i].as_str()) && beside(i))
        .map(|i| ws[i].as_str())
        .collect()
}

impl Searcher<'_> {
    /// Outside an injury, the part of a bone narrows rather than names: the
    /// Tabular's diseases of bone code the bone, not its part (M87.0-
    /// "Idiopathic aseptic necrosis of ... femur", the Index's
    /// "Osteonecrosis, idiopathic aseptic, femur M87.05-" for a femoral head;
    /// M87.02- for a humeral head), while only the fracture codes (S72.05-
    /// "Fracture of head of femur") name the head. "AVN L femoral head" is
    /// osteonecrosis of the left femur, not its fracture; "femoral head
    /// fracture" keeps the head. A part typed apart is a soft word; one the
    /// synonym list joined ("femoral head") is also met by its bone alone.
    pub(super) fn soften_bone_part(&self, ws: &[String], terms: &mut [Term]) {
        if super::ed_note::names_injury(ws) {
            return;
        }
        let parts = bone_parts(ws);
        for t in terms.iter_mut() {
            t.soft |= parts.contains(&t.word.as_str());
            if let Some(id) = bone_of_part(&t.word).and_then(|b| self.vocab_id(b)) {
                t.phrases.push(vec![id]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(q: &str) -> Vec<String> {
        q.split(' ').map(String::from).collect()
    }

    #[test]
    fn a_bones_part_names_only_an_injury() {
        assert_eq!(bone_parts(&ws("avn l femoral head")), ["head"]);
        assert_eq!(bone_parts(&ws("avn right head of humerus")), ["head"]);
        assert!(bone_parts(&ws("displaced fx of left femoral neck")).is_empty());
        assert!(bone_parts(&ws("pancreatic head mass")).is_empty());
        assert_eq!(bone_of_part("femoral head"), Some("femur"));
        assert_eq!(bone_of_part("head of femur"), Some("femur"));
        assert_eq!(bone_of_part("humeral neck"), Some("humerus"));
        assert_eq!(bone_of_part("femoral artery"), None);
    }
}
