//! Morphology to site: the Alphabetic Index sends histology words to the
//! Neoplasm Table ("Adenocarcinoma — see also Neoplasm, malignant, by site";
//! "Leiomyosarcoma — see Neoplasm, connective tissue, malignant"). A query
//! naming a morphology and a site is answered from the Neoplasm Table row of
//! the site, in the column the morphology's Index entry names.

use super::text::index_words;
use crate::codeset::index::{IndexFile, IndexSource};

/// Neoplasm Table columns, as the table numbers them.
pub const MALIGNANT_PRIMARY: u8 = 2;
pub const MALIGNANT_SECONDARY: u8 = 3;
pub const IN_SITU: u8 = 4;
pub const BENIGN: u8 = 5;
pub const UNCERTAIN: u8 = 6;
pub const UNSPECIFIED: u8 = 7;
/// A route's column for a morphology the Index codes by its own subterms
/// ("Sarcoma, Kaposi's"): it stops a shorter key's route ("Sarcoma").
pub const NO_ROUTE: u8 = 0;

/// One route: the morphology's words, the column, the site the reference
/// names (empty for "by site"), and the reference as the Index prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub key: Vec<String>,
    /// Nonessential modifiers of the morphology: taken when the query has them.
    pub extra: Vec<String>,
    pub column: u8,
    pub site: String,
    pub label: String,
}

/// Words of a subterm that say "the site is documented" rather than naming a
/// kind of the morphology.
pub fn is_site_placeholder(title: &str) -> bool {
    let t = title.to_lowercase();
    t.contains("specified site") || t == "site" || t.contains("by site")
}

/// The column and site a "see Neoplasm, …" reference names, if it names one.
pub fn parse_reference(reference: &str) -> Option<(u8, String)> {
    let lower = reference.to_lowercase();
    let mut parts = lower.split(',').map(str::trim);
    if parts.next()? != "neoplasm" {
        return None;
    }
    let mut column = None;
    let mut site: Vec<&str> = Vec::new();
    for part in parts {
        let c = match part {
            "malignant" => Some(MALIGNANT_PRIMARY),
            "secondary" | "malignant secondary" => Some(MALIGNANT_SECONDARY),
            "in situ" | "ca in situ" => Some(IN_SITU),
            "benign" => Some(BENIGN),
            "uncertain behavior" => Some(UNCERTAIN),
            "unspecified behavior" | "unspecified nature" => Some(UNSPECIFIED),
            "by site" | "" => None,
            other => {
                site.push(other);
                None
            }
        };
        if c.is_some() {
            column = c;
        }
    }
    Some((column?, site.join(" ")))
}

/// Every route the Index to Diseases gives, longest key first: each term
/// whose reference names the Neoplasm Table, and each subterm under it that
/// has no code or reference of its own ("Carcinoma, squamous (cell)" keeps
/// the route of "Carcinoma"). A term's nonessential modifiers ("(cell)") are
/// words the query may hold: they belong to the morphology, not to the site.
pub fn routes(files: &[IndexFile]) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    for file in files.iter().filter(|f| f.source == IndexSource::Diseases) {
        let skin_sited = skin_sited_terms(file, &children_of(file));
        // The route in force at each term (inherited from its parent).
        let mut inherited: Vec<Option<(u8, String, String)>> = Vec::with_capacity(file.terms.len());
        // Terms whose subterms give codes ("Sarcoma, Kaposi's": colon C46.4,
        // lung C46.5-, lymph node C46.3): the Index answers by its own
        // subterms, not by the parent's route to the Neoplasm Table.
        let mut coded_below = vec![false; file.terms.len()];
        for t in &file.terms {
            if let Some(p) = t.parent
                && (t.code.is_some() || !t.cells.is_empty())
            {
                coded_below[p as usize] = true;
            }
        }
        for (i, term) in file.terms.iter().enumerate() {
            let parent = term
                .parent
                .and_then(|p| inherited.get(p as usize).cloned().flatten());
            let own = term
                .see
                .as_ref()
                .or(term.see_also.as_ref())
                .and_then(|r| parse_reference(r).map(|(c, site)| (c, site, r.clone())));
            let parent_routes = parent.as_ref().is_some_and(|p| p.0 != NO_ROUTE);
            let here = match (&own, &term.code, &term.see) {
                (Some(route), _, _) => Some(route.clone()),
                // A code or another reference of its own: that, not the route.
                (None, Some(_), _) | (None, None, Some(_)) => None,
                // No route, and no shorter key's route either (column 0).
                (None, None, None) if coded_below[i] && parent.is_some() => {
                    Some((NO_ROUTE, String::new(), String::new()))
                }
                (None, None, None) => parent,
            };
            inherited.push(here.clone());
            // A morphology under a routed main term with an Index code of its
            // own keeps that code ("Carcinoma, Merkel cell C4A.9": its
            // subterms give the sites): it stops the main term's route.
            let keeps_code =
                own.is_none() && term.code.is_some() && term.level == 1 && parent_routes;
            let here =
                here.or_else(|| keeps_code.then(|| (NO_ROUTE, String::new(), String::new())));
            let Some((column, site, reference)) = here else {
                continue;
            };
            let path = file.path(i);
            // "Nevus, specified site NEC — see Neoplasm, by site, benign":
            // for the sites Nevus does not list, which the builder writes
            // out (a nevus of the cheek is Nevus, skin, cheek D22.39).
            if term.level == 1
                && is_site_placeholder(&term.title)
                && term.parent.is_some_and(|p| skin_sited[p as usize])
            {
                continue;
            }
            let Some((key, extra)) = route_words(file, i) else {
                continue;
            };
            let label = format!("Index: {} → see {reference}", path.join(", "));
            let route = Route {
                key,
                extra,
                column,
                site,
                label,
            };
            // "Carcinoma, lobular" codes by its subterms, one of which
            // ("specified site — see Neoplasm, malignant, by site") is the
            // route of the same key: that route stands.
            match out.iter_mut().find(|r| r.key == route.key) {
                Some(r) if r.column == NO_ROUTE && route.column != NO_ROUTE => *r = route,
                Some(_) => {}
                None => out.push(route),
            }
        }
    }
    out.sort_by(|a, b| b.key.len().cmp(&a.key.len()).then(a.key.cmp(&b.key)));
    out
}

/// A route's key (the morphology's words, site placeholders left out) and
/// its nonessential modifiers; `None` for a key of no word or of more than
/// six.
fn route_words(file: &IndexFile, i: usize) -> Option<(Vec<String>, Vec<String>)> {
    let mut key: Vec<String> = Vec::new();
    for (level, title) in file.path(i).iter().enumerate() {
        if level > 0 && is_site_placeholder(title) {
            continue;
        }
        // "Carcinoma-in-situ" is typed "carcinoma in situ".
        key.extend(index_words(&title.replace('-', " ")));
    }
    key.dedup();
    if key.is_empty() || key.len() > 6 {
        return None;
    }
    let mut extra: Vec<String> = Vec::new();
    let mut at = Some(i);
    while let Some(t) = at {
        extra.extend(index_words(&file.terms[t].modifiers));
        at = file.terms[t].parent.map(|p| p as usize);
    }
    extra.retain(|w| !key.contains(w));
    Some((key, extra))
}

/// The subterms of each term.
pub fn children_of(file: &IndexFile) -> Vec<Vec<u32>> {
    let mut children = vec![Vec::new(); file.terms.len()];
    for (i, t) in file.terms.iter().enumerate() {
        if let Some(p) = t.parent {
            children[p as usize].push(i as u32);
        }
    }
    children
}

/// Coded sites under a "skin" subterm that make a main term a morphology
/// coded by skin site (Melanoma and Nevus list some seventy each; a
/// condition with a few skin subterms, "Ulcer, skin", is not one).
const SKIN_SITES_MIN: usize = 30;

/// By term: whether it is a main term of the Index to Diseases coded by
/// skin site (its "skin" subterm lists [`SKIN_SITES_MIN`] coded sites).
pub fn skin_sited_terms(file: &IndexFile, children: &[Vec<u32>]) -> Vec<bool> {
    let mut out = vec![false; file.terms.len()];
    if file.source != IndexSource::Diseases {
        return out;
    }
    for i in (0..file.terms.len()).filter(|&i| file.terms[i].level == 0) {
        out[i] = children[i].iter().any(|&c| {
            let c = c as usize;
            file.terms[c].title.eq_ignore_ascii_case("skin")
                && children[c]
                    .iter()
                    .filter(|&&s| file.terms[s as usize].code.is_some())
                    .count()
                    >= SKIN_SITES_MIN
        });
    }
    out
}

/// Whether a Neoplasm Table row names a morphology of skin rather than a
/// site ("basal cell carcinoma", "squamous cell carcinoma", "specified type
/// NEC" under "skin, limb, upper").
pub fn is_skin_morphology_row(title: &str) -> bool {
    let t = title.to_lowercase();
    t.ends_with("carcinoma") || t.starts_with("specified type")
}

/// Query words that choose the column whatever the morphology says
/// ("metastatic adenocarcinoma … liver": the liver's Secondary column).
pub fn column_word(w: &str) -> Option<u8> {
    Some(match w {
        "metastatic" | "metastasis" | "metastases" | "mets" | "metastasized" | "secondary" => {
            MALIGNANT_SECONDARY
        }
        "benign" => BENIGN,
        _ => return None,
    })
}

/// Query words that say the neoplasm is not a current one: a history, a
/// family history, a screening, a status after treatment. Such a query is no
/// morphology and site.
pub fn not_current(w: &str) -> bool {
    matches!(
        w,
        "history"
            | "hx"
            | "fhx"
            | "fh"
            | "ho"
            | "family"
            | "personal"
            | "screening"
            | "status"
            | "sp"
            | "surveillance"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_their_column_and_site() {
        assert_eq!(
            parse_reference("Neoplasm, malignant, by site"),
            Some((MALIGNANT_PRIMARY, String::new()))
        );
        assert_eq!(
            parse_reference("Neoplasm, connective tissue, malignant"),
            Some((MALIGNANT_PRIMARY, "connective tissue".into()))
        );
        assert_eq!(
            parse_reference("Neoplasm,  benign, by site"),
            Some((BENIGN, String::new()))
        );
        assert_eq!(
            parse_reference("Neoplasm, in situ, by site"),
            Some((IN_SITU, String::new()))
        );
        assert_eq!(
            parse_reference(" Neoplasm, uncertain behavior, by site"),
            Some((UNCERTAIN, String::new()))
        );
        assert_eq!(
            parse_reference("Neoplasm, secondary, by site").map(|r| r.0),
            Some(3)
        );
        assert_eq!(parse_reference("Fracture, pathological"), None);
    }

    #[test]
    fn skin_rows_of_a_morphology_are_told_from_sites() {
        // The rows under "skin, limb NEC, upper" in the Neoplasm Table.
        assert!(is_skin_morphology_row("squamous cell carcinoma"));
        assert!(is_skin_morphology_row("basal cell carcinoma"));
        assert!(is_skin_morphology_row("specified type NEC"));
        assert!(!is_skin_morphology_row("upper"));
        assert!(!is_skin_morphology_row("hand"));
    }

    #[test]
    fn the_bundled_index_routes_the_common_morphologies() {
        let files = crate::codeset::load_index().unwrap();
        let routes = routes(&files);
        let find = |k: &str| {
            let key: Vec<String> = k.split(' ').map(String::from).collect();
            routes.iter().find(|r| r.key == key).cloned()
        };
        assert_eq!(find("adenocarcinoma").unwrap().column, MALIGNANT_PRIMARY);
        let leio = find("leiomyosarcoma").unwrap();
        assert_eq!(
            (leio.column, leio.site.as_str()),
            (MALIGNANT_PRIMARY, "connective tissue")
        );
        assert_eq!(find("glioblastoma").unwrap().column, MALIGNANT_PRIMARY);
        assert_eq!(find("adenoma").unwrap().column, BENIGN);
        // "in" is a stop word: the key is what a query leaves of "carcinoma in situ".
        assert_eq!(find("carcinoma situ").unwrap().column, IN_SITU);
        // Longest first, so "carcinoma (in) situ" is tried before "carcinoma".
        let at = |k: &str| routes.iter().position(|r| r.key.join(" ") == k).unwrap();
        assert!(at("carcinoma situ") < at("carcinoma"));
        // "Sarcoma, Kaposi's" codes by its own subterms (lung C46.5-, lymph
        // node C46.3): no route to connective tissue, and it stops "sarcoma".
        assert_eq!(find("sarcoma kaposis").unwrap().column, NO_ROUTE);
        assert!(at("sarcoma kaposis") < at("sarcoma"));
        // "Carcinoma, Merkel cell C4A.9" has its own code and sites: it
        // stops "carcinoma" ("merkel cell carcinoma scalp" is C4A.4).
        assert_eq!(find("carcinoma merkel cell").unwrap().column, NO_ROUTE);
        assert!(at("carcinoma merkel cell") < at("carcinoma"));
        // "Carcinoma, lobular" codes by subterms too, but its "specified
        // site — see Neoplasm, malignant, by site" is a route of that key.
        assert_eq!(find("carcinoma lobular").unwrap().column, MALIGNANT_PRIMARY);
    }
}
