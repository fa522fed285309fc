//! A physician query draft the query tests share (tests/queries.rs,
//! tests/pg_copy.rs).

use chartcoder::query::{Citation, Draft, Format, Indicator};
use chartcoder::store::{Store, charts};

/// A multiple-choice query on heart failure type and acuity to the chart's
/// attending, its first indicator citing the chart's first document.
pub fn heart_failure_draft(store: &Store, chart_id: i64) -> Draft {
    let chart = charts::load_chart(store.conn(), chart_id).unwrap();
    let doc = &chart.documents[0];
    Draft {
        template: Some("Heart failure type and acuity".into()),
        physician: chart.encounter.attending.clone().unwrap(),
        format: Some(Format::MultipleChoice),
        yes_no_reason: None,
        question: "Based on your clinical judgment, can the type and acuity of the heart failure be further specified?".into(),
        indicators: vec![
            Indicator {
                text: "BNP 1,450 pg/mL".into(),
                source: Some(Citation::of(doc)),
            },
            Indicator {
                text: "furosemide 40 mg IV twice daily".into(),
                source: None,
            },
        ],
        choices: vec![
            "Acute on chronic diastolic (HFpEF) heart failure".into(),
            "Chronic diastolic (HFpEF) heart failure".into(),
        ],
    }
}
