//! The import and export hardening of the security issue: a bad row anywhere
//! named with its field, wrong JSON types named by field and line, plausible and strict dates,
//! known editions, a BOM, control and bidi characters refused, CSV formula
//! injection neutralised, and site CSV tables with a runaway quote refused.

use chartcoder::codeset::{hcpcs, index, risk, user_table};
use chartcoder::domain::Chart;
use chartcoder::edits::site::{Mue, Ptp, parse_poa_exempt};
use chartcoder::interchange::Problem as ImportProblem;
use chartcoder::interchange::{self, json};
use chartcoder::store::Store;
use serde_json::{Value, json};

/// One valid chart (every optional text field filled, so each can be spoiled).
fn chart(account: &str) -> Value {
    json!({
        "account": account,
        "mrn": format!("M{account}"),
        "status": "ready",
        "patient": {"name": "Pat Test", "birth_date": "1950-01-02", "sex": "F"},
        "encounter": {
            "type": "inpatient", "admit_date": "2026-03-01", "discharge_date": "2026-03-04",
            "disposition": "01", "attending": "Dr. A", "other_providers": ["Dr. B"],
            "payer": "Medicare"
        },
        "documents": [{
            "kind": "discharge_summary", "author": "Dr. A", "date": "2026-03-04",
            "title": "Discharge summary", "text": "Admitted with heart failure."
        }],
        "diagnoses": [{"code": "I50.9", "system": "icd10cm", "edition": "FY2026", "poa": "Y"}],
        "procedures": [{
            "code": "99223", "system": "cpt", "date": "2026-03-01", "provider": "Dr. A",
            "modifiers": ["25"], "units": 1, "pointers": ["A"]
        }]
    })
}

/// A pretty-printed import file of these charts (one field per line).
fn file(charts: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({ "charts": charts })).unwrap()
}

/// The problems of a file that must be refused.
fn refused(text: &str) -> Vec<ImportProblem> {
    match json::parse_charts(text.as_bytes()) {
        Ok(charts) => panic!("accepted {} chart(s)", charts.len()),
        Err(problems) => problems,
    }
}

fn accepted(text: &str) -> Vec<Chart> {
    json::parse_charts(text.as_bytes())
        .unwrap_or_else(|p| panic!("{p:#?}"))
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

/// The 1-based line of the first occurrence of `needle`.
fn line_with(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    text[..at].matches('\n').count() + 1
}

/// The one problem of a refused file, which must name `field`.
fn one_problem(text: &str, field: &str) -> ImportProblem {
    let problems = refused(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = problems.into_iter().next().unwrap();
    assert_eq!(p.field.as_deref(), Some(field), "{p}");
    p
}

// ---- 1. import time linear in the file ---------------------------------------

/// `n` charts with a 3 KB document each; the last one has an impossible admit date.
fn big_file(n: usize) -> String {
    let text = "Patient seen for follow-up of chronic heart failure. ".repeat(60);
    let mut charts = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = chart(&format!("A{i:06}"));
        c["documents"][0]["text"] = text.clone().into();
        charts.push(c);
    }
    charts[n - 1]["encounter"]["admit_date"] = "2026-02-30".into();
    file(charts)
}

// Import speed is measured by `cargo bench --bench import` (beside the naive
// per-chart line count), not timed here: a test asserts what is reported.
#[test]
fn a_bad_row_at_the_end_of_a_large_file_is_named_with_its_field_and_line() {
    let large = big_file(4_000);
    let problems = refused(&large);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert_eq!(p.field.as_deref(), Some("encounter.admit_date"), "{p}");
    let line: usize = p
        .position
        .strip_prefix("charts[3999] (line ")
        .unwrap_or_else(|| panic!("{p}"))
        .trim_end_matches(')')
        .parse()
        .unwrap();
    // A problem found after parsing points at the chart's first line.
    let expected = line_with(&large, "\"A003999\"") - 1;
    assert_eq!(line, expected, "{p}");
}

// ---- 2. a wrong JSON type names the field and its line -----------------------

#[test]
fn a_wrong_json_type_names_the_field_and_the_line_of_the_value() {
    let mut c = chart("A1");
    c["procedures"][0]["units"] = "two".into();
    let text = file(vec![chart("A0"), c]);
    let p = one_problem(&text, "procedures[0].units");
    let line = line_with(&text, "\"two\"");
    assert_eq!(p.position, format!("charts[1] (line {line})"), "{p}");
    assert!(p.message.starts_with("invalid type: string"), "{p}");
    assert!(!p.to_string().contains("two"), "the value leaked: {p}");

    let mut c = chart("A1");
    c["patient"]["birth_date"] = 19500101.into();
    let text = file(vec![c]);
    let p = one_problem(&text, "patient.birth_date");
    let line = line_with(&text, "19500101");
    assert_eq!(p.position, format!("charts[0] (line {line})"), "{p}");
    assert!(!p.to_string().contains("19500101"), "the value leaked: {p}");

    let mut c = chart("A1");
    c["documents"][0]["signed"] = "yes".into();
    let p = one_problem(&file(vec![c]), "documents[0].signed");
    assert!(!p.to_string().contains("yes"), "the value leaked: {p}");
}

// ---- 3. plausible, strict dates; known editions; a BOM -----------------------

#[test]
fn dates_outside_1900_to_a_year_from_today_are_refused_with_their_field() {
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["patient", "birth_date"],
            "1899-12-31",
            "patient.birth_date",
        ),
        (
            &["encounter", "admit_date"],
            "2099-01-01",
            "encounter.admit_date",
        ),
        (
            &["encounter", "discharge_date"],
            "2099-01-02",
            "encounter.discharge_date",
        ),
        (
            &["documents", "0", "date"],
            "1066-10-14",
            "documents[0].date",
        ),
        (
            &["procedures", "0", "date"],
            "2099-01-01",
            "procedures[0].date",
        ),
        (
            &["documents", "0", "date"],
            "0001-01-01",
            "documents[0].date",
        ),
    ];
    for (path, date, field) in cases {
        let mut c = chart("A1");
        let mut v = &mut c;
        for key in path {
            v = match key.parse::<usize>() {
                Ok(i) => &mut v[i],
                Err(_) => &mut v[*key],
            };
        }
        *v = date.into();
        let problems = refused(&file(vec![c]));
        let p = problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("{date} in {field} not refused: {problems:#?}"));
        assert!(p.message.contains("1900-01-01"), "{p}");
        assert!(!p.to_string().contains(date), "the value leaked: {p}");
    }
}

#[test]
fn an_age_over_125_at_admission_is_refused_naming_the_birth_date() {
    let mut c = chart("A1");
    c["patient"]["birth_date"] = "1900-01-02".into();
    let p = one_problem(&file(vec![c]), "patient.birth_date");
    assert!(p.message.contains("125"), "{p}");
    // 125 at admission is still plausible.
    let mut c = chart("A1");
    c["patient"]["birth_date"] = "1901-03-01".into();
    accepted(&file(vec![c]));
}

#[test]
fn dates_must_be_zero_padded_iso() {
    for bad in [
        "2026-3-1",
        "2026-03-1",
        "2026-3-01",
        " 2026-03-01",
        "+2026-03-01",
        "20260301",
    ] {
        let mut c = chart("A1");
        c["encounter"]["admit_date"] = bad.into();
        c["encounter"]["discharge_date"] = "2026-03-04".into();
        let p = one_problem(&file(vec![c]), "encounter.admit_date");
        assert!(p.message.contains("YYYY-MM-DD"), "{bad:?}: {p}");
    }
}

#[test]
fn only_the_editions_chartcoder_has_are_accepted() {
    for bad in ["FY1999", "FY2031", "fy2026", "FY26"] {
        let mut c = chart("A1");
        c["diagnoses"][0]["edition"] = bad.into();
        let p = one_problem(&file(vec![c]), "diagnoses[0].edition");
        assert!(
            p.message.contains("FY2026") && p.message.contains("FY2027"),
            "the allowed values are named: {p}"
        );
    }
    for good in ["FY2026", "FY2027"] {
        let mut c = chart("A1");
        c["diagnoses"][0]["edition"] = good.into();
        assert_eq!(accepted(&file(vec![c]))[0].diagnoses[0].edition, good);
    }
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", file(vec![chart("A1")]));
    assert_eq!(accepted(&text).len(), 1);
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        interchange::import_json(&mut store, text.as_bytes(), "amy").unwrap(),
        1
    );
}

// ---- 4. control and bidi characters ------------------------------------------

const REFUSED: [char; 14] = [
    '\0', '\u{7}', '\u{1b}', '\u{8}', '\u{7f}', '\u{85}', '\u{9b}', '\u{202a}', '\u{202e}',
    '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}',
];

/// Every text field of a chart, by JSON path and by the name a problem gives it.
const TEXT_FIELDS: [(&[&str], &str); 22] = [
    (&["account"], "account"),
    (&["mrn"], "mrn"),
    (&["status"], "status"),
    (&["patient", "name"], "patient.name"),
    (&["patient", "sex"], "patient.sex"),
    (&["encounter", "type"], "encounter.type"),
    (&["encounter", "disposition"], "encounter.disposition"),
    (&["encounter", "attending"], "encounter.attending"),
    (&["encounter", "payer"], "encounter.payer"),
    (
        &["encounter", "other_providers", "0"],
        "encounter.other_providers[0]",
    ),
    (&["documents", "0", "kind"], "documents[0].kind"),
    (&["documents", "0", "author"], "documents[0].author"),
    (&["documents", "0", "title"], "documents[0].title"),
    (&["documents", "0", "text"], "documents[0].text"),
    (&["diagnoses", "0", "code"], "diagnoses[0].code"),
    (&["diagnoses", "0", "system"], "diagnoses[0].system"),
    (&["diagnoses", "0", "poa"], "diagnoses[0].poa"),
    (&["procedures", "0", "code"], "procedures[0].code"),
    (&["procedures", "0", "system"], "procedures[0].system"),
    (&["procedures", "0", "provider"], "procedures[0].provider"),
    (
        &["procedures", "0", "modifiers", "0"],
        "procedures[0].modifiers[0]",
    ),
    (
        &["procedures", "0", "pointers", "0"],
        "procedures[0].pointers[0]",
    ),
];

fn field_mut<'a>(c: &'a mut Value, path: &[&str]) -> &'a mut Value {
    let mut v = c;
    for key in path {
        v = match key.parse::<usize>() {
            Ok(i) => &mut v[i],
            Err(_) => &mut v[*key],
        };
    }
    v
}

#[test]
fn control_and_bidi_characters_are_refused_in_every_text_field() {
    for (path, field) in TEXT_FIELDS {
        for bad in REFUSED {
            let mut c = chart("A1");
            let old = field_mut(&mut c, path).as_str().unwrap().to_string();
            // In the middle, and at the end (where a trim would drop U+0085).
            for spoiled in [
                format!("{}{bad}{}", &old[..1], &old[1..]),
                format!("{old}{bad}"),
            ] {
                let mut c = chart("A1");
                *field_mut(&mut c, path) = spoiled.clone().into();
                let text = file(vec![chart("A0"), c]);
                let problems = refused(&text);
                let p = problems
                    .iter()
                    .find(|p| p.field.as_deref() == Some(field))
                    .unwrap_or_else(|| {
                        panic!("U+{:04X} in {field} not refused: {problems:#?}", bad as u32)
                    });
                assert!(p.position.starts_with("charts[1] (line "), "{p}");
                for p in &problems {
                    let shown = p.to_string();
                    assert!(!shown.contains(bad), "the character was echoed: {shown:?}");
                    // (Values of a few letters also occur in ordinary words.)
                    assert!(
                        old.len() < 4 || !shown.contains(&old),
                        "the value was echoed: {shown:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn document_text_keeps_newlines_tabs_and_crlf_only() {
    let mut c = chart("A1");
    c["documents"][0]["text"] = "HPI:\tshort of breath.\r\nPlan:\n- diurese\n".into();
    let charts = accepted(&file(vec![c]));
    assert!(charts[0].documents[0].text.contains("\r\n"));
    for bad in [
        "line one\rline two",
        "end\r",
        "tab\u{b}vertical",
        "form\u{c}feed",
    ] {
        let mut c = chart("A1");
        c["documents"][0]["text"] = bad.into();
        one_problem(&file(vec![c]), "documents[0].text");
    }
    // Newlines and tabs stay refused in one-line fields.
    for bad in ["Pat\nTest", "Pat\tTest"] {
        let mut c = chart("A1");
        c["patient"]["name"] = bad.into();
        one_problem(&file(vec![c]), "patient.name");
    }
}

// ---- 5. CSV formula injection ------------------------------------------------

#[test]
fn csv_export_neutralises_cells_a_spreadsheet_would_run() {
    let mut charts = accepted(&file(vec![chart("A1")]));
    let template = charts.remove(0);
    let dangerous = [
        "=1+1",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tX",
        "\rX",
        "=HYPERLINK(\"x\")",
    ];
    let charts: Vec<Chart> = dangerous
        .iter()
        .map(|d| {
            let mut c = template.clone();
            c.account = (*d).to_string();
            c.mrn = (*d).to_string();
            c.procedures[0].modifiers = vec![(*d).to_string()];
            c
        })
        .collect();
    let mut out = Vec::new();
    interchange::csv::write_codes(&charts, &mut out).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?}"
            );
        }
        let account = record.get(0).unwrap();
        let original = account.strip_prefix('\'').unwrap();
        assert!(dangerous.contains(&original), "{account:?}");
    }
    assert_eq!(rows, 2 * dangerous.len(), "one dx and one px row each");
    // Ordinary values are written as they are.
    let mut out = Vec::new();
    interchange::csv::write_codes(&[template], &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\nA1,MA1,inpatient,2026-03-01,2026-03-04,01,"),
        "{text}"
    );
    assert!(!text.contains('\''), "{text}");
}

// ---- 6. site CSV tables with a runaway quote ---------------------------------

/// Each CSV reader fed a quote that opens on `line` and never closes (or closes
/// on a later line): refused, naming the file and that line.
fn assert_quote_refused(err: Option<chartcoder::codeset::CodeSetError>, file: &str, line: usize) {
    let err = err.unwrap_or_else(|| panic!("{file}: the runaway quote was accepted"));
    assert_eq!((err.file.as_str(), err.line), (file, line), "{err}");
    assert!(err.message.contains("quote"), "{err}");
}

#[test]
fn a_site_cpt_table_with_an_unterminated_quote_is_refused_at_the_quote() {
    let text = "code,description\n99213,\"Office visit, established\n99214,Office visit, moderate\n99215,High\n";
    // Today the quote swallows 99214 and 99215 without a word.
    let err = user_table::parse("cpt.csv", text).err();
    assert_quote_refused(err, "cpt.csv", 2);
    let tsv = "code\tdescription\n99212\tLow\n99213\t\"Office visit\n99214\tModerate\n";
    assert_quote_refused(user_table::parse("cpt.tsv", tsv).err(), "cpt.tsv", 3);
    // A quote that closes on a later line swallows the line break: refused too.
    let spans = "code,description\n99213,\"Office\nvisit\"\n99214,Moderate\n";
    assert_quote_refused(user_table::parse("cpt.csv", spans).err(), "cpt.csv", 2);
    // Quoted fields with commas and doubled quotes are fine.
    let ok = "code,description\n99213,\"Office visit, \"\"established\"\"\"\n99214,Moderate\n";
    let table = user_table::parse("cpt.csv", ok).unwrap();
    assert_eq!(table.codes.len(), 2);
    assert_eq!(table.codes[0].description, "Office visit, \"established\"");
}

#[test]
fn every_other_csv_reader_refuses_an_unterminated_quote_at_the_quote() {
    let ptp = "Column 1\tColumn 2\t*\tEffective\tDeletion\tModifier\tRationale\n\
               10001\t10002\t\t20200101\t*\t1\t\"Mutually exclusive\n\
               10003\t10004\t\t20200101\t*\t0\tx\n";
    assert_quote_refused(Ptp::parse("ptp.txt", ptp).err(), "ptp.txt", 2);
    let mue = "HCPCS/CPT Code,MUE Value,MAI,Rationale\n\
               10001,1,2 Date of Service Edit: Policy,x\n\
               10002,1,\"2 Date of Service Edit: Policy,x\n\
               10003,1,2 Date of Service Edit: Policy,x\n";
    assert_quote_refused(Mue::parse("mue.csv", mue).err(), "mue.csv", 3);
    let exempt =
        "POA exempt codes\nCode,Description\nZ87.891,\"History of nicotine\nZ88.0,Allergy\n";
    assert_quote_refused(
        parse_poa_exempt("exempt.csv", exempt).err(),
        "exempt.csv",
        3,
    );
    let hcpcs_text = "hcpcs,recid,long_description,short_description\n\
                      A0021,3,\"Ambulance service, outside state,Amb out of state\n\
                      A0080,3,Non-emergency transport,Nonemerg transport\n";
    assert_quote_refused(hcpcs::parse("hcpcs.csv", hcpcs_text).err(), "hcpcs.csv", 2);
    let index_text = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n\
                      1,P,0,Pneumonia,,,,J18.9\n\
                      2,P,1,\"aspiration,,,,J69.0\n\
                      3,P,1,lobar,,,,J18.1\n";
    assert_quote_refused(
        index::parse_flattened("index.csv", index_text).err(),
        "index.csv",
        3,
    );
    let map = "diagnosis_code,cc,model_name\nI5022,\"226,CMS-HCC Model V28\nI5023,226,CMS-HCC Model V28\n";
    let labels = "cc,label,model_domain,model_version\nHCC226,Heart failure,CMS-HCC,V28\n";
    assert_quote_refused(
        risk::parse_hcc("map.csv", map, "labels.csv", labels, "CMS-HCC Model V28").err(),
        "map.csv",
        2,
    );
    let map_ok = "diagnosis_code,cc,model_name\nI5022,226,CMS-HCC Model V28\n";
    let labels_bad = "cc,label,model_domain,model_version\nHCC226,\"Heart failure,CMS-HCC,V28\nHCC227,x,CMS-HCC,V28\n";
    assert_quote_refused(
        risk::parse_hcc(
            "map.csv",
            map_ok,
            "labels.csv",
            labels_bad,
            "CMS-HCC Model V28",
        )
        .err(),
        "labels.csv",
        2,
    );
}
