//! folio: turns a folder of Markdown policy briefs into a themed static website.
//!
//! The modules follow the pipeline: `config` → `content` → `markdown` → `site` → `render` →
//! `pdf` → `search` → `output`, driven by `build`. Problems found on the way are `diagnostics`.

pub mod build;
pub mod cache;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod engine;
pub mod fsutil;
pub mod markdown;
pub mod output;
pub mod pdf;
pub mod render;
pub mod reserved;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;

/// Locks `mutex`, carrying on past a thread that panicked while holding it: what each of
/// folio's mutexes guards (caches, sets of paths) stays usable whatever was left half-done.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
