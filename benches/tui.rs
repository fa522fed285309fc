//! Workstation rendering benchmark: `cargo bench --bench tui`.
//!
//! Prints the time to render one frame of the chart screen and of the search
//! popup with 50 hits (80x24 and 120x40), and the bytes written to the terminal
//! per keystroke while typing a 20-letter search term; each beside a naive
//! baseline measured in the same run (a full repaint of the screen every frame,
//! which is what a UI without ratatui's buffer diff sends), as a ratio. The
//! bytes are counted through the product's backend (ratatui's diff with
//! `tui::wire::GapFill`), and through ratatui's diff alone for comparison.

use chartcoder::reference::CodeSets;
use chartcoder::search::cache::UserTables;
use chartcoder::store::Store;
use chartcoder::tui::app::App;
use chartcoder::tui::screens;
use chartcoder::tui::wire::GapFill;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write;
use std::time::{Duration, Instant};

const TERM: &str = "congestive heart fail"; // 21 keystrokes, 20 letters and a space

/// A terminal that only counts what it is sent.
#[derive(Default, Clone)]
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl Counter {
    fn sent(&self) -> usize {
        self.0.get()
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn key(app: &mut App, c: char) {
    let code = if c == '\n' {
        KeyCode::Enter
    } else {
        KeyCode::Char(c)
    };
    app.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn app(sets: &CodeSets, width: u16, height: u16) -> App {
    let mut store = Store::open_in_memory().expect("store");
    chartcoder::demo::seed(&mut store).expect("demo");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let mut app = App::new(store, "bench", today, width, height);
    app.install_codesets(sets.clone());
    key(&mut app, '\n'); // open the first chart
    app
}

fn frame_times(app: &App, runs: usize) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        terminal.draw(|f| screens::render(app, f)).expect("draw");
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], times[runs * 99 / 100])
}

fn counting_terminal<B: ratatui::backend::Backend>(
    backend: B,
    width: u16,
    height: u16,
) -> Terminal<B> {
    Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("terminal")
}

/// Bytes sent per keystroke, three ways.
struct Wire {
    product: f64,
    diff_only: f64,
    full: f64,
}

/// Bytes sent per keystroke typing TERM into the popup: as the product sends
/// them, with ratatui's diff alone, and repainting everything each time.
fn bytes_per_key(sets: &CodeSets, width: u16, height: u16) -> Wire {
    let mut a = app(sets, width, height);
    let (product_sent, diff_sent, full_sent) =
        (Counter::default(), Counter::default(), Counter::default());
    let mut product = counting_terminal(
        GapFill::new(CrosstermBackend::new(product_sent.clone())),
        width,
        height,
    );
    let mut diffed = counting_terminal(CrosstermBackend::new(diff_sent.clone()), width, height);
    let draw_both = |a: &App,
                     product: &mut Terminal<GapFill<CrosstermBackend<Counter>>>,
                     diffed: &mut Terminal<CrosstermBackend<Counter>>| {
        product.draw(|f| screens::render(a, f)).expect("draw");
        diffed.draw(|f| screens::render(a, f)).expect("draw");
    };
    draw_both(&a, &mut product, &mut diffed);
    key(&mut a, 'a');
    draw_both(&a, &mut product, &mut diffed);
    let starts = (product_sent.sent(), diff_sent.sent(), full_sent.sent());
    for c in TERM.chars() {
        key(&mut a, c);
        a.wait_for_search(Duration::from_secs(30));
        draw_both(&a, &mut product, &mut diffed);
        // A terminal with empty buffers: everything is sent again.
        let mut full = counting_terminal(CrosstermBackend::new(full_sent.clone()), width, height);
        full.draw(|f| screens::render(&a, f)).expect("draw");
    }
    let n = TERM.chars().count() as f64;
    Wire {
        product: (product_sent.sent() - starts.0) as f64 / n,
        diff_only: (diff_sent.sent() - starts.1) as f64 / n,
        full: (full_sent.sent() - starts.2) as f64 / n,
    }
}

fn main() {
    let cache = std::path::PathBuf::from("target").join("bench-search-cache");
    let sets = CodeSets::load(Some(cache), &UserTables::default(), &Default::default())
        .expect("code sets");
    println!("workstation rendering (one core)");
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let chart = app(&sets, w, h);
        let (c50, c99) = frame_times(&chart, 2000);
        let mut popup = app(&sets, w, h);
        key(&mut popup, 'a');
        for c in "chf".chars() {
            key(&mut popup, c);
        }
        popup.wait_for_search(Duration::from_secs(30));
        let hits = popup.popup().map_or(0, |p| p.hits.len());
        let (p50, p99) = frame_times(&popup, 2000);
        println!(
            "  {w}x{h} frame: chart p50 {:.3} ms p99 {:.3} ms; search popup ({hits} hits) p50 {:.3} ms p99 {:.3} ms   (target <= 1 ms)",
            ms(c50),
            ms(c99),
            ms(p50),
            ms(p99)
        );
        let wire = bytes_per_key(&sets, w, h);
        println!(
            "  {w}x{h} bytes per keystroke typing {:?}: {:.0} B (full repaint {:.0} B, {:.1}x more; ratatui's diff alone {:.0} B)   (target <= 3 KB)",
            TERM,
            wire.product,
            wire.full,
            wire.full / wire.product.max(1.0),
            wire.diff_only,
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
