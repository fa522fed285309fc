//! A "see" reference to a subterm found under each site. The Index sends a
//! coder to a main term, then to the site, then to a subterm under the
//! site: "Strain, tendon — see Injury, muscle, by site, strain" is
//! "Injury, muscle, quadriceps, strain S76.11-"; "Laceration, tendon — see
//! Injury, muscle, by site, laceration"; "Hernia, with, obstruction — see
//! Hernia, by site, with, obstruction"; "Bite, insect — see Bite, by site,
//! superficial, insect". A site that itself refers on ("Injury, muscle,
//! leg, Achilles tendon — see Injury, Achilles tendon") is followed there
//! ("Injury, Achilles tendon, strain S86.01-"), and a site of the target's
//! main term of the referring term's kind is one ("Injury, patellar
//! ligament (tendon), strain S76.11-").
//!
//! A reference to a main term whose subterm of the referring term's own
//! name refers by site leads there too: "Rupture, tendon (traumatic) — see
//! Strain" is "Strain, tendon — see Injury, muscle, by site, strain", so an
//! "Achilles rupture" is S86.01-, not the unspecified injury the "Rupture,
//! internal organ — see Injury, by site" route gives.

use super::build_cm_index::{path_words, resolve_see, subterm_names};
use super::builder::{Builder, split_parens};
use super::text::{index_words, is_soft_word, words};
use crate::codeset::index::IndexFile;
use std::collections::HashMap;

/// Levels below the target a site is looked for at, at most ("Injury,
/// muscle, finger, index, flexor": three).
const MAX_SITE_DEPTH: usize = 4;
/// Texts one reference adds, at most.
const MAX_SITE_TEXTS: usize = 150;

/// A reference "A, B, by site, C, D": the target "A, B" and the subterm
/// path "C, D" to find under each of its sites. `None` without "by site"
/// or without a subterm after it.
fn split_by_site(see: &str) -> Option<(String, Vec<String>)> {
    let parts: Vec<&str> = see.split(',').map(str::trim).collect();
    let at = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("by site"))?;
    let rest: Vec<String> = parts[at + 1..]
        .iter()
        .filter(|p| !p.eq_ignore_ascii_case("by site"))
        .map(|p| words(p).join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    (at > 0 && !rest.is_empty()).then(|| (parts[..at].join(", "), rest))
}

/// The by-site reference a term leads to, resolved: the target term and
/// the subterm path to find under its sites.
fn by_site_target(
    file: &IndexFile,
    main_terms: &HashMap<String, Vec<usize>>,
    children: &[Vec<u32>],
    i: usize,
) -> Option<(usize, Vec<String>)> {
    let term = &file.terms[i];
    let see = term.see.as_deref()?;
    let by_site = match split_by_site(see) {
        Some(found) => found,
        None => {
            // "Rupture, tendon — see Strain": Strain's own "tendon".
            let t = resolve_see(file, main_terms, children, see)?;
            let (own, _) = split_parens(&term.title);
            let own = words(&own).join(" ");
            let &c = children[t].iter().find(|&&c| {
                let (whole, first) = subterm_names(file, c as usize);
                whole == own || first == own
            })?;
            split_by_site(file.terms[c as usize].see.as_deref()?)?
        }
    };
    let (target, rest) = by_site;
    Some((resolve_see(file, main_terms, children, &target)?, rest))
}

/// The coded term the subterm path leads to from `from`.
fn find_chain(
    file: &IndexFile,
    children: &[Vec<u32>],
    from: usize,
    rest: &[String],
) -> Option<usize> {
    let mut at = from;
    for part in rest {
        let &c = children[at].iter().find(|&&c| {
            let (whole, first) = subterm_names(file, c as usize);
            whole == *part || first == *part
        })?;
        at = c as usize;
    }
    file.terms[at].code.is_some().then_some(at)
}

/// The referring term's own words that the target's subterm names too
/// ("Rupture, tendon" and "Injury, muscle (and tendon)"): they may be left
/// out, the site names the tendon ("Achilles rupture"). Others ("Bite,
/// flea"), and the condition a main term target names ("Foreign body, in,
/// laceration — see Laceration, by site"), must be said.
fn own_words(file: &IndexFile, i: usize, target: usize) -> Vec<String> {
    let t = &file.terms[target];
    let mut target_words = Vec::new();
    if t.level > 0 {
        target_words.extend(index_words(&t.title));
        target_words.extend(index_words(&t.modifiers));
    }
    if file.terms[i].level == 0 {
        return Vec::new();
    }
    index_words(&split_parens(&file.terms[i].title).0)
        .into_iter()
        .filter(|w| target_words.contains(w))
        .collect()
}

/// The sites the referring term's main term lists itself: coded there
/// ("Tear, torn, rotator cuff M75.10-", not "Tear, torn, muscle — see
/// Strain").
fn listed_sites(file: &IndexFile, children: &[Vec<u32>], i: usize) -> Vec<Vec<String>> {
    file.terms[i]
        .parent
        .map(|p| {
            children[p as usize]
                .iter()
                .map(|&c| index_words(&split_parens(&file.terms[c as usize].title).0))
                .collect()
        })
        .unwrap_or_default()
}

/// The referring words with a site's: the site itself is said, the levels
/// above it may be left out ("leg" above "Achilles tendon").
fn site_words(
    file: &IndexFile,
    sites: &[usize],
    (core, optional): (&[String], &[String]),
) -> (Vec<String>, Vec<String>) {
    let mut sub_core = core.to_vec();
    let mut sub_optional = optional.to_vec();
    for (n, &s) in sites.iter().enumerate() {
        let (c, o) = split_parens(&file.terms[s].title);
        let (soft, named): (Vec<String>, Vec<String>) =
            index_words(&c).into_iter().partition(|w| is_soft_word(w));
        if n + 1 == sites.len() {
            for w in named {
                if !sub_core.contains(&w) {
                    sub_core.push(w);
                }
            }
        } else {
            sub_optional.extend(named);
        }
        sub_optional.extend(soft);
        sub_optional.extend(index_words(&o));
        sub_optional.extend(index_words(&file.terms[s].modifiers));
    }
    (sub_core, sub_optional)
}

impl Builder {
    /// The texts of a term whose reference names a subterm by site: the
    /// referring term's words with each site's, for the code the subterm
    /// path gives under that site.
    pub(super) fn add_by_site_reference(
        &mut self,
        file: &IndexFile,
        (main_terms, children): (&HashMap<String, Vec<usize>>, &[Vec<u32>]),
        skin_sited: &[bool],
        i: usize,
    ) {
        let Some((target, rest)) = by_site_target(file, main_terms, children, i) else {
            return;
        };
        let (path_core, mut optional) = path_words(file, i, skin_sited);
        let own = own_words(file, i, target);
        let (own_said, core): (Vec<String>, Vec<String>) =
            path_core.into_iter().partition(|w| own.contains(w));
        optional.extend(own_said);
        let listed = listed_sites(file, children, i);
        for part in &rest {
            optional.extend(index_words(part));
        }
        let label = format!(
            "{}: {} (see {})",
            file.source.label(),
            file.path(i).join(" > "),
            file.terms[i].see.as_deref().unwrap_or("")
        );
        let mut stack: Vec<(usize, Vec<usize>)> = children[target]
            .iter()
            .rev()
            .map(|&c| (c as usize, vec![c as usize]))
            .collect();
        // The target's own main term may list a site of the referring
        // term's kind beside it: "Injury, patellar ligament (tendon),
        // strain S76.11-" is no site of "Injury, muscle".
        if let Some(parent) = file.terms[target].parent.filter(|_| !own.is_empty()) {
            for &c in children[parent as usize].iter().rev() {
                let t = &file.terms[c as usize];
                let mut named = index_words(&t.title);
                named.extend(index_words(&t.modifiers));
                if c as usize != target && own.iter().all(|w| named.contains(w)) {
                    stack.push((c as usize, vec![c as usize]));
                }
            }
        }
        let mut added = 0;
        while let Some((site, sites)) = stack.pop() {
            if sites.len() < MAX_SITE_DEPTH {
                for &c in children[site].iter().rev() {
                    let mut deeper = sites.clone();
                    deeper.push(c as usize);
                    stack.push((c as usize, deeper));
                }
            }
            if listed.contains(&index_words(&split_parens(&file.terms[site].title).0)) {
                continue;
            }
            // A site that refers on: its target's subterm.
            let found = find_chain(file, children, site, &rest).or_else(|| {
                let see = file.terms[site].see.as_deref()?;
                let t = resolve_see(file, main_terms, children, see)?;
                find_chain(file, children, t, &rest)
            });
            let Some(hit) = found else { continue };
            let Some(code) = file.terms[hit].code.as_deref() else {
                continue;
            };
            let (sub_core, mut sub_optional) = site_words(file, &sites, (&core, &optional));
            sub_optional.extend(index_words(&file.terms[hit].modifiers));
            let shown: Vec<&str> = sites
                .iter()
                .map(|&s| file.terms[s].title.as_str())
                .collect();
            let label = format!("{label} > {} > {}", shown.join(" > "), rest.join(" > "));
            let named = format!("{}, {}", file.path(target).join(", "), shown.join(", "));
            let words = (sub_core.as_slice(), sub_optional.as_slice());
            self.add_index_code(
                file,
                file.terms[hit].level,
                code,
                None,
                words,
                (&label, &named),
            );
            added += 1;
            if added >= MAX_SITE_TEXTS {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_by_site;

    #[test]
    fn a_by_site_reference_is_its_target_and_the_subterm_under_each_site() {
        assert_eq!(
            split_by_site("Injury, muscle, by site, strain"),
            Some(("Injury, muscle".to_string(), vec!["strain".to_string()]))
        );
        assert_eq!(
            split_by_site("Hernia, by site, with, obstruction"),
            Some((
                "Hernia".to_string(),
                vec!["with".to_string(), "obstruction".to_string()]
            ))
        );
        assert_eq!(split_by_site("Melanoma, skin, by site"), None);
        assert_eq!(split_by_site("Strain"), None);
    }
}
