//! The FHIR import on damaged input: random bytes, the fixture cut or with a
//! span of bytes replaced, and elements of its resources swapped for values
//! of any JSON type. It never panics, and every line that refuses something
//! names where: the file and the entry or line, and for a resource its type
//! and id.

use chartcoder::interchange::fhir;
use chartcoder::store::Store;
use chrono::NaiveDate;
use proptest::prelude::*;
use std::path::Path;

fn fixture() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string("tests/fixtures/fhir/synthea_collection.json").unwrap()
    })
}

/// Imports `bytes` as a file named `name`; checks every line names its place.
fn check(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let mut lines = Vec::new();
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let report = fhir::import(&mut store, Path::new(&path), "fuzz", today, &mut |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    let file = path.display().to_string();
    for l in &lines {
        assert!(l.starts_with(&file), "a line without its file: {l}");
        let rest = &l[file.len()..];
        let placed = rest.starts_with(" entry[")
            || rest.starts_with(" line ")
            || rest.starts_with(" resourceType:")
            || rest.starts_with(" type:")
            || rest.starts_with(" the file:");
        assert!(placed, "a line without its place: {l}");
    }
    let stored = chartcoder::interchange::load_charts(&store, None)
        .unwrap()
        .len() as u64;
    assert_eq!(stored, report.charts, "{lines:#?}");
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        "[ -~]{0,12}".prop_map(serde_json::Value::from),
        "[0-9-T:]{0,25}".prop_map(serde_json::Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!([{"reference": "urn:uuid:nowhere"}])),
        Just(serde_json::json!("\u{1b}[31m")),
    ]
}

/// Every (entry, element path) of the fixture's resources, as pointers.
fn pointers() -> Vec<String> {
    fn walk(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{at}/{k}");
                    out.push(p.clone());
                    walk(x, p, out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let p = format!("{at}/{i}");
                    out.push(p.clone());
                    walk(x, p, out);
                }
            }
            _ => {}
        }
    }
    let v: serde_json::Value = serde_json::from_str(fixture()).unwrap();
    let mut out = Vec::new();
    walk(&v, String::new(), &mut out);
    out.retain(|p| p.starts_with("/entry/"));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check("r.json", &bytes);
        check("r.ndjson", &bytes);
    }

    #[test]
    fn a_damaged_fixture_never_panics(start in 0usize..40_000, len in 0usize..200, with in "[ -~]{0,8}") {
        let text = fixture().as_bytes();
        let start = start.min(text.len());
        let end = (start + len).min(text.len());
        let mut bytes = text[..start].to_vec();
        bytes.extend_from_slice(with.as_bytes());
        bytes.extend_from_slice(&text[end..]);
        check("d.json", &bytes);
    }

    #[test]
    fn an_element_of_any_type_is_refused_with_its_place(pick in any::<prop::sample::Index>(), value in json_value()) {
        let all = pointers();
        let pointer = &all[pick.index(all.len())];
        let mut v: serde_json::Value = serde_json::from_str(fixture()).unwrap();
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = value;
        }
        check("e.json", &serde_json::to_vec(&v).unwrap());
        // The same resources as NDJSON, a line each.
        let lines: String = v["entry"].as_array().unwrap().iter()
            .map(|e| format!("{}\n", e["resource"])).collect();
        check("e.ndjson", lines.as_bytes());
    }
}
