//! `folio serve`: builds the site into memory, serves it on loopback, watches the site's files,
//! rebuilds what a change touches and tells open pages to reload.

mod affected;
mod files;
mod http;
mod preview;
mod watch;

use anyhow::{Context, Result};
use files::Files;
use preview::Preview;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
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
    /// Paths of pages in `files` that a rebuild under way is rendering again (the listings of
    /// an edited brief whose own page is published first): requests for them wait.
    pub pending: HashSet<String>,
    /// Diagnostics of the last failed rebuild, as printed; empty when it succeeded.
    pub errors: Vec<String>,
    pub version: u64,
}

/// Shared between the rebuild thread and the HTTP handlers.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    reload: broadcast::Sender<u64>,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn publish(&self, snapshot: Snapshot) {
        let version = snapshot.version;
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
        let _ = self.reload.send(version);
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
    let outcome = preview.rebuild(preview::Change::Everything);
    report(&preview, "first build", outcome, started);
    let (reload, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(preview.snapshot(0))),
        reload,
    });
    let _watcher = watch::start(&root, preview, shared.clone())?;
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
