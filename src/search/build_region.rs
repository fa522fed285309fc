//! A benign tumor coded by body region, found by the site a report names.
//! The Index codes some morphologies by region, not by site: "Hemangioma,
//! intra-abdominal D18.03", "..., intracranial D18.02"; "Lipoma, site
//! classification, trunk D17.1", "..., legs D17.2-", "..., intrathoracic
//! D17.4". A report names the site ("cavernous hemangioma of the liver",
//! "lipoma of the upper back", "subcutaneous lipoma right thigh"). The
//! Neoplasm Table puts each site in its region by its Malignant Primary cell:
//! "liver, primary C22.0" is a digestive organ (C15-C26), so intra-abdominal;
//! "brain, temporal lobe C71.2" intracranial; "thigh NEC C76.5-" and "skin,
//! thigh C44.7-" the lower limb. Each region entry of such a morphology is
//! given a text per site of its region: the morphology's words and the site's.

use super::build_cm_index::{children_of, diseases_and_neoplasms};
use super::builder::{Builder, TextB};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::index::{IndexFile, index_code_key};
use std::collections::{BTreeSet, HashMap};

/// The static points of a region's site text: below every other Index text.
const REGION_SITE_BONUS: f32 = -4.0;

/// The body regions the Index codes by, and the titles it gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Region {
    IntraAbdominal,
    Intracranial,
    Intrathoracic,
    Trunk,
    UpperLimb,
    LowerLimb,
    HeadFaceNeck,
    /// "specified site NEC": a site of none of the regions above, where the
    /// morphology is coded by region ("Hemangioma, specified site NEC
    /// D18.09": a vertebral hemangioma).
    Other,
}

/// The region an Index subterm's title names.
fn region_of_title(title: &str) -> Option<Region> {
    Some(match title.trim().to_lowercase().as_str() {
        "intra-abdominal" => Region::IntraAbdominal,
        "intracranial" => Region::Intracranial,
        "intrathoracic" => Region::Intrathoracic,
        "trunk" => Region::Trunk,
        "arms" => Region::UpperLimb,
        "legs" => Region::LowerLimb,
        "head" | "face" | "neck" => Region::HeadFaceNeck,
        "specified site nec" => Region::Other,
        _ => return None,
    })
}

/// The region of a Neoplasm Table site, by its Malignant Primary cell (the
/// code's key without the dot): the Tabular's blocks of digestive organs
/// (C15-C26, without the esophagus, which crosses the thorax) and the
/// peritoneum (C48), the meninges and brain (C70.0, C71), the intrathoracic
/// organs (C33-C39, C45.0 the pleura), and the ill-defined regions, skin
/// areas and connective tissue of the trunk, limbs and head (C76, C44, C49).
fn region_of_code(key: &str) -> Option<Region> {
    let cat = key.get(..3)?;
    let sub = key.get(..4).unwrap_or(key);
    Some(match cat {
        "C16" | "C17" | "C18" | "C19" | "C20" | "C21" | "C22" | "C23" | "C24" | "C25" | "C26"
        | "C48" => Region::IntraAbdominal,
        "C71" => Region::Intracranial,
        "C70" if sub == "C700" => Region::Intracranial,
        "C33" | "C34" | "C37" | "C38" => Region::Intrathoracic,
        "C45" if sub == "C450" => Region::Intrathoracic,
        "C76" | "C44" | "C49" => match sub {
            "C760" | "C440" | "C441" | "C442" | "C443" | "C444" | "C490" => Region::HeadFaceNeck,
            "C761" | "C762" | "C763" | "C445" | "C493" | "C494" | "C495" => Region::Trunk,
            "C764" | "C446" | "C491" => Region::UpperLimb,
            "C765" | "C447" | "C492" => Region::LowerLimb,
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether a site of no region is one the "specified site NEC" entry takes:
/// the bones (C40, C41; a vertebral hemangioma is D18.09). Only these: a
/// text for every other organ of the Table under each morphology would make
/// its words common to thousands of texts, and the Index names most organs
/// a region or a subterm of their own.
fn is_other_site(key: &str) -> bool {
    matches!(key.get(..3), Some("C40" | "C41"))
}

/// Whether the code is a benign or uncertain tumor's (D10-D48): the
/// morphologies coded by region. Not the skin-sited morphologies' region
/// subterms ("Melanoma, skin, face C43.30"; "Nevus, skin, arm D22.6-"),
/// which name skin areas, nor a long bone's limb ("Adamantinoma, long bones,
/// lower limb C40.2-").
fn is_region_tumor(printed: &str) -> bool {
    index_code_key(printed).is_some_and(|k| {
        let cat = k.get(..3).unwrap_or("");
        ("D10".."D49").contains(&cat) && cat != "D22" && cat != "D23"
    })
}

/// Levels of a Neoplasm Table site's path that name the tissue rather than
/// the site ("skin NOS, back"; "connective tissue NEC, thorax"): typed or not.
fn is_tissue_level(title: &str) -> bool {
    let t = title.to_lowercase();
    t == "skin"
        || t.starts_with("skin ")
        || t.starts_with("connective tissue")
        || t.starts_with("subcutaneous")
}

/// One Neoplasm Table site: the words that must be typed, those that may be,
/// and its path as printed.
struct Site {
    core: Vec<String>,
    optional: Vec<String>,
    shown: String,
    primary: String,
}

impl Site {
    /// The Tabular category of the site's Malignant Primary cell ("C64").
    fn category(&self) -> Option<&str> {
        self.primary.get(..3)
    }
}

/// The Neoplasm Table's sites by region.
fn sites_by_region(neo: &IndexFile) -> HashMap<Region, Vec<Site>> {
    let mut out: HashMap<Region, Vec<Site>> = HashMap::new();
    for (i, term) in neo.terms.iter().enumerate() {
        if term.level == 0 {
            continue;
        }
        let Some((_, primary)) = term.cells.iter().find(|(col, _)| *col == 2) else {
            continue;
        };
        let Some(key) = index_code_key(primary) else {
            continue;
        };
        let Some(region) =
            region_of_code(&key).or_else(|| is_other_site(&key).then_some(Region::Other))
        else {
            continue;
        };
        let path = neo.path(i);
        let mut core = Vec::new();
        let mut optional = Vec::new();
        for t in path.iter().skip(1) {
            if is_tissue_level(t) {
                optional.extend(index_words(t));
            } else {
                // "anus, anal": the first name is typed, the variants may be.
                let mut parts = t.split(',');
                core.extend(
                    index_words(parts.next().unwrap_or(""))
                        .into_iter()
                        .filter(|w| w != "nec" && w != "nos"),
                );
                for p in parts {
                    optional.extend(index_words(p));
                }
            }
        }
        optional.extend(index_words(&term.modifiers));
        if core.is_empty() {
            continue;
        }
        out.entry(region).or_default().push(Site {
            core,
            optional,
            shown: path[1..].join(", "),
            primary: primary.clone(),
        });
    }
    out
}

/// Words of a limb code's title that say which limb ("...of right leg",
/// "...of left arm"): a header of both limbs ("Lipoma, site classification,
/// legs D17.2-", whose codes are D17.21-D17.24 by arm and leg) offers a
/// region's site only the codes of its limb.
fn limb_words(region: Region) -> Option<[&'static str; 2]> {
    match region {
        Region::UpperLimb => Some(["arm", "upper limb"]),
        Region::LowerLimb => Some(["leg", "lower limb"]),
        _ => None,
    }
}

/// One region entry of a morphology: its code and its path as printed.
struct Group {
    code: String,
    shown: String,
    /// The morphology's kinds that share the region's code ("Hemangioma,
    /// cavernous, intra-abdominal D18.03"): words that may be typed.
    kinds: BTreeSet<String>,
    /// The titles beside a "specified site NEC" that name sites of their
    /// own ("Lipoma, site classification, kidney D17.71"): not "NEC".
    siblings: Vec<Vec<String>>,
}

/// The region entries of the tumors coded by region, by morphology and
/// region (see `Builder::add_region_sites`).
fn region_groups(diseases: &IndexFile) -> HashMap<(String, Region), Group> {
    let children = children_of(diseases);
    // One text per morphology, region and site.
    let mut groups: HashMap<(String, Region), Group> = HashMap::new();
    for (i, term) in diseases.terms.iter().enumerate() {
        let (Some(code), Some(region)) = (&term.code, region_of_title(&term.title)) else {
            continue;
        };
        let path = diseases.path(i);
        // The morphology's own regions, right under it or under its
        // "site classification": not a kind's ("Tumor, glomus,
        // intra-abdominal" is no tumor of the liver).
        let own = match path.as_slice() {
            [_, _] => true,
            [_, heading, _] => heading.eq_ignore_ascii_case("site classification"),
            _ => false,
        };
        if !own || !is_region_tumor(code) {
            continue;
        }
        let group = groups
            .entry((path[0].to_string(), region))
            .or_insert_with(|| Group {
                code: code.clone(),
                shown: path.join(" > "),
                kinds: BTreeSet::new(),
                siblings: Vec::new(),
            });
        if group.code != *code {
            continue;
        }
        // Kinds of the morphology whose own subterm for this region
        // has the same code.
        if let Some(main) = term.parent.filter(|_| path.len() == 2) {
            for &k in &children[main as usize] {
                let same = children[k as usize].iter().any(|&t| {
                    let t = &diseases.terms[t as usize];
                    region_of_title(&t.title) == Some(region)
                        && t.code.as_deref() == Some(code.as_str())
                });
                if same {
                    group
                        .kinds
                        .extend(index_words(&diseases.terms[k as usize].title));
                }
            }
        }
        if let Some(parent) = term.parent.filter(|_| region == Region::Other) {
            group.siblings.extend(
                children[parent as usize]
                    .iter()
                    .map(|&t| &diseases.terms[t as usize].title)
                    .filter(|title| region_of_title(title).is_none())
                    .map(|title| index_words(title)),
            );
        }
    }
    // "specified site NEC" only beside regions of the same morphology.
    let regional: BTreeSet<String> = groups
        .keys()
        .filter(|(_, r)| *r != Region::Other)
        .map(|(m, _)| m.clone())
        .collect();
    groups.retain(|(m, r), _| *r != Region::Other || regional.contains(m));
    groups
}

impl Builder {
    /// Each region entry of a tumor coded by region, as texts of its
    /// morphology with each site of the region (see the module comment).
    pub(super) fn add_region_sites(&mut self, files: &[IndexFile]) {
        let Some((diseases, neo)) = diseases_and_neoplasms(files) else {
            return;
        };
        let sites = sites_by_region(neo);
        let groups = region_groups(diseases);
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        for ((main, region), group) in groups {
            let Some(header) = index_code_key(&group.code)
                .and_then(|k| self.by_key.get(&(System::Icd10Cm, k)).copied())
            else {
                continue;
            };
            // A header of both limbs: the codes of the region's limb.
            let entries: Vec<u32> = match limb_words(region) {
                Some(limb) if !self.entries[header as usize].extensions.is_empty() => self.entries
                    [header as usize]
                    .extensions
                    .iter()
                    .copied()
                    .filter(|&c| {
                        let title = index_words(&self.entries[c as usize].title);
                        limb.iter().any(|l| {
                            let l: Vec<&str> = l.split(' ').collect();
                            title
                                .windows(l.len())
                                .any(|w| w.iter().zip(&l).all(|(a, b)| a == b))
                        })
                    })
                    .collect(),
                _ => vec![header],
            };
            let morphology: Vec<String> = index_words(main.split(',').next().unwrap_or(&main));
            let region_sites = sites.get(&region).map(Vec::as_slice).unwrap_or(&[]);
            // A site a sibling names, and every other row of its Tabular
            // category ("renal" beside "kidney": both C64), keep the
            // sibling's code.
            let named: BTreeSet<&str> = region_sites
                .iter()
                .filter(|site| {
                    group.siblings.iter().any(|title| {
                        !title.is_empty() && title.iter().all(|w| site.core.contains(w))
                    })
                })
                .filter_map(|site| site.category())
                .collect();
            for site in region_sites {
                if site.category().is_some_and(|c| named.contains(c)) {
                    continue;
                }
                for &entry in &entries {
                    let mut core = morphology.clone();
                    core.extend(site.core.iter().cloned());
                    let mut optional = site.optional.clone();
                    optional.extend(group.kinds.iter().cloned());
                    optional.extend(index_words(&self.entries[entry as usize].title));
                    self.texts.push(TextB {
                        entry,
                        kind: TextKind::IndexSub,
                        core,
                        optional,
                        label: format!(
                            "Index: {} {} ← {} (Neoplasm Table {}: a site of that region)",
                            group.shown, group.code, site.shown, site.primary
                        ),
                        // Below the Index's own texts: one per site of a
                        // region, they must not crowd a common site word's
                        // candidates ("sigmoid colon") out of the cap.
                        bonus: REGION_SITE_BONUS,
                        column: 0,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sites_malignant_cell_gives_its_region() {
        // Neoplasm Table: "liver, primary C22.0", "spleen C26.1",
        // "peritoneum C48.2", "brain, temporal lobe C71.2", "meninges,
        // cerebral C70.0", "lung C34.9-", "pleura C38.4", "back NEC C76.8"
        // (no region), "skin, back C44.59-"... by their keys.
        for (key, region) in [
            ("C220", Region::IntraAbdominal),
            ("C261", Region::IntraAbdominal),
            ("C482", Region::IntraAbdominal),
            ("C712", Region::Intracranial),
            ("C700", Region::Intracranial),
            ("C349", Region::Intrathoracic),
            ("C384", Region::Intrathoracic),
            ("C4459", Region::Trunk),
            ("C761", Region::Trunk),
            ("C765", Region::LowerLimb),
            ("C4471", Region::LowerLimb),
            ("C764", Region::UpperLimb),
            ("C760", Region::HeadFaceNeck),
            ("C4430", Region::HeadFaceNeck),
        ] {
            assert_eq!(region_of_code(key), Some(region), "{key}");
        }
        // The spinal meninges, the esophagus, the kidney and an ill-defined
        // site are in none of the Index's regions.
        for key in ["C701", "C159", "C649", "C768", "C412"] {
            assert_eq!(region_of_code(key), None, "{key}");
        }
    }

    #[test]
    fn the_skin_and_the_connective_tissue_are_tissues_not_sites() {
        for title in [
            "skin",
            "skin NOS",
            "connective tissue NEC",
            "subcutaneous (nodule)",
        ] {
            assert!(is_tissue_level(title), "{title}");
        }
        for title in ["back NEC", "skull", "liver"] {
            assert!(!is_tissue_level(title), "{title}");
        }
    }

    #[test]
    fn only_a_benign_or_uncertain_tumors_region_subterm_is_one() {
        assert_eq!(
            region_of_title("intra-abdominal"),
            Some(Region::IntraAbdominal)
        );
        assert_eq!(region_of_title("legs"), Some(Region::LowerLimb));
        assert_eq!(region_of_title("Neck"), Some(Region::HeadFaceNeck));
        assert_eq!(region_of_title("thigh"), None);
        assert!(is_region_tumor("D18.03") && is_region_tumor("D17.2-"));
        assert!(is_region_tumor("D48.112"));
        // Melanoma and nevus of skin, a long bone, a neoplastic osteitis.
        for printed in ["C43.30", "D22.6-", "C40.2-", "D49.2", "D03.6-"] {
            assert!(!is_region_tumor(printed), "{printed}");
        }
    }
}
