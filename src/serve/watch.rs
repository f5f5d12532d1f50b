//! Watches the site's inputs (notify) and rebuilds on its own thread once their changes are quiet.

use super::preview::{Outcome, Preview};
use super::{Shared, report, report_first_build_done, report_pending};
use anyhow::{Context, Result};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How long the site's inputs must be quiet after a change before the rebuild starts. An
/// editor's save (a write, or a write and a rename) is a burst of events within a millisecond
/// or two. (The watcher's debouncer waited 15 ms after each event and looked every 3.75 ms,
/// 16–20 ms from a save to its rebuild, a third of the time to its page at 10,000 briefs; a
/// rebuild made early, in the middle of a slower burst, is followed by another.)
const QUIET: Duration = Duration::from_millis(4);

/// The longest a burst that never goes quiet (a checkout, a folder being copied) holds back its
/// rebuild; what changes after is rebuilt next.
const LONGEST_BURST: Duration = Duration::from_millis(250);

/// How much earlier than the clock a file's modification time may be: file systems stamp by a
/// coarse clock (a few milliseconds behind on Linux, two seconds on FAT).
const STAMP_SLACK: Duration = Duration::from_secs(2);

/// The folders whose changes rebuild the site, and `site.toml` beside them.
const WATCHED: &[&str] = crate::config::INPUT_FOLDERS;

/// The files the site read outside `site.toml` and the watched folders (a bibliography or a
/// citation style kept elsewhere), by their full paths, as its last load found them: their
/// changes are inputs too.
type Elsewhere = Arc<Mutex<HashSet<PathBuf>>>;

/// The site's inputs, watched: their changed paths wait in `changes` until the rebuild thread
/// starts.
pub struct Watching {
    /// Watches while kept alive.
    watcher: RecommendedWatcher,
    elsewhere: Elsewhere,
    changes: mpsc::Receiver<Vec<Changed>>,
    /// Raised while changes wait in the channel (`Changes`).
    waiting: Arc<AtomicBool>,
    /// Raised when the system's queue of events overflowed (`Changes`).
    overflowed: Arc<AtomicBool>,
}

/// Starts watching the site's inputs. `serve` calls it beside the first build: a save made
/// while the site is read is caught, and the watcher's start (~0.16 s at 10,000 briefs, one
/// folder each: notify walks them all) is not on the way to the first page.
pub fn watch(root: &Path) -> Result<Watching> {
    let (tx, changes) = mpsc::channel();
    let waiting = Arc::new(AtomicBool::new(false));
    let overflowed = Arc::new(AtomicBool::new(false));
    let elsewhere = Elsewhere::default();
    let handler = Changes {
        root: root.to_path_buf(),
        elsewhere: Arc::clone(&elsewhere),
        tx,
        waiting: Arc::clone(&waiting),
        overflowed: Arc::clone(&overflowed),
    };
    // Links are not followed: the build reads no file through one (it refuses them). Walking
    // without them is also a little quicker (10,000 briefs: ~0.16 s instead of ~0.19 s).
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut watcher =
        RecommendedWatcher::new(handler, config).context("could not watch the site's files")?;
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .with_context(|| format!("could not watch {}", root.display()))?;
    for folder in WATCHED {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("could not watch {}", path.display()))?;
        }
    }
    Ok(Watching {
        watcher,
        elsewhere,
        changes,
        waiting,
        overflowed,
    })
}

/// Starts the rebuild thread on what `watching` sees; the returned watcher must be kept
/// alive.
pub fn start(
    watching: Watching,
    root: &Path,
    preview: Preview,
    shared: Arc<Shared>,
    started: Instant,
) -> Arc<Mutex<RecommendedWatcher>> {
    let Watching {
        watcher,
        elsewhere,
        changes,
        waiting,
        overflowed,
    } = watching;
    let watcher = Arc::new(Mutex::new(watcher));
    let mut preview = preview;
    preview.stop_index_for(Arc::clone(&waiting));
    let rebuilder = Rebuilder {
        waiting,
        root: root.to_path_buf(),
        elsewhere: Followed {
            files: elsewhere,
            folders: HashSet::new(),
            watcher: Arc::clone(&watcher),
        },
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
    std::thread::spawn(move || rebuilder.run(&changes, &overflowed));
    watcher
}

/// Hands the changed inputs of each event to the rebuild thread, raising `waiting` first: a
/// search index in the making stops for them. Reads, an editor's swap file and the output are
/// not inputs, and are not passed on.
struct Changes {
    root: PathBuf,
    elsewhere: Elsewhere,
    tx: mpsc::Sender<Vec<Changed>>,
    waiting: Arc<AtomicBool>,
    overflowed: Arc<AtomicBool>,
}

impl notify::EventHandler for Changes {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        // An error of the watcher's own changes nothing of the site, as before.
        let Ok(event) = event else { return };
        // Only the first build looks at every input after an overflow (`rebuild_missed`):
        // notify reports reads too, so a look after each would overflow the queue again on a
        // large site, and so on.
        if event.need_rescan() {
            self.overflowed.store(true, Ordering::Relaxed);
        }
        let paths = changed_inputs(&self.root, &self.elsewhere, event);
        if paths.is_empty() {
            return;
        }
        self.waiting.store(true, Ordering::Relaxed);
        // The rebuild thread is gone only when the server stops.
        let _ = self.tx.send(paths);
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
    elsewhere: Followed,
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
    /// Rebuilds the inputs saved while the first build read the site, when the system dropped
    /// events meanwhile: a large site's first build overflows its queue with its own reads
    /// (notify reports reads too; 10,000 briefs: ~56,000, against Linux's 16,384 events by
    /// default), and a save made then may have been among those dropped.
    fn rebuild_missed(&mut self) {
        let read_since = SystemTime::now() - self.pending.started.elapsed();
        let missed = changed_since(&self.root, &self.elsewhere.files, read_since);
        if !missed.is_empty() {
            self.rebuild(&missed);
        }
    }

    /// Rebuilds what the first build may have missed, then each burst of changes.
    fn run(mut self, rx: &mpsc::Receiver<Vec<Changed>>, overflowed: &AtomicBool) {
        self.elsewhere.follow(&self.root, &self.preview);
        if overflowed.load(Ordering::Relaxed) {
            self.rebuild_missed();
        }
        while let Some(first) = self.next_change(rx) {
            let mut changed = burst(first, rx, QUIET, LONGEST_BURST);
            // Lowered before the channel is emptied: a change sent after that raises it again.
            self.waiting.store(false, Ordering::Relaxed);
            changed.extend(rx.try_iter().flatten());
            let paths = settled(changed);
            if !paths.is_empty() {
                self.rebuild(&paths);
            }
        }
    }

    /// Waits for the next change, rendering the pending pages first unless a change already
    /// waits; `None` once the watcher is gone.
    fn next_change(&mut self, rx: &mpsc::Receiver<Vec<Changed>>) -> Option<Vec<Changed>> {
        while self.preview.has_pending() {
            match rx.try_recv() {
                Ok(paths) => return Some(paths),
                Err(mpsc::TryRecvError::Empty) => self.render_pending_batch(),
                Err(mpsc::TryRecvError::Disconnected) => return None,
            }
        }
        loop {
            match rx.recv_timeout(ASKED_POLL) {
                Ok(paths) => return Some(paths),
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
        self.elsewhere.follow(&self.root, &self.preview);
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

/// The files read elsewhere, followed: each one's folder watched, so that its changes come.
struct Followed {
    files: Elsewhere,
    /// The folders watched for them (beside the site's folder and its watched folders).
    folders: HashSet<PathBuf>,
    watcher: Arc<Mutex<RecommendedWatcher>>,
}

impl Followed {
    /// Follows the files the site read outside its inputs, as `preview` last loaded it; the
    /// ones it no longer reads are let go. A load that failed keeps the last files followed.
    fn follow(&mut self, root: &Path, preview: &Preview) {
        let read = preview.files_read();
        if read.is_empty() && !preview.errors().is_empty() {
            return;
        }
        // Full paths, as the watcher reports them (the site's folder is one already).
        let files: HashSet<PathBuf> = (read.iter())
            .filter_map(|path| path.canonicalize().ok())
            .filter(|path| !is_input(root, path))
            .collect();
        for folder in files.iter().filter_map(|file| file.parent()) {
            if folder == root || self.folders.contains(folder) {
                continue;
            }
            // A folder that cannot be watched (gone since) leaves its file unfollowed, as
            // before; the next load tries again.
            let watched = crate::lock(&self.watcher).watch(folder, RecursiveMode::NonRecursive);
            if watched.is_ok() {
                self.folders.insert(folder.to_path_buf());
            }
        }
        *crate::lock(&self.files) = files;
    }
}

/// `first` and the changes that follow it until the inputs are quiet for `quiet` (`QUIET`), or
/// `longest` (`LONGEST_BURST`) has passed.
fn burst(
    first: Vec<Changed>,
    rx: &mpsc::Receiver<Vec<Changed>>,
    quiet: Duration,
    longest: Duration,
) -> Vec<Changed> {
    let mut paths = first;
    let until = Instant::now() + longest;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return paths;
        }
        match rx.recv_timeout(quiet.min(left)) {
            Ok(more) => paths.extend(more),
            Err(_) => return paths,
        }
    }
}

/// An input of the site that changed, and whether the change created it.
#[derive(Debug, PartialEq)]
struct Changed {
    path: PathBuf,
    created: bool,
}

/// The paths of a burst's changes, each once, less those it created and that are gone again:
/// an editor's file saved by writing a new one and renaming it over the old (a brief is then
/// rebuilt on its own, not the whole content for a file the site never had).
fn settled(changed: Vec<Changed>) -> Vec<PathBuf> {
    let created: std::collections::HashSet<&Path> = changed
        .iter()
        .filter(|change| change.created)
        .map(|change| change.path.as_path())
        .collect();
    let mut paths: Vec<PathBuf> = changed
        .iter()
        .map(|change| &change.path)
        .filter(|path| !created.contains(path.as_path()) || path.exists())
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The paths `event` changes that are inputs of the site (not its output, editors' swap
/// files, etc.), or files it read `elsewhere`.
fn changed_inputs(root: &Path, elsewhere: &Elsewhere, event: notify::Event) -> Vec<Changed> {
    // Reading a file (as every rebuild does) is not a change.
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    let created = matches!(event.kind, EventKind::Create(_));
    let read_elsewhere = |path: &PathBuf| crate::lock(elsewhere).contains(path);
    let paths =
        (event.paths.into_iter()).filter(|path| is_input(root, path) || read_elsewhere(path));
    paths.map(|path| Changed { path, created }).collect()
}

/// The inputs and the files read `elsewhere` modified since `since` (less `STAMP_SLACK`),
/// found by looking at each.
fn changed_since(root: &Path, elsewhere: &Elsewhere, since: SystemTime) -> Vec<PathBuf> {
    let since = since.checked_sub(STAMP_SLACK).unwrap_or(since);
    let modified_since = |meta: std::fs::Metadata| meta.modified().is_ok_and(|m| m >= since);
    let settings = root.join("site.toml");
    let settings = std::fs::metadata(&settings)
        .is_ok_and(modified_since)
        .then_some(settings);
    let entries = WATCHED
        .iter()
        .flat_map(|folder| walkdir::WalkDir::new(root.join(folder)));
    let files = entries.filter_map(Result::ok).filter(|entry| {
        entry.file_type().is_file()
            && is_input(root, entry.path())
            && entry.metadata().is_ok_and(&modified_since)
    });
    let read_elsewhere: Vec<PathBuf> = crate::lock(elsewhere).iter().cloned().collect();
    let read_elsewhere = (read_elsewhere.into_iter())
        .filter(|path| std::fs::metadata(path).is_ok_and(modified_since));
    settings
        .into_iter()
        .chain(files.map(walkdir::DirEntry::into_path))
        .chain(read_elsewhere)
        .collect()
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
    use notify::EventHandler;
    use notify::event::{AccessKind, DataChange, Flag, ModifyKind};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    fn changes(root: &Path) -> (Changes, mpsc::Receiver<Vec<Changed>>, Arc<AtomicBool>) {
        let (tx, rx) = mpsc::channel();
        let waiting = Arc::new(AtomicBool::new(false));
        let changes = Changes {
            root: root.to_path_buf(),
            elsewhere: Elsewhere::default(),
            tx,
            waiting: Arc::clone(&waiting),
            overflowed: Arc::new(AtomicBool::new(false)),
        };
        (changes, rx, waiting)
    }

    /// A search index in the making stops for a change of the site's inputs, not for a read,
    /// an editor's swap file or the output, which are not passed on either.
    #[test]
    fn only_a_change_of_an_input_stops_the_index_and_is_passed_on() {
        let (mut changes, rx, waiting) = changes(Path::new("/site"));
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let read = EventKind::Access(AccessKind::Any);
        let ignored = [
            event(read, "/site/content/briefs/a.md"),
            event(write, "/site/content/briefs/.a.md.swp"),
            event(write, "/site/public/index.html"),
            event(write, "/elsewhere/content/a.md"),
        ];
        for one in ignored {
            changes.handle_event(Ok(one));
            assert!(!waiting.load(Ordering::Relaxed));
        }
        changes.handle_event(Ok(event(write, "/site/content/briefs/a.md")));
        assert!(waiting.load(Ordering::Relaxed));
        let passed: Vec<PathBuf> = rx.try_iter().flatten().map(|c| c.path).collect();
        assert_eq!(passed, [PathBuf::from("/site/content/briefs/a.md")]);
    }

    /// The saves made while the first build read the site are found by their files' times
    /// when events were dropped; an overflow is noted, and passes on no change.
    #[test]
    fn the_inputs_changed_since_the_start_are_found_and_an_overflow_is_passed_over() {
        let site = tempfile::TempDir::new().unwrap();
        let briefs = site.path().join("content/briefs");
        std::fs::create_dir_all(&briefs).unwrap();
        let old = briefs.join("old.md");
        std::fs::write(&old, "old").unwrap();
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let file = std::fs::File::options().write(true).open(&old).unwrap();
        file.set_modified(an_hour_ago).unwrap();
        std::fs::write(site.path().join("notes.txt"), "not an input").unwrap();
        let started = SystemTime::now();
        std::fs::write(briefs.join("new.md"), "new").unwrap();
        std::fs::write(briefs.join(".new.md.swp"), "swap").unwrap();
        std::fs::write(site.path().join("site.toml"), "title = \"x\"").unwrap();
        // A bibliography the site reads beside its folders.
        let read_elsewhere = site.path().join("references.bib");
        std::fs::write(&read_elsewhere, "@book{a}").unwrap();
        let elsewhere = Elsewhere::default();
        crate::lock(&elsewhere).insert(read_elsewhere.clone());
        let mut found = changed_since(site.path(), &elsewhere, started);
        found.sort();
        assert_eq!(
            found,
            [
                briefs.join("new.md"),
                read_elsewhere,
                site.path().join("site.toml")
            ]
        );

        let (mut changes, rx, waiting) = changes(site.path());
        let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        changes.handle_event(Ok(overflow));
        assert!(rx.try_recv().is_err() && !waiting.load(Ordering::Relaxed));
        assert!(changes.overflowed.load(Ordering::Relaxed));
    }

    /// The changes already waiting join the first in one rebuild; a burst that never ends is
    /// cut at `LONGEST_BURST`.
    #[test]
    fn a_burst_of_changes_is_one_rebuild_and_an_endless_one_is_cut() {
        let changed = |name: &str| Changed {
            path: PathBuf::from(name),
            created: false,
        };
        let (tx, rx) = mpsc::channel();
        for name in ["b.md", "c.md"] {
            tx.send(vec![changed(name)]).unwrap();
        }
        let first = vec![changed("c.md"), changed("a.md")];
        let paths = settled(burst(first, &rx, QUIET, LONGEST_BURST));
        assert_eq!(paths, ["a.md", "b.md", "c.md"].map(PathBuf::from));

        let sender = std::thread::spawn(move || {
            while tx.send(vec![changed("busy.md")]).is_ok() {
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        // Changes 1 ms apart never leave 200 ms quiet, however busy the machine running the
        // tests: the burst ends at its longest.
        let (quiet, longest) = (Duration::from_millis(200), Duration::from_millis(300));
        let started = Instant::now();
        let changes = burst(Vec::new(), &rx, quiet, longest);
        let took = started.elapsed();
        assert!(took >= longest, "cut after {took:?}");
        assert!(took < longest * 8, "cut after {took:?}");
        assert!(changes.len() > 1);
        drop(rx);
        sender.join().unwrap();
    }

    /// A file an editor writes and renames over the one it saves is no change of the site's;
    /// a file made and kept is, and so is one removed that the site had.
    #[test]
    fn a_file_made_and_gone_within_a_burst_is_passed_over() {
        let site = tempfile::TempDir::new().unwrap();
        let [saved, made, removed] = ["brief.md", "new.md", "old.md"].map(|n| site.path().join(n));
        let temporary = site.path().join("brief.md.tmp1234");
        std::fs::write(&saved, "saved").unwrap();
        std::fs::write(&made, "made").unwrap();
        let change = |path: &Path, created: bool| Changed {
            path: path.to_path_buf(),
            created,
        };
        let burst = vec![
            change(&temporary, true),
            change(&temporary, false),
            change(&saved, false),
            change(&made, true),
            change(&removed, false),
        ];
        let mut expected = vec![saved, made, removed];
        expected.sort();
        assert_eq!(settled(burst), expected);
    }
}
