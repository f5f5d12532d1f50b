//! Watches the site's inputs (notify, debounced) and runs each rebuild on its own thread.

use super::preview::{Outcome, Preview};
use super::{Shared, report, report_first_build_done, report_pending};
use anyhow::{Context, Result};
use notify::EventKind;
use notify::RecursiveMode;
use notify_debouncer_full::{
    DebounceEventHandler, DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the watcher waits for a burst of saves to end before rebuilding. An editor's save
/// (a write, or a write and a rename) is over within a millisecond or two; at 40 ms the wait was
/// more than half of the time from a save to its page at 10,000 briefs.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// The folders whose changes rebuild the site, and `site.toml` beside them.
const WATCHED: &[&str] = &["content", "themes", "templates", "static", "pdf"];

/// The site's inputs, watched: changes wait in `changes` until the rebuild thread starts.
pub struct Watching {
    /// Watches while kept alive.
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    changes: mpsc::Receiver<DebounceEventResult>,
    /// Raised while changes wait in the channel (`Changes`).
    waiting: Arc<AtomicBool>,
}

/// Starts watching the site's inputs. `serve` calls it beside the first build: a save made
/// while the site is read is caught, and the watcher's start (~0.16 s at 10,000 briefs, one
/// folder each: notify walks them all) is not on the way to the first page.
pub fn watch(root: &Path) -> Result<Watching> {
    let (tx, changes) = mpsc::channel::<DebounceEventResult>();
    let waiting = Arc::new(AtomicBool::new(false));
    let handler = Changes {
        root: root.to_path_buf(),
        tx,
        waiting: Arc::clone(&waiting),
    };
    // Links are not followed: the build reads no file through one (it refuses them). Walking
    // without them is also a little quicker (10,000 briefs: ~0.16 s instead of ~0.19 s).
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut debouncer = new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
        DEBOUNCE,
        None,
        handler,
        RecommendedCache::default(),
        config,
    )
    .context("could not watch the site's files")?;
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
    Ok(Watching {
        debouncer,
        changes,
        waiting,
    })
}

/// Starts the rebuild thread on what `watching` sees; the returned debouncer must be kept
/// alive.
pub fn start(
    watching: Watching,
    root: &Path,
    preview: Preview,
    shared: Arc<Shared>,
    started: Instant,
) -> Debouncer<notify::RecommendedWatcher, RecommendedCache> {
    let Watching {
        debouncer,
        changes,
        waiting,
    } = watching;
    let mut preview = preview;
    preview.stop_index_for(Arc::clone(&waiting));
    let rebuilder = Rebuilder {
        waiting,
        root: root.to_path_buf(),
        preview,
        shared,
        version: 0,
        last_change: String::new(),
        pending: Pending {
            started,
            rendered: 0,
            first_build: true,
            pages_done: false,
        },
        published: Instant::now(),
    };
    std::thread::spawn(move || rebuilder.run(&changes));
    debouncer
}

/// Hands the debounced changes to the rebuild thread, raising `waiting` first when they
/// change an input of the site (`relevant`): a search index in the making stops for them, not
/// for reads, an editor's swap file or the output.
struct Changes {
    root: PathBuf,
    tx: mpsc::Sender<DebounceEventResult>,
    waiting: Arc<AtomicBool>,
}

impl DebounceEventHandler for Changes {
    fn handle_event(&mut self, result: DebounceEventResult) {
        // Errors are passed on and, like reads, rebuild nothing (`relevant`).
        let changes_input = result
            .as_ref()
            .is_ok_and(|events| events.iter().any(|event| changes_input(&self.root, event)));
        if changes_input {
            self.waiting.store(true, Ordering::Relaxed);
        }
        // The rebuild thread is gone only when the server stops.
        let _ = self.tx.send(result);
    }
}

/// How many pending pages are rendered between two looks for changes and for pages asked for:
/// tens of milliseconds on two cores.
const PENDING_BATCH: usize = 64;

/// How often the idle watcher looks for PDFs asked for: each is made when first asked for.
const ASKED_POLL: Duration = Duration::from_millis(50);

/// How often pages rendered in the background are published while more are pending. Pages
/// asked for are published at once; each publish lists every pending page (~0.02 s at 10,000
/// briefs), so the others wait for this.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);

/// The rebuild thread's state: each burst of changes is rebuilt and published, and the pages
/// left pending (by the first build, or by an edit of briefs) are rendered in batches and
/// published while no newer change waits.
struct Rebuilder {
    /// Raised while changes wait in the channel (`Changes`).
    waiting: Arc<AtomicBool>,
    root: PathBuf,
    preview: Preview,
    shared: Arc<Shared>,
    /// The version open pages show; a publish that reloads them makes a new one.
    version: u64,
    /// The last change, as reported.
    last_change: String,
    pending: Pending,
    published: Instant,
}

/// The pages being rendered after a build or rebuild was published.
struct Pending {
    started: Instant,
    rendered: usize,
    /// Left by the first build, whose pages nobody has seen: no page reloads when they are done.
    first_build: bool,
    /// Whether the pages are rendered, published and reported; the search index may still be
    /// in the making.
    pages_done: bool,
}

impl Rebuilder {
    fn run(mut self, rx: &mpsc::Receiver<DebounceEventResult>) {
        while let Some(events) = self.next_events(rx) {
            // Lowered before the channel is emptied: a change sent after that raises it again.
            self.waiting.store(false, Ordering::Relaxed);
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
                Err(mpsc::TryRecvError::Empty) => self.render_pending_batch(),
                Err(mpsc::TryRecvError::Disconnected) => return None,
            }
        }
        loop {
            match rx.recv_timeout(ASKED_POLL) {
                Ok(events) => return Some(events),
                Err(mpsc::RecvTimeoutError::Timeout) => self.make_asked_pdfs(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Makes the PDFs asked for since the last look, and publishes them.
    fn make_asked_pdfs(&mut self) {
        let asked = self.shared.take_asked();
        if !asked.is_empty() && self.preview.make_asked_pdfs(&asked) > 0 {
            self.publish(false);
        } else if !self.preview.errors().is_empty() && !asked.is_empty() {
            self.publish(true);
        }
    }

    fn rebuild(&mut self, paths: &[PathBuf]) {
        let started = Instant::now();
        // An edit while the first build's pages still render joins them.
        let filling = self.pending.first_build && self.preview.has_pending();
        let change = self.preview.classify(paths);
        let outcome = self.preview.rebuild(change);
        self.publish(true);
        self.last_change = describe(&self.root, paths);
        report(&self.preview, &self.last_change, outcome, started);
        if !filling {
            self.pending = Pending {
                started,
                rendered: 0,
                first_build: false,
                pages_done: false,
            };
        }
    }

    /// Renders a batch of the pending pages, those asked for first, and publishes it; the
    /// last batch is reported, and reloads the open pages unless the first build left them.
    fn render_pending_batch(&mut self) {
        let asked = self.shared.take_asked();
        let outcome = self.preview.render_some_pending(&asked, PENDING_BATCH);
        self.pending.rendered += outcome.pages;
        if outcome.errors > 0 {
            self.publish(true);
            return report(
                &self.preview,
                &self.last_change,
                outcome,
                self.pending.started,
            );
        }
        let pages_left = self.preview.pending_count() > 0;
        if !pages_left && !self.pending.pages_done {
            // The pages are published and reported before the search index is made, if it is
            // pending: it follows in the next batch.
            return self.pages_done();
        }
        if self.preview.has_pending() {
            if !asked.is_empty() || self.published.elapsed() >= PUBLISH_EVERY {
                self.publish(false);
            }
        } else if !pages_left {
            // The search index, made after the pages.
            self.publish(false);
        }
    }

    /// Publishes the pages once all are rendered, and reports them.
    fn pages_done(&mut self) {
        self.pending.pages_done = true;
        self.publish(!self.pending.first_build);
        let done = Outcome {
            pages: self.pending.rendered,
            errors: 0,
        };
        if self.pending.first_build {
            self.pending.first_build = false;
            self.preview.keep_citations();
            report_first_build_done(done, self.pending.started);
        } else {
            report_pending(&self.preview, &self.last_change, done, self.pending.started);
        }
    }

    fn publish(&mut self, reload: bool) {
        self.published = Instant::now();
        if reload {
            self.version += 1;
        }
        self.shared
            .publish(self.preview.snapshot(self.version), reload);
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
        .filter(|path| is_input(root, path))
        .collect()
}

/// Whether `event` changes an input of the site (what `relevant` keeps).
fn changes_input(root: &Path, event: &notify_debouncer_full::DebouncedEvent) -> bool {
    !matches!(event.event.kind, EventKind::Access(_))
        && event.event.paths.iter().any(|path| is_input(root, path))
}

/// Whether `path` is an input of the site: `site.toml` or a file in a watched folder, not
/// hidden and not an editor's backup or swap file.
fn is_input(root: &Path, path: &Path) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, DataChange, ModifyKind};
    use notify_debouncer_full::DebouncedEvent;

    fn event(kind: EventKind, path: &str) -> DebouncedEvent {
        let event = notify::Event::new(kind).add_path(PathBuf::from(path));
        DebouncedEvent::new(event, Instant::now())
    }

    /// A search index in the making stops for a change of the site's inputs, not for a read,
    /// an editor's swap file or the output; every event still reaches the rebuild thread.
    #[test]
    fn only_a_change_of_an_input_stops_the_index() {
        let (tx, rx) = mpsc::channel();
        let waiting = Arc::new(AtomicBool::new(false));
        let mut changes = Changes {
            root: PathBuf::from("/site"),
            tx,
            waiting: Arc::clone(&waiting),
        };
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let read = EventKind::Access(AccessKind::Any);
        let ignored = [
            event(read, "/site/content/briefs/a.md"),
            event(write, "/site/content/briefs/.a.md.swp"),
            event(write, "/site/public/index.html"),
            event(write, "/elsewhere/content/a.md"),
        ];
        for one in ignored {
            changes.handle_event(Ok(vec![one]));
            assert!(!waiting.load(Ordering::Relaxed));
        }
        changes.handle_event(Ok(vec![event(write, "/site/content/briefs/a.md")]));
        assert!(waiting.load(Ordering::Relaxed));
        assert_eq!(rx.try_iter().count(), 5, "every event is passed on");
    }
}
