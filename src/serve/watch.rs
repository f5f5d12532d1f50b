//! Watches the site's inputs (notify, debounced) and runs each rebuild on its own thread.

use super::preview::Preview;
use super::{Shared, report};
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
    mut preview: Preview,
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
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let mut version = 0;
        while let Ok(events) = rx.recv() {
            let mut paths = relevant(&root, events);
            // Take whatever else arrived meanwhile into the same rebuild.
            while let Ok(more) = rx.try_recv() {
                paths.extend(relevant(&root, more));
            }
            paths.sort();
            paths.dedup();
            if paths.is_empty() {
                continue;
            }
            let started = Instant::now();
            let change = preview.classify(&paths);
            let outcome = preview.rebuild(change);
            version += 1;
            shared.publish(preview.snapshot(version));
            report(&preview, &describe(&root, &paths), outcome, started);
        }
    });
    Ok(debouncer)
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
