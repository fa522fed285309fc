//! Code search: behaviour over the full bundled code sets.

mod common;
mod search_support;

use chartcoder::search::cache::{self, UserTables};
use chartcoder::search::{Filters, Hit, Searcher, System, SystemFilter, relevance};
use common::date;
use search_support::{codes, index, searcher};

const TODAY: &str = "2026-11-22";

fn search_with(q: &str, filters: Filters) -> Vec<Hit> {
    searcher().search(q, &filters, 50)
}

fn search(q: &str) -> Vec<Hit> {
    search_with(q, Filters::on(date(TODAY)))
}

#[test]
fn the_index_covers_every_bundled_system() {
    let ix = index();
    // ~97k ICD-10-CM codes (nodes and 7th-character codes), 79k PCS, 7k HCPCS.
    assert!(ix.entries() > 170_000, "{}", ix.entries());
    for (system, code) in [
        (System::Icd10Cm, "J18.9"),
        (System::Icd10Cm, "T45.0X1A"),
        (System::Icd10Pcs, "0DTJ4ZZ"),
        (System::Hcpcs, "G0439"),
    ] {
        assert!(ix.find(system, code).is_some(), "{code}");
    }
}

#[test]
fn codes_are_found_with_or_without_the_dot_and_by_prefix() {
    assert_eq!(search("J18.9")[0].code, "J18.9");
    assert_eq!(search("j189")[0].code, "J18.9");
    assert_eq!(search("E1165")[0].code, "E11.65");
    // A prefix lists the code, then its children in code order.
    let i50 = search("I50");
    assert_eq!(&codes(&i50)[..3], ["I50", "I50.1", "I50.2"]);
    assert!(i50.iter().take(20).all(|h| h.code.starts_with("I50")));
    let pcs = search("0DTJ");
    assert!(pcs.len() >= 4 && pcs.iter().take(4).all(|h| h.code.starts_with("0DTJ")));
    assert!(codes(&pcs).contains(&"0DTJ4ZZ"));
    // Without a dot G0439 is HCPCS as typed, and ICD-10-CM G04.39 after it.
    let g = search("G0439");
    assert_eq!((g[0].code.as_str(), g[0].system), ("G0439", System::Hcpcs));
    assert_eq!(g[1].code, "G04.39");
}

#[test]
fn the_index_default_code_comes_first() {
    let hits = search("pneumonia");
    assert_eq!(hits[0].code, "J18.9");
    assert!(
        hits[0].matched.starts_with("Index: Pneumonia"),
        "{:?}",
        hits[0]
    );
    assert!(hits[0].billable);
}

#[test]
fn truncated_words_in_any_order_typos_and_abbreviations() {
    assert_eq!(search("diab t2 hyperglyc")[0].code, "E11.65");
    assert_eq!(search("hyperglyc t2 diab")[0].code, "E11.65");
    assert_eq!(search("pnuemonia")[0].code, "J18.9");
    // Typing letter by letter through a typo still finds it.
    assert!(codes(&search("pnuem")).iter().any(|c| c.starts_with('J')));
    assert_eq!(search("chf")[0].code, "I50.9");
    assert_eq!(search("uti")[0].code, "N39.0");
    assert_eq!(search("heart attack")[0].code, "I21.9");
}

#[test]
fn billable_codes_rank_above_headers() {
    for q in ["heart failure", "diabetes", "pneumonia", "sepsis"] {
        let hits = search(q);
        assert!(hits[0].billable, "{q}: {:?}", hits[0]);
    }
}

#[test]
fn pcs_alone_reads_the_words_as_the_procedures_scope_does() {
    // PCS Index: "Appendectomy — see Resection, Appendix 0DTJ"; laparoscopic
    // is Percutaneous Endoscopic (4); "no drain placed" leaves No Device (Z).
    // The words must read the same whether every procedure system or
    // ICD-10-PCS alone is searched (a denied drain is not a term to match).
    for systems in [
        SystemFilter::Procedures,
        SystemFilter::Only(System::Icd10Pcs),
    ] {
        let mut f = Filters::on(date(TODAY));
        f.systems = systems;
        let hits = search_with("lap appendectomy, no drain placed", f);
        assert_eq!(
            hits.first().map(|h| h.code.as_str()),
            Some("0DTJ4ZZ"),
            "{systems:?}: {:?}",
            hits.iter().take(3).map(|h| &h.code).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_system_filter_keeps_to_its_codes() {
    let mut f = Filters::on(date(TODAY));
    f.systems = SystemFilter::Procedures;
    let px = search_with("appendectomy", f);
    assert!(!px.is_empty());
    assert!(px.iter().all(|h| !h.system.is_diagnosis()));
    assert_eq!(
        px[0].code,
        "0DTJ0ZZ"
            .to_string()
            .as_str()
            .get(..4)
            .map(|_| px[0].code.clone())
            .unwrap()
    );
    f.systems = SystemFilter::Diagnoses;
    let dx = search_with("appendicitis", f);
    assert!(dx.iter().all(|h| h.system == System::Icd10Cm));
    f.systems = SystemFilter::Only(System::Hcpcs);
    assert!(
        search_with("wheelchair", f)
            .iter()
            .all(|h| h.system == System::Hcpcs)
    );
}

#[test]
fn billable_only_offers_the_complete_7th_character_codes() {
    let all = search("fracture neck femur right");
    assert_eq!(all[0].code, "S72.001");
    assert!(all[0].needs_seventh);
    let mut f = Filters::on(date(TODAY));
    f.billable_only = true;
    let hits = search_with("fracture neck femur right", f);
    assert!(hits.iter().all(|h| h.billable), "{:?}", codes(&hits));
    // The first is the initial encounter for a closed fracture, S72.001A.
    assert_eq!(hits[0].code, "S72.001A");
    assert!(
        hits[0]
            .title
            .contains("initial encounter for closed fracture")
    );
}

#[test]
fn validity_follows_the_date_of_service() {
    // C78.31 was added for FY2027 (October 1, 2026); S23.420A was deleted then.
    let found = |code: &str, f: Filters| search_with(code, f).into_iter().find(|h| h.code == code);
    let fy26 = Filters::on(date("2026-09-30"));
    let fy27 = Filters::on(date("2026-10-01"));
    assert!(!found("C78.31", fy26).expect("shown, marked").valid);
    assert!(found("C78.31", fy27).unwrap().valid);
    assert!(found("S23.420A", fy26).unwrap().valid);
    assert!(!found("S23.420A", fy27).expect("shown, marked").valid);
    let mut strict = fy27;
    strict.valid_only = true;
    assert!(found("S23.420A", strict).is_none());
    assert!(found("C78.31", strict).is_some());
    // By words too: the new code is offered from its date on, not before.
    let mut words = fy26;
    words.valid_only = true;
    let larynx = |f: Filters| {
        codes(&search_with("secondary malignant neoplasm larynx", f)).contains(&"C78.31")
    };
    assert!(!larynx(words));
    words.date = date("2026-10-01");
    assert!(larynx(words));
}

#[test]
fn an_index_code_the_edition_subdivided_is_shown_as_a_header() {
    // The FY2025 Index still gives J45.9 (and others) as complete codes; FY2026
    // subdivided them. Searching the Index's words shows the code as a header.
    let files = chartcoder::codeset::load_index().unwrap();
    let diseases = &files[0];
    let (i, _) = diseases
        .terms
        .iter()
        .enumerate()
        .find(|(_, t)| t.code.as_deref() == Some("J45.9"))
        .expect("an Index row with J45.9");
    let query = diseases.path(i).join(" ");
    let hits = search(&query);
    let h = hits
        .iter()
        .find(|h| h.code == "J45.9")
        .unwrap_or_else(|| panic!("{query}: {:?}", codes(&hits)));
    assert!(h.header && !h.billable, "{h:?}");
    assert!(h.matched.starts_with("Index: "), "{h:?}");
}

#[test]
fn every_fixture_code_exists() {
    let fixtures = relevance::parse(include_str!("fixtures/search_relevance.tsv")).unwrap();
    assert!(fixtures.len() >= 150, "{}", fixtures.len());
    let ix = index();
    for f in &fixtures {
        for code in &f.accepted {
            if code.ends_with('*') {
                continue;
            }
            let known = System::ALL.iter().any(|&s| ix.find(s, code).is_some());
            assert!(known, "line {}: {code} is not a code", f.line);
        }
    }
}

#[test]
fn relevance_meets_the_targets() {
    let fixtures = relevance::parse(include_str!("fixtures/search_relevance.tsv")).unwrap();
    let filters = Filters::on(date(TODAY));
    let score = relevance::evaluate(&fixtures, |q| {
        searcher()
            .search(q, &filters, 10)
            .into_iter()
            .map(|h| h.code)
            .collect()
    });
    for (q, top) in &score.misses {
        eprintln!("MISS {q:?}: {top:?}");
    }
    for (q, top) in &score.not_first {
        eprintln!("NOT FIRST {q:?}: {top:?}");
    }
    eprintln!(
        "hit@1 {:.1}% hit@10 {:.1}% of {}",
        score.at1() * 100.0,
        score.at10() * 100.0,
        score.total
    );
    assert!(score.at10() >= 0.95, "hit@10 {:.3}", score.at10());
    assert!(score.at1() >= 0.70, "hit@1 {:.3}", score.at1());
}

#[test]
fn the_cache_is_used_rebuilt_when_damaged_and_never_trusted_blindly() {
    let dir = tempfile::tempdir().unwrap();
    let user = UserTables::default();
    let (first, report) = cache::load_or_build(Some(dir.path()), &user).unwrap();
    assert!(!report.from_cache);
    let file = dir.path().join(cache::FILE_NAME);
    let (second, report) = cache::load_or_build(Some(dir.path()), &user).unwrap();
    assert!(report.from_cache);
    assert!(
        first == second,
        "the cached index differs from the built one"
    );
    // One flipped byte in the middle: the checksum catches it; rebuilt.
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let (third, report) = cache::load_or_build(Some(dir.path()), &user).unwrap();
    assert!(!report.from_cache);
    assert!(third == first);
    // Truncated (a crash while another process wrote it without rename).
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 3]).unwrap();
    assert!(
        !cache::load_or_build(Some(dir.path()), &user)
            .unwrap()
            .1
            .from_cache
    );
    // Another fingerprint (other sources) is never read as this one.
    let bytes = std::fs::read(&file).unwrap();
    let fp = cache::fingerprint(&user).unwrap();
    assert!(cache::decode(&bytes, fp).is_ok());
    assert!(cache::decode(&bytes, fp ^ 1).is_err());
}

#[test]
fn a_site_cpt_table_is_searchable_and_a_change_to_it_rebuilds_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("cpt.tsv");
    // Made-up rows in the documented format: no CPT text is bundled or used.
    std::fs::write(
        &table,
        "code\tdescription\tshort_description\n99990\tFixture service alpha for testing\tFixture alpha\n",
    )
    .unwrap();
    let user = UserTables {
        cpt: Some(table.clone()),
        local: Vec::new(),
    };
    let (ix, report) = cache::load_or_build(Some(dir.path()), &user).unwrap();
    assert!(!report.from_cache);
    let hits = Searcher::new(&ix).search("fixture alpha", &Filters::on(date(TODAY)), 5);
    assert_eq!(
        (hits[0].code.as_str(), hits[0].system),
        ("99990", System::Cpt)
    );
    assert!(
        cache::load_or_build(Some(dir.path()), &user)
            .unwrap()
            .1
            .from_cache
    );
    std::fs::write(
        &table,
        "code\tdescription\n99990\tFixture service alpha for testing\n99991\tFixture service beta\n",
    )
    .unwrap();
    let (ix, report) = cache::load_or_build(Some(dir.path()), &user).unwrap();
    assert!(!report.from_cache, "a changed table must rebuild the index");
    let hits = Searcher::new(&ix).search("fixture beta", &Filters::on(date(TODAY)), 5);
    assert_eq!(hits[0].code, "99991");
    // A bad table is an error naming the file and line, not a silent gap.
    std::fs::write(&table, "code\tdescription\n99990\t\n").unwrap();
    let err = cache::load_or_build(Some(dir.path()), &user).err().unwrap();
    assert_eq!(err.line, 2);
    assert!(err.file.ends_with("cpt.tsv"), "{err}");
}

#[test]
fn the_worker_answers_the_newest_query_and_skips_the_overtaken() {
    use chartcoder::search::worker::SearchWorker;
    use std::sync::Arc;
    use std::time::Duration;
    let ix = Arc::new(index().clone());
    let mut worker = SearchWorker::spawn(ix).unwrap();
    let term = "congestive heart failure";
    let filters = Filters::on(date(TODAY));
    // Every prefix, as typed, without waiting.
    for n in 1..=term.len() {
        worker.submit(&term[..n], filters, 20);
    }
    let latest = worker.latest();
    let mut answers = Vec::new();
    while let Some(r) = worker.recv_timeout(Duration::from_secs(30)) {
        let done = r.id == latest;
        answers.push(r);
        if done {
            break;
        }
    }
    let last = answers.last().expect("an answer");
    assert_eq!(last.id, latest);
    assert_eq!(last.query, term);
    assert_eq!(last.hits[0].code, "I50.9");
    // Answers come in order, and fewer than the keystrokes (overtaken ones skipped
    // whenever typing outpaced the search; at least never more).
    assert!(answers.windows(2).all(|w| w[0].id < w[1].id));
    assert!(answers.len() <= term.len());
}

#[test]
fn the_worker_says_when_an_answer_is_ready_so_nobody_polls() {
    use chartcoder::search::worker::SearchWorker;
    use std::sync::Arc;
    use std::time::Duration;
    let (told, heard) = std::sync::mpsc::channel();
    let ix = Arc::new(index().clone());
    let mut worker = SearchWorker::spawn_notifying(ix, move || {
        let _ = told.send(());
    })
    .unwrap();
    let id = worker.submit("heart failure", Filters::on(date(TODAY)), 20);
    // Told once the answer is on the worker's channel: it is there at once.
    heard.recv_timeout(Duration::from_secs(30)).expect("told");
    let answer = worker.try_recv().expect("the answer, when told");
    assert_eq!(answer.id, id);
    // Nothing more to tell until the next search.
    assert!(heard.recv_timeout(Duration::from_millis(200)).is_err());
    assert!(worker.try_recv().is_none());
}

#[test]
fn an_index_code_in_no_bundled_edition_is_shown_not_valid() {
    // The bundled FY2025 Index names no code missing from FY2026/FY2027 (only
    // codes since subdivided: see the test above), so this builds a small index
    // from the same loaders with an Index row pointing at a code the tabular lacks.
    use chartcoder::codeset::{self, IcdCm, IcdPcs, hcpcs, index, pcs, tabular};
    let xml = "<ICD10CM.tabular><chapter><name>10</name><desc>Respiratory</desc>\
               <section id=\"J09-J18\"><desc>Influenza and pneumonia</desc>\
               <diag><name>J18</name><desc>Pneumonia, unspecified organism</desc>\
               <diag><name>J18.9</name><desc>Pneumonia, unspecified organism</desc></diag>\
               </diag></section></chapter></ICD10CM.tabular>";
    let cm = IcdCm::from_nodes(tabular::parse("t.xml", xml).unwrap(), Default::default());
    let pcs = IcdPcs {
        tables: pcs::Pcs::new(Vec::new()),
        mce: Default::default(),
        definitions: Default::default(),
    };
    let hcpcs = hcpcs::parse(
        "h.csv",
        "hcpcs,seqnum,recid,long_description,short_description\nG0439,0010,3,Annual wellness visit,AWV\n",
    )
    .unwrap();
    let idx = index::parse_flattened(
        "i.csv",
        "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n\
         1,P,0,Pneumonia,,,,J18.9\n\
         2,P,1,retired subterm,,,,J18.7\n",
    )
    .unwrap();
    let ix = chartcoder::search::build(&chartcoder::search::Sources {
        cm: &cm,
        pcs: &pcs,
        pcs_index: &Default::default(),
        hcpcs: &hcpcs,
        index: &[idx],
        synonyms: &[],
        cpt: None,
        local: &[],
        provenance: Vec::new(),
    });
    let e = ix
        .find(System::Icd10Cm, "J18.7")
        .expect("made from the Index");
    assert!(ix.index_only(e));
    let hits = Searcher::new(&ix).search("pneumonia retired", &Filters::on(date(TODAY)), 5);
    let h = hits.iter().find(|h| h.code == "J18.7").expect("shown");
    assert!(!h.valid && !h.billable, "{h:?}");
    assert!(
        h.title.contains("not in ICD-10-CM FY2026 or FY2027"),
        "{}",
        h.title
    );
    let mut strict = Filters::on(date(TODAY));
    strict.valid_only = true;
    let hits = Searcher::new(&ix).search("pneumonia retired", &strict, 5);
    assert!(hits.iter().all(|h| h.code != "J18.7"));
    let _ = codeset::INDEX_EDITION;
}

/// Diagnoses as a coder assigns them: reportable codes, on the date of service.
fn dx(q: &str) -> Vec<Hit> {
    let mut f = Filters::on(date(TODAY));
    f.systems = SystemFilter::Diagnoses;
    f.billable_only = true;
    searcher().search(q, &f, 10)
}

#[test]
fn shorthand_that_is_also_a_word_keeps_the_word() {
    // HIT is heparin-induced thrombocytopenia (Tabular D75.82-: "Heparin
    // induced thrombocytopenia (HIT)") ...
    let hit = dx("HIT");
    assert!(hit[0].code.starts_with("D75.82"), "{:?}", codes(&hit));
    // ... yet "hit" in an external cause is still the word: W21.0- "Struck by
    // hit or thrown ball".
    let ball = dx("hit by thrown ball");
    assert!(ball[0].code.starts_with("W21.0"), "{:?}", codes(&ball));
    // CAP is community-acquired pneumonia; cradle cap is still L21.0
    // (Tabular: L21.0 includes "Cradle cap").
    assert_eq!(dx("CAP")[0].code, "J18.9");
    assert_eq!(dx("cradle cap")[0].code, "L21.0");
    // NEC is necrotizing enterocolitis (K55.3-, P77.-); "NEC" after a term is
    // still the Index's "not elsewhere classified": Ketosis NEC E88.89.
    let nec = dx("NEC");
    assert!(
        nec[0].title.contains("ecrotizing enterocolitis"),
        "{:?}",
        codes(&nec)
    );
    assert_eq!(dx("ketosis NEC")[0].code, "E88.89");
    // ODD: oppositional defiant disorder F91.3.
    assert_eq!(dx("ODD")[0].code, "F91.3");
    // TIPS is the transjugular shunt (Bypass, Portal Vein to the Hepatic Vein,
    // 06183J4), yet "catheter tips" is still the HCPCS supply A4860.
    let all = Filters::on(date(TODAY));
    let tips = search_with("TIPS", all);
    assert!(tips[0].code.starts_with("0618"), "{:?}", codes(&tips));
    assert_eq!(search_with("catheter tips", all)[0].code, "A4860");
}

#[test]
fn two_letter_shorthand_is_matched_whole_and_lists_each_meaning() {
    // A two-letter abbreviation stands for its expansion, never for every
    // word it begins: "ED" is erectile dysfunction (N52.9), not edema or
    // edentulism; "MG" myasthenia gravis (G70.00), not magnesium.
    for (q, code, not_prefix) in [
        ("ED", "N52.9", "ed"),
        ("MG", "G70.00", "mg"),
        ("PV", "D45", "pv"),
        ("TN", "G50.0", "tn"),
    ] {
        let hits = dx(q);
        assert_eq!(hits[0].code, code, "{q}: {:?}", codes(&hits));
        for h in &hits {
            let title = h.title.to_lowercase();
            let longer = chartcoder::search::text::words(&title)
                .into_iter()
                .find(|w| w.starts_with(not_prefix) && w.len() > not_prefix.len());
            assert!(longer.is_none(), "{q} matched {longer:?} in {}", h.title);
        }
    }
    // An abbreviation with two meanings offers both: PD is Parkinson's
    // disease (G20.-) and peritoneal dialysis (Z99.2 "Dependence on renal
    // dialysis" includes peritoneal dialysis status).
    let pd = dx("PD");
    let top: Vec<&str> = codes(&pd).into_iter().take(5).collect();
    assert!(
        top.iter().any(|c| c.starts_with("G20")) && top.contains(&"Z99.2"),
        "{top:?}"
    );
}

#[test]
fn the_default_search_reads_procedure_words_as_the_procedure_search_does() {
    // `chartcoder search` without --system searches every code set (Filters::on).
    let all = Filters::on(date(TODAY));
    let mut px = all;
    px.systems = SystemFilter::Procedures;
    // PCS Index: "Laminectomy — see Excision / Release"; table 0QB, body part
    // 0 Lumbar Vertebra, Open: 0QB00ZZ. Not "Release of Pons" (a level read
    // as a cranial structure).
    let hits = search_with("L4-L5 laminectomy", all);
    assert!(hits[0].code.starts_with("0QB0"), "{:?}", codes(&hits));
    // PCS Index: "Appendectomy — see Resection, Appendix 0DTJ"; laparoscopic
    // is Percutaneous Endoscopic (4): 0DTJ4ZZ; "placed" is no placenta and
    // no place of occurrence (Y92).
    let hits = search_with("lap appendectomy, no drain placed", all);
    assert_eq!(hits[0].code, "0DTJ4ZZ", "{:?}", codes(&hits));
    assert!(
        hits.iter().take(5).all(|h| h.system != System::Icd10Cm),
        "{:?}",
        codes(&hits)
    );
    // Procedure words alone: the same first code as the procedure search.
    for q in [
        "total knee arthroplasty right",
        "open inguinal hernia repair with mesh",
        "laparoscopic cholecystectomy",
        "thoracentesis left",
        "colonoscopy with biopsy",
        "ORIF right ankle fracture",
    ] {
        let a = search_with(q, all);
        let p = search_with(q, px);
        assert_eq!(
            a[0].code,
            p[0].code,
            "{q}: {:?} / {:?}",
            codes(&a),
            codes(&p)
        );
    }
    // Diagnoses after the procedures the words name, never lost (Index:
    // Status (post), cholecystectomy Z90.49; Syndrome, postcholecystectomy
    // K91.5).
    let hits = search_with("cholecystectomy", all);
    assert_eq!(hits[0].system, System::Icd10Pcs, "{:?}", codes(&hits));
    assert!(
        hits.iter().any(|h| h.system == System::Icd10Cm),
        "{:?}",
        codes(&hits)
    );
}

#[test]
fn a_diagnosis_or_a_status_beside_procedure_words_stays_a_diagnosis_search() {
    let all = Filters::on(date(TODAY));
    // Index: Appendicitis K37; Absence, intestine (acquired) Z90.49.
    let hits = search_with("appendicitis s/p appendectomy", all);
    assert!(
        ["K37", "Z90.49"].contains(&hits[0].code.as_str()),
        "{:?}",
        codes(&hits)
    );
    // Index: Status (post), cholecystectomy Z90.49.
    let hits = search_with("history of cholecystectomy", all);
    assert_eq!(hits[0].system, System::Icd10Cm, "{:?}", codes(&hits));
    // Index: Complication, joint prosthesis, infection T84.5- (knee T84.53).
    let hits = search_with("infection of right knee arthroplasty", all);
    assert_eq!(hits[0].system, System::Icd10Cm, "{:?}", codes(&hits));
    // "Postlaminectomy syndrome NEC" M96.1 names no procedure done now.
    let hits = search_with("postlaminectomy syndrome", all);
    assert_eq!(hits[0].code, "M96.1", "{:?}", codes(&hits));
    assert_eq!(search_with("pneumonia", all)[0].code, "J18.9");
}

#[test]
fn uncertain_diagnoses_are_searched_as_if_established() {
    // Guidelines II.H / III.C; Index: Pneumonia J18.9, Sepsis A41.9.
    let all = Filters::on(date(TODAY));
    for q in [
        "R/O pneumonia",
        "rule out pneumonia",
        "probable pneumonia",
        "suspected pneumonia",
    ] {
        let hits = search_with(q, all);
        assert_eq!(hits[0].code, "J18.9", "{q}: {:?}", codes(&hits));
        // The qualifier pulls no title saying "ruled out" or "possible".
        for h in hits.iter().take(10) {
            let t = h.title.to_lowercase();
            assert!(
                !t.contains("ruled out") && !t.contains("possible"),
                "{q}: {}",
                h.title
            );
        }
    }
    assert_eq!(dx("r/o sepsis")[0].code, "A41.9");
    // "ruled out" said of the condition keeps "suspected": the observation
    // codes (Index: Observation, suspected, condition NEC Z03.89; the Z03
    // titles say "suspected ... ruled out"), not the infarction itself.
    let hits = dx("suspected myocardial infarction ruled out");
    assert!(hits[0].code.starts_with("Z03"), "{:?}", codes(&hits));
    // "suspected" abuse is its own code: T76 "... suspected" (Index: Abuse,
    // child, physical, suspected T76.12-).
    let hits = dx("suspected child physical abuse");
    assert!(hits[0].code.starts_with("T76.12"), "{:?}", codes(&hits));
}
