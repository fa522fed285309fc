//! The ICD-10-PCS sections after Medical and Surgical, and the body parts a
//! surgeon's word names: the words of `codesets/search/pcs_section_terms.tsv`
//! (written from the PCS Index, the Body Part Key and the FY2026 tables)
//! lead to the codes of their tables, and HCPCS drugs and supplies do not
//! come before the procedure.

mod common;
mod search_support;

use chartcoder::search::synonyms;
use search_support::{assert_first_each, codes, first, px};

/// The entries of one bundled list (more than `at_least` of them) as the
/// merged lists hold them: a key another list also has ("central line")
/// keeps that list's phrases beside these.
fn merged_entries_of(path: &str, text: &str, at_least: usize) -> Vec<synonyms::Synonym> {
    let own = synonyms::parse(path, text).unwrap();
    assert!(own.len() > at_least, "{path}: {} entries", own.len());
    let list: Vec<synonyms::Synonym> = synonyms::bundled()
        .unwrap()
        .into_iter()
        .filter(|s| own.iter().any(|o| o.key == s.key))
        .collect();
    assert_eq!(list.len(), own.len());
    list
}

#[test]
fn every_section_term_leads_to_a_pcs_code_holding_one_of_its_phrases() {
    let list = merged_entries_of(synonyms::SECTIONS_PATH, synonyms::SECTIONS, 40);
    // A complete PCS code, not a table header.
    search_support::assert_each_entry_leads_to_its_phrases(
        &list,
        |s| px(&s.key),
        |h| h.code.len() == 7,
    );
}

#[test]
fn every_other_section_word_leads_to_a_pcs_code_holding_one_of_its_phrases() {
    // codesets/search/pcs_other_sections.tsv: DCCV, HBOT, OMT, CBT, detox,
    // contrast agents, the routes of Administration.
    let list = merged_entries_of(synonyms::OTHER_SECTIONS_PATH, synonyms::OTHER_SECTIONS, 20);
    search_support::assert_each_entry_leads_to_its_phrases(
        &list,
        |s| px(&s.key),
        |h| h.code.len() == 7,
    );
}

#[test]
fn a_sections_own_words_find_its_table() {
    for (q, code) in [
        // Radiation Therapy: IMRT is photon Beam Radiation; SBRT Stereotactic
        // Other Photon Radiosurgery; Gamma Knife Stereotactic Gamma Beam.
        ("IMRT prostate", "DV00"),
        ("IMRT left breast", "DM00"),
        ("SBRT lung", "DB22DZZ"),
        ("SBRT liver", "DF20DZZ"),
        ("gamma knife radiosurgery brain", "D020JZZ"),
        // Nuclear Medicine: SPECT is the Tomographic type; a bone scan Planar.
        ("bone scan", "CP1"),
        ("gastric emptying study", "CD15"),
        // Measurement and Monitoring: the EEG is Central Nervous electrical
        // activity.
        ("EEG", "4A0"),
        // Extracorporeal Therapies: apheresis is Pheresis.
        ("leukapheresis", "6A55"),
        ("platelet apheresis", "6A55"),
        // Placement: a short arm cast is Immobilization of the Lower Arm.
        ("short arm cast left", "2W3DX2Z"),
    ] {
        let hits = px(q);
        assert!(first(&hits).starts_with(code), "{q}: {:?}", codes(&hits));
    }
}

#[test]
fn hcpcs_drugs_and_supplies_come_after_the_procedure() {
    // J (drugs), Q20 (vaccines), Q40 (casting supplies) and G8 (quality
    // data) are no procedures: a PCS code of the procedure's row is first.
    for (q, code) in [
        ("insulin injection subcutaneous", "3E013"),
        ("short arm cast right", "2W3CX2Z"),
        ("influenza vaccine intramuscular", "3E0234Z"),
    ] {
        let hits = px(q);
        assert!(first(&hits).starts_with(code), "{q}: {:?}", codes(&hits));
    }
}

#[test]
fn bipap_is_respiratory_assistance_by_positive_airway_pressure() {
    // PCS Index "BiPAP — see Assistance, Respiratory 5A09": the Index names
    // the table, not the qualifier. Bilevel positive airway pressure is one
    // of table 5A09's positive airway pressure qualifiers (Continuous 7,
    // Intermittent 8), never a negative pressure (9, B) or a High
    // Flow/Velocity Cannula (A); the duration is the approach character.
    for (q, duration) in [
        ("BiPAP", None),
        ("BiPAP less than 24 hours", Some('3')),
        ("BiPAP 24-96 hours", Some('4')),
        ("BiPAP greater than 96 hours", Some('5')),
    ] {
        let hits = px(q);
        let code = first(&hits);
        let chars: Vec<char> = code.chars().collect();
        assert!(
            code.starts_with("5A09")
                && chars.len() == 7
                && chars[5] == '5'
                && matches!(chars[6], '7' | '8')
                && duration.is_none_or(|d| chars[4] == d),
            "{q}: {:?}",
            codes(&hits)
        );
    }
}

#[test]
fn a_substance_no_class_names_is_other_therapeutic_substance() {
    // Table 3E0: a substance none of the substance axis's classes names is
    // Other Therapeutic Substance (G), Other Substance (C). Index
    // "Pleurodesis, Chemical injection - see Introduction of substance in or
    // on, Pleural Cavity 3E0L": talc is no class of the axis; nor is a drug
    // put into the eye unnamed, nor dinoprostone (Table of Drugs T48.0X-)
    // put into the vagina to ripen the cervix. A class the words name (the
    // Table of Drugs' Methotrexate T45.1X- antineoplastic) is its own value.
    assert_first_each(
        px,
        &[
            ("talc pleurodesis", "3E0L3GC"),
            ("chemical pleurodesis", "3E0L3GC"),
            ("intravitreal injection", "3E0C3GC"),
            ("cervical ripening with dinoprostone", "3E0P7GC"),
            ("cervical ripening with Cervidil insert", "3E0P7GC"),
            ("intrathecal methotrexate", "3E0R305"),
        ],
    );
}

#[test]
fn a_value_the_words_leave_unsaid_is_the_tables_plain_one() {
    assert_first_each(
        px,
        &[
            // Index "Counseling, Individual ... Motivational Enhancement HZ37ZZZ";
            // Group (HZ4) only when said.
            (
                "motivational enhancement counseling for opioid use disorder",
                "HZ37ZZZ",
            ),
            (
                "group counseling motivational enhancement alcohol",
                "HZ47ZZZ",
            ),
            // Index "Medication Management GZ3ZZZZ"; HZ8 is "for substance abuse".
            ("psychiatric medication management", "GZ3ZZZZ"),
            // Index "Pheresis, Stem Cells, Hematopoietic 6A55": Cord Blood only
            // when said; "Stem cell transplant - see Transfusion 302".
            ("stem cell apheresis", "6A550ZV"),
            ("autologous stem cell transplant central line", "30243Y0"),
            // Index "Assistance, Circulatory, Intermittent, Oxygenation,
            // Hyperbaric 5A05121"; Continuous when said.
            ("HBOT", "5A05121"),
            (
                "hyperbaric oxygen therapy for diabetic foot wound",
                "5A05121",
            ),
            ("continuous hyperbaric oxygenation", "5A05221"),
        ],
    );
}

#[test]
fn protons_radioiodine_and_imaging_shorthand_find_their_rows() {
    for (q, code) in [
        // Beam Radiation, modality qualifier Heavy Particles (Protons,Ions) 4.
        ("proton beam therapy to the brain", "D0004ZZ"),
        ("proton therapy prostate", "DV004ZZ"),
        ("proton radiation liver", "DF004ZZ"),
        // Index "Systemic Nuclear Medicine Therapy, Thyroid CW7G", Iodine 131.
        ("radioactive iodine ablation", "CW7GGZZ"),
        ("I-131 ablation for hyperthyroidism", "CW7GGZZ"),
        // Index "Echocardiogram - see Ultrasonography, Heart B24": the whole
        // heart, Right and Left (6).
        ("TTE", "B246ZZZ"),
        ("transthoracic echocardiogram", "B246ZZZ"),
        // Table BW2: Abdomen and Pelvis (1), a contrast named.
        ("CT abd/pelvis with IV contrast", "BW21"),
    ] {
        let hits = px(q);
        assert!(first(&hits).starts_with(code), "{q}: {:?}", codes(&hits));
    }
}

#[test]
fn named_operations_reach_the_rows_the_index_and_key_give_them() {
    assert_first_each(
        px,
        &[
            // A named approach steers every pass: "nodule" is no word of a
            // title, and the thoracoscopic excision is still Percutaneous
            // Endoscopic (Definitions, approach 4).
            (
                "thoracoscopic wedge resection of right upper lobe nodule",
                "0BBC4ZZ",
            ),
            // Body Part Key: Stapes -> Auditory Ossicle; a prosthesis in its
            // place is a Replacement (table 09R, Synthetic Substitute).
            ("right stapedectomy with prosthesis", "09R90JZ"),
            // Body Part Key: Tibialis posterior muscle -> Lower Leg Muscle;
            // its tendon is the Lower Leg Tendon (table 0LX).
            ("posterior tibial tendon transfer right", "0LXN0ZZ"),
            ("latissimus dorsi tendon transfer right", "0LX90ZZ"),
            // Table 081: Lacrimal Duct to Nasal Cavity (3).
            ("left DCR for nasolacrimal duct obstruction", "081Y0Z3"),
            // Index: Revision of device in, Cerebral Ventricle 00W6.
            ("VP shunt revision", "00W60JZ"),
            // Index: Removal of device from, Subcutaneous Tissue and
            // Fascia, Trunk 0JPT; Device Aggregation: a pacemaker is the
            // Cardiac Rhythm Related Device (P) outside Insertion.
            ("explant of infected pacemaker generator", "0JPT0PZ"),
            // Lymphatic, Right Neck; radical: Resection 07T.
            ("right radical neck dissection", "07T10ZZ"),
            // Body Part Key: Submandibular gland -> Submaxillary Gland.
            ("right submandibular gland biopsy", "0CBG0ZX"),
            // Index: Echocardiogram -> Ultrasonography, Heart B24.
            ("TTE echocardiogram", "B246ZZZ"),
            // Index: Brachytherapy, Cervix DU11 (HDR 9, Ir-192 8).
            (
                "HDR tandem and ovoid brachytherapy Ir-192 cervical cancer fraction 3",
                "DU1198Z",
            ),
        ],
    );
}

#[test]
fn a_titled_medical_and_surgical_codes_body_part_is_its_rows() {
    // The ranking reads whether an "-ectomy" names a code's body part once
    // per row (its first four characters), not once per code: that holds
    // only if every titled code of a row names the same body part (the
    // title's words before the first comma, after "of": "Resection of
    // Thyroid Gland Lobe, Left, Open Approach"). The 4th character is the
    // body part in section 0 (PCS guidelines A.2, B2.1a).
    use chartcoder::search::System;
    let ix = search_support::index();
    let mut rows: std::collections::HashMap<&str, &str> = Default::default();
    let mut read = 0;
    for e in 0..ix.entries() {
        let (key, title) = (ix.code(e), ix.title(e));
        // Codes valid per the MCE that the tables give no title.
        if ix.system(e) != System::Icd10Pcs
            || key.len() != 7
            || !key.starts_with('0')
            || title.starts_with('(')
        {
            continue;
        }
        let body = title.split(", ").next().unwrap_or(title);
        let body = body.split_once(" of ").map_or(body, |(_, b)| b);
        let first = rows.entry(&key[..4]).or_insert(body);
        assert_eq!(*first, body, "{key}: {title}");
        read += 1;
    }
    assert!(
        read > 60_000 && rows.len() > 9_000,
        "{read} codes, {} rows",
        rows.len()
    );
}
