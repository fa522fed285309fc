//! A fixed store workload, for counting instructions (callgrind) before and
//! after a change to the store: the machine's load does not change the count,
//! so it compares two builds of the store on a busy machine. It times nothing
//! and has no baseline of its own; the baseline is the other build.
//!
//!     cargo bench --bench store_probe --no-run      # prints the binary's path
//!     valgrind --tool=callgrind target/release/deps/store_probe-HASH coding
//!
//! Every phase first stores the demo charts and 2,000 generated ones in memory
//! (`setup` does only that, to subtract): `queue` then reads 200 queue pages
//! and summaries, `coding` runs 480 coding actions (each with its audit row),
//! `charts` loads each demo chart whole 20 times.

use chartcoder::domain::{ChartStatus, CodeSystem, EncounterType, Poa};
use chartcoder::store::coding::{self, CodeList};
use chartcoder::store::{QueueFilter, QueuePage, StatusFilter, Store, charts, queue};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes --bench: run every phase once, as a smoke test.
    let phase = std::env::args().nth(1).unwrap_or_default();
    if phase.is_empty() || phase == "--bench" {
        for phase in ["setup", "queue", "coding", "charts"] {
            run(phase)?;
        }
        return Ok(());
    }
    run(&phase)
}

fn run(phase: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut store = Store::open_in_memory()?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).ok_or("date")?;
    let demo = chartcoder::demo::seed(&mut store)?;
    chartcoder::demo::generate(&mut store, 2_000, 42, today)?;
    match phase {
        "setup" => {}
        "queue" => queue_pages(&store)?,
        "coding" => coding_actions(&mut store)?,
        "charts" => load_charts(&store, demo)?,
        other => return Err(format!("unknown phase {other:?}").into()),
    }
    Ok(())
}

fn queue_pages(store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let filters = [
        QueueFilter::default(),
        QueueFilter {
            status: StatusFilter::Uncoded,
            ..QueueFilter::default()
        },
        QueueFilter {
            status: StatusFilter::Only(ChartStatus::Ready),
            encounter_type: Some(EncounterType::Inpatient),
            ..QueueFilter::default()
        },
        QueueFilter {
            text: Some("B".into()),
            ..QueueFilter::default()
        },
    ];
    let mut rows = 0;
    for filter in &filters {
        let mut page = QueuePage::First;
        for _ in 0..50 {
            let got = queue::page(store.conn(), filter, &page, 50)?;
            queue::summary(store.conn(), filter)?;
            rows += got.len();
            match got.last() {
                Some(last) => page = QueuePage::After(last.key()),
                None => page = QueuePage::First,
            }
        }
    }
    println!("{rows} queue rows");
    Ok(())
}

fn charts_in(
    store: &Store,
    status: StatusFilter,
    n: usize,
) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let filter = QueueFilter {
        status,
        ..QueueFilter::default()
    };
    let page = queue::page(store.conn(), &filter, &QueuePage::First, n)?;
    Ok(page.iter().map(|r| r.chart_id).collect())
}

fn coding_actions(store: &mut Store) -> Result<(), Box<dyn std::error::Error>> {
    let user = "probe";
    for chart in charts_in(store, StatusFilter::Only(ChartStatus::Ready), 40)? {
        store.write(|tx| coding::claim(tx, chart, user))?;
        for code in ["I50.23", "J18.9", "E11.9", "N17.9"] {
            store.write(|tx| coding::add_diagnosis(tx, chart, user, code, "FY2027"))?;
        }
        store.write(|tx| coding::set_poa(tx, chart, user, 1, Some(Poa::Yes)))?;
        store.write(|tx| coding::shift(tx, chart, user, CodeList::Diagnoses, 2, true))?;
        store.write(|tx| coding::remove(tx, chart, user, CodeList::Diagnoses, 3))?;
        store.write(|tx| {
            coding::add_procedure(tx, chart, user, "0BH17EZ", CodeSystem::Icd10Pcs, None)
        })?;
        store.write(|tx| coding::hold(tx, chart, user, "probe hold"))?;
        store.write(|tx| coding::touch(tx, chart, user))?;
        store.write(|tx| coding::release(tx, chart, user))?;
    }
    println!("coding done");
    Ok(())
}

fn load_charts(store: &Store, demo: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut codes = 0;
    for _ in 0..20 {
        for chart in 1..=demo as i64 {
            let c = charts::load_chart(store.conn(), chart)?;
            codes += c.diagnoses.len() + c.procedures.len();
        }
    }
    println!("{codes} codes");
    Ok(())
}
