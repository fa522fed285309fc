//! The HL7 v2 parser and mapping under random input: no panic, and every
//! message not accepted is answered with an ERR that names its place.

use chartcoder::interchange::hl7::{self, AckCode};
use chartcoder::store::Store;
use proptest::prelude::*;
use std::cell::RefCell;

const FIXTURES: [&str; 7] = [
    "adt_a01",
    "adt_a03",
    "adt_a08",
    "mdm_t02_hp",
    "mdm_t02_ed",
    "oru_r01_pathology",
    "batch",
];

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(Store::open_in_memory().unwrap());
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let o = STORE.with(|s| hl7::process_on(&mut s.borrow_mut(), bytes, today));
    prop_assert!(
        o.ack.starts_with("MSH|") || o.ack.starts_with("MSH"),
        "{}",
        o.ack
    );
    let msa = o.ack.split('\r').nth(1).unwrap_or("");
    prop_assert!(
        msa.starts_with(&format!("MSA{}", &o.ack[3..4])),
        "{}",
        o.ack
    );
    if o.code != AckCode::Accept {
        let p = o.problem.as_ref();
        prop_assert!(p.is_some(), "a refusal without a problem: {}", o.note);
        let place = &p.unwrap().place;
        prop_assert!(!place.segment.is_empty());
        let err = o.ack.split('\r').find(|s| s.starts_with("ERR"));
        prop_assert!(err.is_some(), "no ERR: {}", o.ack);
        prop_assert!(
            err.unwrap()[4..].starts_with(place.segment.as_str()),
            "{}",
            o.ack
        );
    }
    Ok(())
}

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        0..FIXTURES.len(),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0..4u8,
                prop::sample::select(b"|^~\\&\r\nX0A.br#\x0b\x1c\xc3".to_vec()),
            ),
            1..6,
        ),
    )
        .prop_map(|(f, edits)| {
            let mut bytes =
                std::fs::read(format!("tests/fixtures/hl7/{}.hl7", FIXTURES[f])).unwrap();
            for (at, kind, byte) in edits {
                let i = at.index(bytes.len().max(1));
                match kind {
                    0 => bytes.insert(i.min(bytes.len()), byte),
                    1 if i < bytes.len() => {
                        bytes.remove(i);
                    }
                    2 if i < bytes.len() => bytes[i] = byte,
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_and_refusals_name_a_place(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&bytes)?;
    }

    #[test]
    fn pipe_shaped_text_never_panics(text in "MSH[|^~\\\\&#]{0,6}[A-Z0-9|^~\\\\&\r\n.]{0,200}") {
        check(text.as_bytes())?;
    }

    #[test]
    fn damaged_sample_messages_never_panic(bytes in mutated()) {
        check(&bytes)?;
    }
}
