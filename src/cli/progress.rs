//! How far a run has got, told while it runs: a bar per run on a terminal
//! (simulated time, events, time spent and left, which the bar library
//! clocks), otherwise a plain line every [`PLAIN_EVERY`] events, so a short
//! run prints nothing and a long one is never silent for long. Progress is
//! read from the simulated clock by an [`Observer`]; it never touches the
//! model, so it cannot change a result, and the tool itself reads no wall
//! clock.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::{Observer, Seen, World};
use crate::sim::{SimDuration, SimTime};

/// Events between two looks at the clock: often enough for a smooth bar,
/// rare enough to cost nothing.
const EVERY: u64 = 1 << 18;

/// Events between two plain progress lines: about ten seconds of a busy
/// run on one core (the `baseline` hour is some 230 million).
const PLAIN_EVERY: u64 = 1 << 26;

/// Where the progress of every run of one command goes.
pub struct Progress {
    /// Bars, on a terminal; `None` prints plain lines.
    bars: Option<MultiProgress>,
    quiet: bool,
}

impl Progress {
    /// Bars when stderr is a terminal, plain lines otherwise, nothing when
    /// `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let bars = (!quiet && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { bars, quiet }
    }

    /// The progress of one run of `name` over `duration`.
    pub fn run(&self, name: &str, duration: SimDuration) -> RunProgress {
        let ms = (duration.as_nanos() / 1_000_000).max(1);
        let bar = self.bars.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(ms));
            bar.set_style(
                ProgressStyle::with_template("{prefix:>24} {bar:30} {msg} simulated, {eta} left")
                    .expect("the template is valid"),
            );
            bar.set_prefix(name.to_owned());
            bar
        });
        RunProgress {
            name: name.to_owned(),
            bar,
            plain: !self.quiet && self.bars.is_none(),
            duration,
            events: 0,
        }
    }

    /// Prints `text` on stdout without tearing the bars.
    pub fn print(&self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        let out = || {
            // Plain unless stdout is a terminal that takes colour.
            let mut stdout = anstream::AutoStream::auto(std::io::stdout().lock());
            stdout.write_all(painted(text).as_bytes())?;
            stdout.flush()
        };
        match &self.bars {
            Some(m) => m.suspend(out),
            None => out(),
        }
    }
}

/// One run's progress, fed by the simulation as an observer.
pub struct RunProgress {
    name: String,
    bar: Option<ProgressBar>,
    plain: bool,
    duration: SimDuration,
    events: u64,
}

impl RunProgress {
    fn tick(&mut self, now: SimTime) {
        let shown = format!(
            "{:.0} s of {:.0} s simulated, {:.0} M events",
            now.as_secs_f64(),
            self.duration.as_secs_f64(),
            self.events as f64 / 1e6
        );
        if let Some(bar) = &self.bar {
            bar.set_position(now.as_nanos() / 1_000_000);
            bar.set_message(shown);
        } else if self.plain && self.events.is_multiple_of(PLAIN_EVERY) {
            say!("{}: {shown}", self.name);
        }
    }
}

impl Observer for RunProgress {
    #[inline]
    fn after(&mut self, _: &World, now: SimTime, _: Seen) {
        self.events += 1;
        if self.events.is_multiple_of(EVERY) {
            self.tick(now);
        }
    }
}

impl Drop for RunProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A summary's verdict marks in colour: FAIL red, pass green, warnings
/// yellow. The stream it is written to keeps the colour or strips it.
pub fn painted(text: &str) -> String {
    use anstyle::AnsiColor;
    let marks = [
        ("  FAIL ", AnsiColor::Red.on_default().bold()),
        ("  pass ", AnsiColor::Green.on_default()),
        ("  warning ", AnsiColor::Yellow.on_default()),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match marks.iter().find(|(mark, _)| line.starts_with(mark)) {
            Some((mark, style)) => {
                let word = mark.trim();
                out.push_str(&format!("  {style}{word}{style:#} "));
                out.push_str(&line[mark.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}
