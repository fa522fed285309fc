//! Unit tests of `build_cm_index.rs` (the ICD-10-CM Alphabetic Index, the
//! Neoplasm Table and their see references as index entries).

use super::*;

#[test]
fn a_see_references_own_subterm_is_the_one_it_names() {
    // "Fracture, traumatic, humerus, supracondylar — see Fracture,
    // humerus, lower end"; under lower end, "supracondylar (simple)
    // (displaced) S42.41-" is named by the reference, "lateral
    // condyle" is not.
    let core: Vec<String> = ["fracture", "humerus", "supracondylar"]
        .map(String::from)
        .to_vec();
    assert!(repeats_reference(
        &core,
        &["supracondylar (simple) (displaced)"]
    ));
    assert!(repeats_reference(
        &core,
        &["supracondylar (simple) (displaced)", "comminuted"]
    ));
    assert!(!repeats_reference(&core, &["lateral condyle"]));
    assert!(!repeats_reference(&core, &[]));
}

fn diseases() -> IndexFile {
    let mut files = crate::codeset::load_index().unwrap();
    files.swap_remove(
        files
            .iter()
            .position(|f| f.source == IndexSource::Diseases)
            .unwrap(),
    )
}

fn term(file: &IndexFile, path: &[&str]) -> usize {
    (0..file.terms.len())
        .find(|&i| file.path(i) == path)
        .unwrap_or_else(|| panic!("{path:?}"))
}

#[test]
fn a_morphology_coded_by_skin_site_is_typed_without_skin() {
    let file = diseases();
    let children = children_of(&file);
    let sited = super::super::morphology::skin_sited_terms(&file, &children);
    // Melanoma and Nevus list some seventy coded sites under "skin";
    // "Ulcer, skin" a few: that is a condition of the skin, not a
    // morphology coded by skin site.
    assert!(sited[term(&file, &["Melanoma"])]);
    assert!(sited[term(&file, &["Nevus"])]);
    let ulcer = (0..file.terms.len())
        .find(|&i| file.terms[i].level == 0 && file.terms[i].title.starts_with("Ulcer,"))
        .unwrap();
    assert!(!sited[ulcer]);
    // "Nevus, skin, cheek D22.39": "nevus of cheek" (skin may be typed).
    let (core, optional) = path_words(&file, term(&file, &["Nevus", "skin", "cheek"]), &sited);
    assert_eq!(core, ["nevus", "cheek"]);
    assert!(optional.contains(&"skin".to_string()));
    // "Hemangioma, cavernous, skin D18.01": skin is the site itself.
    let (core, _) = path_words(
        &file,
        term(&file, &["Hemangioma", "cavernous", "skin"]),
        &sited,
    );
    assert_eq!(core, ["hemangioma", "cavernous", "skin"]);
    // "Colitis, Clostridium difficile, not specified as recurrent
    // A04.72": "not specified" is the default, not typed.
    let cdiff = [
        "Colitis",
        "Clostridium difficile",
        "not specified as recurrent",
    ];
    let (core, optional) = path_words(&file, term(&file, &cdiff), &sited);
    assert_eq!(core, ["colitis", "clostridium", "difficile", "recurrent"]);
    assert!(optional.contains(&"specified".to_string()));
}

#[test]
fn see_references_by_site_and_see_also_a_skin_morphology_are_followed() {
    let file = diseases();
    let children = children_of(&file);
    let sited = super::super::morphology::skin_sited_terms(&file, &children);
    let main_terms = main_terms_of(&file);
    // "Melanoma, superficial spreading — see Melanoma, skin, by site".
    let skin = term(&file, &["Melanoma", "skin"]);
    let found = follow_see(&file, &main_terms, &children, "Melanoma, skin, by site");
    assert_eq!(found, Some(skin));
    // "Lentigo, maligna — see also Melanoma, in situ" has no code of its
    // own: the reference is where its codes are.
    let maligna = term(&file, &["Lentigo", "maligna"]);
    let see = reference_to_follow(&file, &main_terms, &sited, maligna);
    assert_eq!(see, Some("Melanoma, in situ"));
    // A "see also" to a condition is not followed ("Abnormal — see also
    // Anomaly").
    let abnormal = (0..file.terms.len())
        .find(|&i| file.terms[i].level == 0 && file.terms[i].title.starts_with("Abnormal,"))
        .unwrap();
    assert_eq!(
        reference_to_follow(&file, &main_terms, &sited, abnormal),
        None
    );
}

#[test]
fn site_keys_drop_variants_and_nec() {
    assert_eq!(site_key("thigh NEC"), ["thigh"]);
    assert_eq!(site_key("anus, anal"), ["anus"]);
    assert_eq!(site_key("cavity"), ["cavity"]);
}

#[test]
fn a_see_reference_names_a_subterm_without_its_nec() {
    // "Smoker — see Dependence, drug, nicotine", "Dependence, codeine — see
    // Dependence, drug, opioid", "..., caffeine — see Dependence, drug,
    // stimulant NEC": the Index's subterm is "drug NEC".
    let file = diseases();
    let children = children_of(&file);
    let main_terms = main_terms_of(&file);
    for (see, leaf, code) in [
        ("Dependence, drug, nicotine", "nicotine", "F17.200"),
        ("Dependence, drug, opioid", "opioid", "F11.20"),
        (
            "Dependence, drug, sedative",
            "sedative, hypnotic or anxiolytic",
            "F13.20",
        ),
        ("Dependence, drug, stimulant NEC", "stimulant NEC", "F15.20"),
        ("Dependence, drug, cocaine", "cocaine", "F14.20"),
    ] {
        let found = follow_see(&file, &main_terms, &children, see)
            .unwrap_or_else(|| panic!("{see}: not followed"));
        assert_eq!(file.path(found), ["Dependence", "drug NEC", leaf], "{see}");
        assert_eq!(file.terms[found].code.as_deref(), Some(code), "{see}");
    }
}
