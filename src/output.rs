//! The only module that writes the built site: into a fresh folder beside the output, swapped in
//! whole once everything is written, so a failed or killed build leaves the last site intact.

use crate::fsutil;
use crate::render::{Contents, OutputFile};
use anyhow::{Context, Result, bail};
use dashmap::DashSet;
use rayon::prelude::*;
use std::path::{Component, Path, PathBuf};

/// The file folio leaves in every output folder it writes: the mark that lets the next build
/// replace the folder, which folio does with no other folder that holds anything.
pub const OUTPUT_MARK: &str = ".folio-output";

const OUTPUT_MARK_TEXT: &str = "This folder is written by `folio build`, which replaces it whole \
                                on each build.\n";

/// Refuses output folders whose replacement would destroy the site or more, and any folder
/// that holds files but not folio's mark: a folder folio did not make is never taken over.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), String> {
    let root = absolute(root);
    let output = absolute(output);
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .map(|h| absolute(&h));
    if output.parent().is_none() {
        return Err(format!(
            "the output folder {} is the filesystem root",
            output.display()
        ));
    }
    if home.as_deref() == Some(output.as_path()) {
        return Err(format!(
            "the output folder {} is your home folder",
            output.display()
        ));
    }
    if root.starts_with(&output) {
        return Err(format!(
            "the output folder {} is the site's folder or contains it",
            output.display()
        ));
    }
    if output.exists() && !output.is_dir() {
        return Err(format!("{} exists and is not a folder", output.display()));
    }
    for input in ["content", "themes", "templates", "static"] {
        if output.starts_with(root.join(input)) {
            return Err(format!(
                "the output folder {} is inside the site's `{input}/`, which folio reads",
                output.display()
            ));
        }
    }
    for marker in ["content", "site.toml"] {
        if output.join(marker).exists() {
            return Err(format!(
                "the output folder {} holds a `{marker}`: it looks like a site, not a build",
                output.display()
            ));
        }
    }
    let holds_files = std::fs::read_dir(&output).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files && !output.join(OUTPUT_MARK).is_file() {
        return Err(format!(
            "the output folder {} holds files that folio did not write (it has no `{OUTPUT_MARK}`), \
             and a build replaces the folder whole; nothing in it was touched. If it is an earlier \
             folio build, remove it once",
            output.display()
        ));
    }
    Ok(())
}

/// The path made absolute and free of `.`/`..` (following symbolic links where it exists).
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    match (clean.parent(), clean.file_name()) {
        (Some(parent), Some(name)) if parent.exists() => {
            parent.canonicalize().map(|p| p.join(name)).unwrap_or(clean)
        }
        _ => clean,
    }
}

/// The folder a build writes into, beside the output, swapped in whole by `commit`. Pages are
/// written as they are rendered, from any thread; dropped without `commit`, it is put away (or
/// removed) and the previous output stays as it was.
///
/// Given a spare folder (in the build cache), the staging folder starts as the output before
/// last, kept there by the last build instead of being removed: its folders exist and most of
/// its files already are this build's, so a rebuild makes and removes few inodes (making and
/// removing ~17,000 folders was a fifth of a 10,000-brief rebuild). Whatever it holds, each
/// file is checked or replaced, and the files this build did not write are removed before the
/// swap, so the output is the same as from a fresh folder.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    /// The output of the previous build, when there is one: unchanged files are linked from it.
    previous: Option<PathBuf>,
    /// Where the replaced output is kept for the next build, when there is such a place.
    spare: Option<PathBuf>,
    /// Whether `dir` started as the spare, holding an older build's files.
    reused: bool,
    /// The folders made so far: most files share theirs with others.
    folders: DashSet<PathBuf>,
    /// The files written, by path under the output: in a reused folder, the others are stale.
    written: DashSet<PathBuf>,
    committed: bool,
}

impl Staging {
    /// Opens a staging folder beside `output` (the `spare` folder moved there, or a fresh one),
    /// removing any left by killed builds.
    pub fn open(output: &Path, spare: Option<PathBuf>) -> Result<Staging> {
        let output = absolute(output);
        let parent = output.parent().context("the output folder has no parent")?;
        let name = output
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy()
            .into_owned();
        fsutil::create_dir_all(parent)?;
        remove_leftovers(parent, &name);
        let dir = parent.join(format!(".{name}.folio-new-{}", std::process::id()));
        let previous = output.is_dir().then(|| output.clone());
        let reused = match (&spare, &previous) {
            (Some(spare), Some(_)) => std::fs::rename(spare, &dir).is_ok(),
            (Some(spare), None) => {
                let _ = std::fs::remove_dir_all(spare);
                false
            }
            _ => false,
        };
        if !reused {
            fsutil::create_dir_all(&dir)?;
        }
        Ok(Staging {
            previous,
            spare,
            reused,
            folders: DashSet::from_iter([dir.clone()]),
            written: DashSet::new(),
            dir,
            output,
            committed: false,
        })
    }

    /// Writes one file of the site; safe to call from many threads at once. A file whose bytes
    /// are the same as in the previous build is hard-linked from it instead: no new inode, and
    /// the old folder's removal after the swap only drops a name. Builds never change a written
    /// file in place (a file is replaced by a new one), so sharing is safe.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        let target = self.place(&file.path)?;
        let old = self.previous.as_ref().map(|dir| dir.join(&file.path));
        let same = match (&file.contents, file.contents.bytes()) {
            (Contents::Copy(source), _) => same_as_source(old.as_deref(), source),
            (_, bytes) => unchanged(old.as_deref(), bytes.unwrap_or_default()),
        };
        if let (true, Some(old)) = (same, &old)
            && self.link_previous(old, &target)
        {
            return Ok(());
        }
        self.clear(&target)?;
        match (&file.contents, file.contents.bytes()) {
            (Contents::Copy(source), _) => {
                std::fs::copy(source, &target).map(drop).with_context(|| {
                    format!(
                        "could not copy {} to {}",
                        source.display(),
                        target.display()
                    )
                })
            }
            (_, bytes) => std::fs::write(&target, bytes.unwrap_or_default())
                .with_context(|| format!("could not write {}", target.display())),
        }
    }

    /// The output of the previous build, when there is one.
    pub fn previous(&self) -> Option<&Path> {
        self.previous.as_deref()
    }

    /// Puts the previous build's file at `path` in the new output unchanged, if `fits` accepts
    /// its metadata; false if there is no such file or it could not be linked.
    pub fn keep_previous(&self, path: &Path, fits: impl Fn(&std::fs::Metadata) -> bool) -> bool {
        let Some(old) = self.previous.as_ref().map(|dir| dir.join(path)) else {
            return false;
        };
        if !std::fs::symlink_metadata(&old).is_ok_and(|meta| meta.is_file() && fits(&meta)) {
            return false;
        }
        self.place(path)
            .is_ok_and(|target| self.link_previous(&old, &target))
    }

    /// Where the file at `path` goes in the staging folder, its folder made and the path noted
    /// as written.
    fn place(&self, path: &Path) -> Result<PathBuf> {
        check_inside(path)?;
        let target = self.dir.join(path);
        if let Some(folder) = target.parent() {
            self.make_folder(folder)?;
        }
        if self.reused {
            self.written.insert(path.to_path_buf());
        }
        Ok(target)
    }

    /// Puts the previous build's file `old` at `target`: nothing to do when a reused folder
    /// already holds that very file.
    fn link_previous(&self, old: &Path, target: &Path) -> bool {
        if self.reused && same_file(old, target) {
            return true;
        }
        self.clear(target).is_ok() && std::fs::hard_link(old, target).is_ok()
    }

    /// Makes `folder` and its parents, once per build. In a reused folder a file may stand
    /// where a folder now goes: it is removed.
    ///
    /// No lock is held while the folder is made: two threads may both make it, which
    /// `create_dir_all` allows, while one lock held through the system calls had every file of
    /// a rebuild wait on it (90 % of the threads' waits in a 10,000-brief rebuild).
    fn make_folder(&self, folder: &Path) -> Result<()> {
        if self.folders.contains(folder) {
            return Ok(());
        }
        if std::fs::create_dir_all(folder).is_err() {
            if self.reused {
                for ancestor in folder.ancestors().take_while(|a| a.starts_with(&self.dir)) {
                    if std::fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
                        let _ = std::fs::remove_file(ancestor);
                    }
                }
            }
            fsutil::create_dir_all(folder)?;
        }
        self.folders.insert(folder.to_path_buf());
        Ok(())
    }

    /// Removes what a reused folder holds at `target`, so a new file can be put there.
    fn clear(&self, target: &Path) -> Result<()> {
        if !self.reused {
            return Ok(());
        }
        match std::fs::symlink_metadata(target) {
            Ok(meta) if meta.is_dir() => fsutil::remove_dir_all(target),
            Ok(_) => std::fs::remove_file(target)
                .with_context(|| format!("could not remove {}", target.display())),
            Err(_) => Ok(()),
        }
    }

    /// Removes the files of a reused folder that this build did not write, and the folders
    /// they leave empty.
    fn remove_stale(&self) -> Result<()> {
        let written = &self.written;
        for entry in walkdir::WalkDir::new(&self.dir)
            .min_depth(1)
            .contents_first(true)
        {
            let entry = entry.with_context(|| format!("could not read {}", self.dir.display()))?;
            let relative = entry.path().strip_prefix(&self.dir)?;
            if entry.file_type().is_dir() {
                // Fails, as it should, unless the folder is empty.
                let _ = std::fs::remove_dir(entry.path());
            } else if !written.contains(relative) {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("could not remove {}", entry.path().display()))?;
            }
        }
        Ok(())
    }

    /// Swaps the staging folder in as the output; the replaced output is kept as the spare.
    pub fn commit(mut self) -> Result<()> {
        fsutil::write(&self.dir.join(OUTPUT_MARK), OUTPUT_MARK_TEXT.as_bytes())?;
        self.written.insert(PathBuf::from(OUTPUT_MARK));
        if self.reused {
            self.remove_stale()?;
        }
        self.committed = true;
        swap_in(&self.dir, &self.output, self.spare.as_deref())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let kept = self
                .spare
                .as_ref()
                .is_some_and(|spare| keep_spare(&self.dir, spare));
            if !kept {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
        }
    }
}

/// Moves a folder to `spare`, replacing any there; false if it could not be moved.
fn keep_spare(dir: &Path, spare: &Path) -> bool {
    let _ = std::fs::remove_dir_all(spare);
    spare
        .parent()
        .is_some_and(|parent| std::fs::create_dir_all(parent).is_ok())
        && std::fs::rename(dir, spare).is_ok()
}

/// Refuses a path that would leave the output folder.
fn check_inside(path: &Path) -> Result<()> {
    if path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
        || path.as_os_str().is_empty()
    {
        bail!(
            "refusing to write {} outside the output folder",
            path.display()
        );
    }
    Ok(())
}

/// Whether the previous build has this file with exactly these bytes.
fn unchanged(old: Option<&Path>, bytes: &[u8]) -> bool {
    let Some(old) = old else { return false };
    match std::fs::symlink_metadata(old) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            std::fs::read(old).is_ok_and(|existing| existing == bytes)
        }
        _ => false,
    }
}

/// Whether the previous build has a copy of `source` with the same bytes.
fn same_as_source(old: Option<&Path>, source: &Path) -> bool {
    let Some(old) = old else { return false };
    match (std::fs::symlink_metadata(old), std::fs::metadata(source)) {
        (Ok(old_meta), Ok(meta)) if old_meta.is_file() && old_meta.len() == meta.len() => {
            std::fs::read(source).is_ok_and(|bytes| unchanged(Some(old), &bytes))
        }
        _ => false,
    }
}

/// Replaces `output` by `staging`: atomically where the OS can exchange two folders. The
/// replaced output is moved to `spare` when given (and on the same filesystem), else removed.
fn swap_in(staging: &Path, output: &Path, spare: Option<&Path>) -> Result<()> {
    if !output.exists() {
        return fsutil::rename(staging, output);
    }
    if exchange(staging, output).is_ok() {
        // `staging` now holds the previous build.
        if spare.is_some_and(|spare| keep_spare(staging, spare)) {
            return Ok(());
        }
        return remove_in_parallel(staging);
    }
    let old = staging.with_file_name(
        staging
            .file_name()
            .map(|n| n.to_string_lossy().replace(".folio-new-", ".folio-old-"))
            .unwrap_or_default(),
    );
    fsutil::rename(output, &old)?;
    fsutil::rename(staging, output)?;
    fsutil::remove_dir_all(&old)
}

/// Removes a folder, its top-level entries side by side: most of a site's files sit in a few
/// large folders (briefs/, sources/), and unlinking is mostly waiting on the filesystem.
fn remove_in_parallel(dir: &Path) -> Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|path| {
        if path.is_dir() && !path.is_symlink() {
            fsutil::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
                .with_context(|| format!("could not remove {}", path.display()))
        }
    })?;
    fsutil::remove_dir_all(dir)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Removes staging folders left by builds that were killed before they finished.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.folio-new-"), format!(".{name}.folio-old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether two paths name the same file (the same inode on the same device).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_destructive_output_folders() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("content")).unwrap();
        assert!(check_output_dir(site.path(), site.path()).is_err());
        assert!(check_output_dir(site.path(), &site.path().join("..")).is_err());
        assert!(check_output_dir(site.path(), Path::new("/")).is_err());
        assert!(check_output_dir(site.path(), &site.path().join("public")).is_ok());
    }
}
