//! `folio serve`: builds the site into memory (its pages as they are asked for, the rest in the
//! background), serves it on loopback, watches the site's files, rebuilds what a change touches
//! and tells open pages to reload.

mod affected;
mod files;
mod http;
mod preview;
mod watch;

use crate::lock;
use anyhow::{Context, Result};
use files::Files;
use preview::Preview;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::broadcast;

/// What `folio serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
}

/// What the server serves at one moment: the last good build and any errors since.
pub struct Snapshot {
    pub files: Files,
    /// Paths of pages still to render: in `files` when a rebuild under way is rendering them
    /// again (the listings of an edited brief whose own page is published first), not yet when
    /// the first build left them. Requests for them wait.
    pub pending: preview::PendingPaths,
    /// Diagnostics of the last failed rebuild, as printed; empty when it succeeded.
    pub errors: Vec<String>,
    pub version: u64,
}

/// Shared between the rebuild thread and the HTTP handlers.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Open pages reload on each version sent.
    reload: broadcast::Sender<u64>,
    /// Counts every snapshot published, reloading or not: requests waiting for a pending page
    /// look again on each.
    published: tokio::sync::watch::Sender<u64>,
    /// Pending pages that requests wait for, by path: rendered before the others.
    asked: Mutex<HashSet<String>>,
}

impl Shared {
    fn new(snapshot: Snapshot) -> Shared {
        Shared {
            snapshot: RwLock::new(Arc::new(snapshot)),
            reload: broadcast::channel(16).0,
            published: tokio::sync::watch::Sender::new(0),
            asked: Mutex::default(),
        }
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Serves `snapshot` from now on; when `reload`, open pages reload too.
    fn publish(&self, snapshot: Snapshot, reload: bool) {
        let version = snapshot.version;
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
        self.published.send_modify(|count| *count += 1);
        if reload {
            let _ = self.reload.send(version);
        }
    }

    /// Asks for pending pages to be rendered next.
    fn ask(&self, paths: &[String]) {
        lock(&self.asked).extend(paths.iter().cloned());
    }

    /// The pages asked for since the last call.
    fn take_asked(&self) -> HashSet<String> {
        std::mem::take(&mut *lock(&self.asked))
    }
}

/// Runs the preview server until interrupted.
pub fn serve(options: ServeOptions) -> Result<()> {
    let listener = std::net::TcpListener::bind((options.bind, options.port))
        .with_context(|| format!("could not listen on {}:{}", options.bind, options.port))?;
    let address = listener.local_addr()?;
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("the site folder {} does not exist", options.root.display()))?;
    let mut preview = Preview::new(root.clone(), base_url(address), options.drafts);
    let started = Instant::now();
    let watching = std::thread::spawn({
        let root = root.clone();
        move || watch::watch(&root)
    });
    let outcome = preview.first_build();
    report_first_build(&preview, outcome, started);
    let shared = Arc::new(Shared::new(preview.snapshot(0)));
    let watching = watching
        .join()
        .map_err(|_| anyhow::anyhow!("the file watcher failed to start"))??;
    let _watcher = watch::start(watching, &root, preview, shared.clone(), started);
    let url = format!("http://{address}/");
    println!("Serving {} at {url} (Ctrl+C to stop)", root.display());
    if options.open {
        let _ = opener::open(&url);
    }
    http::run(listener, shared)
}

fn base_url(address: SocketAddr) -> String {
    format!("http://{address}")
}

/// Prints one line for a rebuild, and its diagnostics.
fn report(preview: &Preview, what: &str, outcome: preview::Outcome, started: Instant) {
    for diagnostic in preview.errors().iter().chain(preview.warnings()) {
        eprintln!("{diagnostic}");
    }
    let ms = started.elapsed().as_millis();
    if outcome.errors > 0 {
        eprintln!(
            "{what}: {} error{} in {ms} ms; still serving the last good pages",
            outcome.errors,
            if outcome.errors == 1 { "" } else { "s" }
        );
    } else {
        println!("{what}: rendered {} in {ms} ms", pages(outcome.pages));
    }
}

/// Prints one line for the first build, which leaves its pages to render as asked for.
fn report_first_build(preview: &Preview, outcome: preview::Outcome, started: Instant) {
    if outcome.errors > 0 {
        return report(preview, "first build", outcome, started);
    }
    for warning in preview.warnings() {
        eprintln!("{warning}");
    }
    println!(
        "first build: read and linked the site in {} ms; {} render as they are asked for, the rest meanwhile",
        started.elapsed().as_millis(),
        pages(preview.pending_count())
    );
}

/// Prints one line once the first build's pages are all rendered.
fn report_first_build_done(outcome: preview::Outcome, started: Instant) {
    println!(
        "first build: rendered all {} in {} ms",
        pages(outcome.pages),
        started.elapsed().as_millis()
    );
}

/// Prints one line for the pages an edit of briefs left to render after the briefs' own.
fn report_pending(preview: &Preview, what: &str, outcome: preview::Outcome, started: Instant) {
    if outcome.errors > 0 {
        return report(preview, what, outcome, started);
    }
    let ms = started.elapsed().as_millis();
    println!(
        "{what}: then rendered {} that show it in {ms} ms",
        pages(outcome.pages)
    );
}

fn pages(count: usize) -> String {
    match count {
        1 => "1 page".to_string(),
        n => format!("{n} pages"),
    }
}
