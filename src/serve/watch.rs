//! Watches the site's inputs (notify, debounced) and runs each rebuild on its own thread.

use super::preview::Preview;
use super::{Shared, report, report_pending};
use anyhow::{Context, Result};
use notify::EventKind;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the watcher waits for a burst of saves to end before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(40);

/// The folders whose changes rebuild the site, and `site.toml` beside them.
const WATCHED: &[&str] = &["content", "themes", "templates", "static"];

/// Starts watching; the returned debouncer must be kept alive.
pub fn start(
    root: &Path,
    preview: Preview,
    shared: Arc<Shared>,
) -> Result<Debouncer<notify::RecommendedWatcher, RecommendedCache>> {
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(DEBOUNCE, None, tx).context("could not watch the site's files")?;
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .with_context(|| format!("could not watch {}", root.display()))?;
    for folder in WATCHED {
        let path = root.join(folder);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("could not watch {}", path.display()))?;
        }
    }
    let rebuilder = Rebuilder {
        root: root.to_path_buf(),
        preview,
        shared,
        version: 0,
        last_change: String::new(),
    };
    std::thread::spawn(move || rebuilder.run(&rx));
    Ok(debouncer)
}

/// The rebuild thread's state: each burst of changes is rebuilt and published, and the pages
/// an edit of briefs left pending are rendered and published once no newer change waits.
struct Rebuilder {
    root: PathBuf,
    preview: Preview,
    shared: Arc<Shared>,
    version: u64,
    /// The last change, as reported.
    last_change: String,
}

impl Rebuilder {
    fn run(mut self, rx: &mpsc::Receiver<DebounceEventResult>) {
        while let Some(events) = self.next_events(rx) {
            let mut paths = relevant(&self.root, events);
            // Take whatever else arrived meanwhile into the same rebuild.
            while let Ok(more) = rx.try_recv() {
                paths.extend(relevant(&self.root, more));
            }
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                self.rebuild(&paths);
            }
        }
    }

    /// Waits for the next burst of changes, rendering the pending pages first unless a change
    /// already waits; `None` once the watcher is gone.
    fn next_events(
        &mut self,
        rx: &mpsc::Receiver<DebounceEventResult>,
    ) -> Option<DebounceEventResult> {
        while self.preview.has_pending() {
            match rx.try_recv() {
                Ok(events) => return Some(events),
                Err(mpsc::TryRecvError::Empty) => self.render_pending(),
                Err(mpsc::TryRecvError::Disconnected) => return None,
            }
        }
        rx.recv().ok()
    }

    fn rebuild(&mut self, paths: &[PathBuf]) {
        let started = Instant::now();
        let change = self.preview.classify(paths);
        let outcome = self.preview.rebuild(change);
        self.publish();
        self.last_change = describe(&self.root, paths);
        report(&self.preview, &self.last_change, outcome, started);
    }

    fn render_pending(&mut self) {
        let started = Instant::now();
        let outcome = self.preview.render_pending();
        self.publish();
        report_pending(&self.preview, &self.last_change, outcome, started);
    }

    fn publish(&mut self) {
        self.version += 1;
        self.shared.publish(self.preview.snapshot(self.version));
    }
}

/// The changed paths that are inputs of the site (not its output, editors' swap files, etc.).
fn relevant(root: &Path, events: DebounceEventResult) -> Vec<PathBuf> {
    let Ok(events) = events else {
        return Vec::new();
    };
    events
        .into_iter()
        // Reading a file (as every rebuild does) is not a change.
        .filter(|event| !matches!(event.event.kind, EventKind::Access(_)))
        .flat_map(|event| event.event.paths)
        .filter(|path| {
            let Ok(relative) = path.strip_prefix(root) else {
                return false;
            };
            let hidden = relative.iter().any(|part| {
                let part = part.to_string_lossy();
                part.starts_with('.') || part.ends_with('~') || part.ends_with(".swp")
            });
            let first = relative
                .iter()
                .next()
                .map(|p| p.to_string_lossy().into_owned());
            let input = match first.as_deref() {
                Some("site.toml") => true,
                Some(folder) => WATCHED.contains(&folder),
                None => false,
            };
            input && !hidden
        })
        .collect()
}

fn describe(root: &Path, paths: &[PathBuf]) -> String {
    let first = paths[0]
        .strip_prefix(root)
        .unwrap_or(&paths[0])
        .display()
        .to_string();
    match paths.len() {
        1 => first,
        n => format!("{first} and {} more", n - 1),
    }
}
