//! Workstation rendering benchmark: `cargo bench --bench tui`.
//!
//! Prints the time to render one frame of the chart screen and of the search
//! popup with 50 hits (80x24 and 120x40), and the bytes written to the terminal
//! per keystroke while typing a 20-letter search term; each beside a naive
//! baseline measured in the same run (a full repaint of the screen every frame,
//! which is what a UI without ratatui's buffer diff sends), as a ratio.

use chartcoder::search::cache::UserTables;
use chartcoder::store::Store;
use chartcoder::tui::app::App;
use chartcoder::tui::chart::CodeSets;
use chartcoder::tui::screens;
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

fn counting_terminal(
    counter: &Counter,
    width: u16,
    height: u16,
) -> Terminal<CrosstermBackend<Counter>> {
    Terminal::with_options(
        CrosstermBackend::new(counter.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("terminal")
}

/// Bytes sent per keystroke typing TERM into the popup: with ratatui's diff, and
/// repainting everything each time.
fn bytes_per_key(sets: &CodeSets, width: u16, height: u16) -> (f64, f64) {
    let mut a = app(sets, width, height);
    let (diffed_sent, full_sent) = (Counter::default(), Counter::default());
    let mut diffed = counting_terminal(&diffed_sent, width, height);
    diffed.draw(|f| screens::render(&a, f)).expect("draw");
    key(&mut a, 'a');
    diffed.draw(|f| screens::render(&a, f)).expect("draw");
    let start_diffed = diffed_sent.sent();
    let start_full = full_sent.sent();
    for c in TERM.chars() {
        key(&mut a, c);
        a.wait_for_search(Duration::from_secs(30));
        diffed.draw(|f| screens::render(&a, f)).expect("draw");
        // A terminal with empty buffers: everything is sent again.
        let mut full = counting_terminal(&full_sent, width, height);
        full.draw(|f| screens::render(&a, f)).expect("draw");
    }
    let n = TERM.chars().count() as f64;
    (
        (diffed_sent.sent() - start_diffed) as f64 / n,
        (full_sent.sent() - start_full) as f64 / n,
    )
}

fn main() {
    let cache = std::path::PathBuf::from("target").join("bench-search-cache");
    let sets = CodeSets::load(Some(cache), &UserTables::default()).expect("code sets");
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
        let hits = popup.popup.as_ref().map_or(0, |p| p.hits.len());
        let (p50, p99) = frame_times(&popup, 2000);
        println!(
            "  {w}x{h} frame: chart p50 {:.3} ms p99 {:.3} ms; search popup ({hits} hits) p50 {:.3} ms p99 {:.3} ms   (target <= 1 ms)",
            ms(c50),
            ms(c99),
            ms(p50),
            ms(p99)
        );
        let (diffed, full) = bytes_per_key(&sets, w, h);
        println!(
            "  {w}x{h} bytes per keystroke typing {:?}: {:.0} B (full repaint {:.0} B, {:.1}x more)   (target <= 3 KB)",
            TERM,
            diffed,
            full,
            full / diffed.max(1.0)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
