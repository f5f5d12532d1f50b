//! Filesystem helpers that put the path into every error, so no I/O failure is anonymous.

use anyhow::{Context, Result};
use std::fs;
use std::path::Path;

pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("could not read {}", path.display()))
}

pub fn write(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    fs::write(path, contents).with_context(|| format!("could not write {}", path.display()))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).with_context(|| format!("could not create {}", path.display()))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    fs::remove_dir_all(path).with_context(|| format!("could not remove {}", path.display()))
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to)
        .with_context(|| format!("could not rename {} to {}", from.display(), to.display()))
}

/// Whether a walked entry is a symbolic link that leads out of `site` (the site's folder):
/// such a link is never followed, so no file from elsewhere on the machine is published or
/// served. A link inside the site is followed; a dangling one is left to the walk to report.
pub fn link_leaves_site(site: &Path, entry: &walkdir::DirEntry) -> bool {
    if !entry.path_is_symlink() {
        return false;
    }
    let Ok(site) = site.canonicalize() else {
        return false;
    };
    entry
        .path()
        .canonicalize()
        .is_ok_and(|target| !target.starts_with(site))
}

/// The error for a link `link_leaves_site` refused, at the link's path as shown.
pub fn link_outside_error(site: &Path, link: &Path) -> crate::diagnostics::Diagnostic {
    let target = fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    crate::diagnostics::Diagnostic::error(
        crate::diagnostics::display_path(site, link),
        format!("this symbolic link leads outside the site's folder (to `{target}`)"),
    )
    .help(
        "folio never publishes files from outside the site: copy the file into the site, or \
         link to something inside it",
    )
}
